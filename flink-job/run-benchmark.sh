#!/usr/bin/env bash
# Runs a benchmark program from flink-job's test sources with the test classpath (Flink MiniCluster, embedded Kafka).
#   flink-job/run-benchmark.sh TrainerThroughputBenchmark [events] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
main="${1:?benchmark class, e.g. TrainerThroughputBenchmark}"; shift
./mvnw -q -B -pl flink-job -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
opens=$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' pom.xml)
exec java -Xmx3g ${BENCH_JAVA_OPTS:-} $opens -Dlog4j2.configurationFile=flink-job/src/test/resources/log4j2-test.properties \
  -cp "flink-job/target/test-classes:flink-job/target/classes:$(cat flink-job/target/bench.classpath)" \
  "io.streamrec.job.bench.$main" "$@"
