package io.streamrec.schema;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Limits the {@link EventParser} enforces. Immutable and serializable, so a Flink function can carry it.
 *
 * <p>Defaults: payloads up to 64 KiB, ids up to 256 UTF-8 bytes, timestamps from 2000-01-01T00:00:00Z to one day
 * after the parser's clock.
 */
public final class ParserOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_ID_BYTES = 256;
    public static final Instant DEFAULT_EARLIEST_TIMESTAMP = Instant.parse("2000-01-01T00:00:00Z");
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);

    private final int maxPayloadBytes;
    private final int maxIdBytes;
    private final long earliestTimestampMs;
    private final long maxFutureSkewMs;

    public ParserOptions(int maxPayloadBytes, int maxIdBytes, Instant earliestTimestamp, Duration maxFutureSkew) {
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
        }
        if (maxIdBytes <= 0) {
            throw new IllegalArgumentException("maxIdBytes must be positive, got " + maxIdBytes);
        }
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative, got " + maxFutureSkew);
        }
        this.maxPayloadBytes = maxPayloadBytes;
        this.maxIdBytes = maxIdBytes;
        this.earliestTimestampMs = Objects.requireNonNull(earliestTimestamp).toEpochMilli();
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
    }

    public static ParserOptions defaults() {
        return new ParserOptions(
                DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_ID_BYTES, DEFAULT_EARLIEST_TIMESTAMP, DEFAULT_MAX_FUTURE_SKEW);
    }

    public ParserOptions withTimestampRange(Instant earliest, Duration maxFutureSkew) {
        return new ParserOptions(maxPayloadBytes, maxIdBytes, earliest, maxFutureSkew);
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public int maxIdBytes() {
        return maxIdBytes;
    }

    public long earliestTimestampMs() {
        return earliestTimestampMs;
    }

    public long maxFutureSkewMs() {
        return maxFutureSkewMs;
    }
}
