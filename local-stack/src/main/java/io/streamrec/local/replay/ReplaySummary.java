package io.streamrec.local.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a replay did: events published (acknowledged by Kafka), lines skipped as bad (by reason), records ignored on
 * purpose (by reason), events outside {@code --from/--to}, events that arrived out of timestamp order while pacing,
 * why it stopped early (null when it read the whole file; "limit" or "stopped"), how long it took, the
 * published time range (after any shift) and notices for the person running it; the catalog records published
 * (acknowledged) for how many distinct items, and where (null when the log implied none or they were off).
 */
public record ReplaySummary(
        String file,
        LogFormat format,
        String destination,
        long published,
        long bad,
        Map<String, Long> badByReason,
        long ignored,
        Map<String, Long> ignoredByReason,
        long filtered,
        long outOfOrder,
        String stopReason,
        Duration elapsed,
        Instant firstTimestamp,
        Instant lastTimestamp,
        long shiftMillis,
        List<String> notices,
        long catalogRecords,
        long catalogItems,
        String catalogDestination) {

    public double eventsPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : published * 1e9 / nanos;
    }
}
