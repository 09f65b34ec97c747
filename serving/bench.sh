#!/usr/bin/env bash
# Serving benchmark: in-process exact top-k and HTTP under concurrent load (see BENCHMARKS.md).
# Usage, from the repository root: serving/bench.sh [items dim k excluded queries httpSeconds clientThreads]
# e.g. serving/bench.sh 100000 64 100 200 5000 10 2,4   (httpSeconds 0: in-process part only)
# Extra JVM options (e.g. to compare GC or page settings): BENCH_JAVA_OPTS="..." serving/bench.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl serving -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java --add-modules jdk.incubator.vector -Dsun.net.httpserver.nodelay=true -Xmx2g \
  -Dorg.apache.avro.limits.string.maxLength=65536 -Dorg.apache.avro.limits.bytes.maxLength=4194304 -XX:+UseParallelGC \
  ${BENCH_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=log4j2-test.properties \
  -cp "serving/target/test-classes:serving/target/classes:$(cat serving/target/classpath.txt)" \
  io.streamrec.serving.bench.TopKBenchmark "$@"
