package io.streamrec.local.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a catalog load did: records published (acknowledged by Kafka), of them retired ({@code available: false}),
 * lines skipped as bad (by reason), records for an item id already loaded earlier in the file (the later one
 * replaces it), why it stopped early (null when it read the whole file; "limit" or "stopped"), how long it took, and
 * notices for the person running it.
 */
public record CatalogLoadSummary(
        String file,
        CatalogFormat format,
        String destination,
        long published,
        long retired,
        long bad,
        Map<String, Long> badByReason,
        long duplicates,
        String stopReason,
        Duration elapsed,
        List<String> notices) {

    public double recordsPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : published * 1e9 / nanos;
    }
}
