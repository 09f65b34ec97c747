package io.streamrec.local.demo;

import io.streamrec.local.replay.ReplayOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@link Demo} needs to start: ports, the state directory (kept between runs, so a second run resumes),
 * where the feed comes from (the synthetic generator, or a replayed log), and trainer overrides.
 *
 * @param home the repository root (where the serving node's build lives)
 * @param replay the log to replay instead of the generator, or null
 * @param trainer extra trainer configuration keys (e.g. {@code model.dim}), applied last
 */
public record DemoSettings(Path home, Path stateDir, int kafkaPort, int kafkaControllerPort, int dashboardPort,
                           int servingPort, int parallelism, double rate, int users, int items, int topics, long seed,
                           Duration backfill, ReplayOptions replay, Map<String, String> trainer) {}
