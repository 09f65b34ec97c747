#!/usr/bin/env bash
# Runs a benchmark program from local-stack's test sources (the embedded stack: Kafka, Flink, the serving node).
#   local-stack/run-benchmark.sh FreshnessBenchmark [probes]
set -euo pipefail
cd "$(dirname "$0")/.."
main="${1:?benchmark class, e.g. FreshnessBenchmark}"; shift
./mvnw -q -B -DskipTests package >/dev/null
./mvnw -q -B -pl local-stack -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
opens=$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' pom.xml)
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} $opens -Dstreamrec.home="$(pwd)" \
  -Dlog4j2.configurationFile=local-stack/src/main/resources/log4j2-cli.properties \
  -cp "local-stack/target/test-classes:local-stack/target/classes:$(cat local-stack/target/bench.classpath)" \
  "io.streamrec.local.bench.$main" "$@"
