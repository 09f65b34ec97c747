package io.streamrec.local.demo;

import io.streamrec.local.replay.ReplayOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@link Demo} needs to start: ports, the state directory (kept between runs, so a second run resumes),
 * where the feed comes from (the synthetic generator, or a replayed log), how the generator's world changes while
 * live, and trainer overrides.
 *
 * @param home the repository root (where the serving node's build lives)
 * @param replay the log to replay instead of the generator, or null
 * @param trainer extra trainer configuration keys (e.g. {@code model.dim}), applied last
 * @param newItemsEvery how often the generator launches a new item while live (zero = never)
 * @param newItemDelay from a new item's catalog record to its first event
 * @param retireEvery how often the generator retires an item while live (zero = never)
 */
public record DemoSettings(Path home, Path stateDir, int kafkaPort, int kafkaControllerPort, int dashboardPort,
                           int servingPort, int parallelism, double rate, int users, int items, int topics, long seed,
                           Duration backfill, ReplayOptions replay, Map<String, String> trainer,
                           Duration newItemsEvery, Duration newItemDelay, Duration retireEvery) {

    public static final Duration DEFAULT_NEW_ITEMS_EVERY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_NEW_ITEM_DELAY = Duration.ofSeconds(20);
    public static final Duration DEFAULT_RETIRE_EVERY = Duration.ofMinutes(2);

    /**
     * With the demo's defaults for the world's changes: a new item every 30 s (events 20 s later), a retirement
     * every 2 min.
     */
    public DemoSettings(Path home, Path stateDir, int kafkaPort, int kafkaControllerPort, int dashboardPort,
                        int servingPort, int parallelism, double rate, int users, int items, int topics, long seed,
                        Duration backfill, ReplayOptions replay, Map<String, String> trainer) {
        this(home, stateDir, kafkaPort, kafkaControllerPort, dashboardPort, servingPort, parallelism, rate, users,
                items, topics, seed, backfill, replay, trainer, DEFAULT_NEW_ITEMS_EVERY, DEFAULT_NEW_ITEM_DELAY,
                DEFAULT_RETIRE_EVERY);
    }
}
