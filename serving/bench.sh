#!/usr/bin/env bash
# Serving benchmark (see BENCHMARKS.md), from the repository root:
#   serving/bench.sh --items 1000000 --dim 64 --k 100 --excluded 1000 --index auto --queries 2000 \
#       --http-seconds 10 --clients 4,16 --out result.json          (ServingBenchmark: JSON result)
#   serving/bench.sh --kafka localhost:9092 [--topic item-embeddings] ... (the snapshot a trainer run left in Kafka)
# The older positional form runs TopKBenchmark (exact kernels side by side, HTTP load):
#   serving/bench.sh [items dim k excluded queries httpSeconds clientThreads]
# The ranking stage's added latency (RankerBenchmark: the stage, the model alone, forUser rank=auto vs none):
#   serving/bench.sh ranker --candidates 200 --dim 64 --queries 10000 --warmup 10000 --items 100000 --out r.json
# Extra JVM options: BENCH_JAVA_OPTS="..." serving/bench.sh ...; another collector: BENCH_GC=-XX:+UseG1GC
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl serving -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
main=io.streamrec.serving.bench.TopKBenchmark
if [[ "${1:-}" == --* ]]; then
  main=io.streamrec.serving.bench.ServingBenchmark
elif [[ "${1:-}" == ranker ]]; then
  main=io.streamrec.serving.bench.RankerBenchmark
  shift
fi
exec java --add-modules jdk.incubator.vector -Xmx4g \
  -Dorg.apache.avro.limits.string.maxLength=65536 -Dorg.apache.avro.limits.bytes.maxLength=4194304 ${BENCH_GC:--XX:+UseParallelGC} \
  ${BENCH_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=log4j2-test.properties \
  -cp "serving/target/test-classes:serving/target/classes:$(cat serving/target/classpath.txt)" \
  "$main" "$@"
