#!/usr/bin/env bash
# Starts the serving node from the repository's build (no install into ~/.m2).
# Usage, from the repository root: serving/run.sh [--key value ...]   (serving/run.sh --help lists the keys)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl serving -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
exec java --add-modules jdk.incubator.vector -Dsun.net.httpserver.nodelay=true ${SERVING_JAVA_OPTS:-} \
  -cp "serving/target/classes:$(cat serving/target/runtime-classpath.txt)" io.streamrec.serving.ServingMain "$@"
