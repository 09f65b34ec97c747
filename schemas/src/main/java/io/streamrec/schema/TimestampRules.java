package io.streamrec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/**
 * How the contracts write an instant (an event's {@code timestamp}, a catalog record's {@code updated_at}): epoch
 * milliseconds, epoch seconds (any number below 10^11, fractions allowed), either as a JSON number or a numeric
 * string, or an ISO-8601 date-time with a zone offset; and the plausible range it must lie in. Epoch microseconds
 * and nanoseconds fall outside any plausible range and are rejected as such.
 *
 * <p>Stateless and thread-safe.
 */
public final class TimestampRules {
    /** Below this an epoch number is read as seconds (10^11 s is the year 5138; 10^11 ms is 1973). */
    private static final double SECONDS_THRESHOLD = 1e11;

    private TimestampRules() {}

    /**
     * Reads {@code node} (present and not null) as an instant in epoch ms within {@code [earliestMs, latestMs]}:
     * rejections name {@code field} with code {@code WRONG_FIELD_TYPE}, {@code BAD_TIMESTAMP} or
     * {@code IMPLAUSIBLE_TIMESTAMP}. {@code maxFutureSkewMs} only words the message for a too-late instant.
     */
    public static FieldResult<Long> read(JsonNode node, String field, long earliestMs, long latestMs,
                                         long maxFutureSkewMs) {
        long ms;
        if (node.isNumber()) {
            if (node.isIntegralNumber() && !node.canConvertToLong()) {
                return bad(field, "integer " + JsonValues.abbreviate(node.asText()) + " is out of range");
            }
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                return bad(field, "must be a finite number");
            }
            ms = node.isIntegralNumber() ? epochToMillis(node.longValue()) : epochToMillis(d);
        } else if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.isEmpty()) {
                return bad(field, "must not be empty");
            }
            if (isDecimalNumber(text)) {
                try {
                    ms = epochToMillis(Double.parseDouble(text));
                } catch (NumberFormatException e) {
                    return bad(field, "'" + JsonValues.abbreviate(text) + "' is not a number");
                }
            } else {
                FieldResult<Long> iso = parseIso(field, text);
                if (!iso.isValid()) {
                    return iso;
                }
                ms = iso.value();
            }
        } else {
            return FieldResult.rejected(new Rejection(Rejection.Code.WRONG_FIELD_TYPE, field,
                    "expected epoch milliseconds, epoch seconds or an ISO-8601 string, got "
                            + JsonValues.describe(node)));
        }
        if (ms < earliestMs) {
            return FieldResult.rejected(new Rejection(Rejection.Code.IMPLAUSIBLE_TIMESTAMP, field,
                    "is " + formatMs(ms) + ", before the earliest accepted " + Instant.ofEpochMilli(earliestMs)));
        }
        if (ms > latestMs) {
            return FieldResult.rejected(new Rejection(Rejection.Code.IMPLAUSIBLE_TIMESTAMP, field,
                    "is " + formatMs(ms) + ", more than " + maxFutureSkewMs
                            + " ms in the future (epoch microseconds or nanoseconds are not accepted)"));
        }
        return FieldResult.of(ms);
    }

    private static long epochToMillis(long v) {
        return Math.abs(v) < SECONDS_THRESHOLD ? v * 1000L : v;
    }

    private static long epochToMillis(double v) {
        double ms = Math.abs(v) < SECONDS_THRESHOLD ? v * 1000.0 : v;
        // Clamp so that absurd values stay absurd (and get rejected by the range check) instead of overflowing.
        if (ms >= Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (ms <= Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return (long) Math.floor(ms);
    }

    private static FieldResult<Long> parseIso(String field, String text) {
        TemporalAccessor parsed;
        try {
            parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from, LocalDateTime::from);
        } catch (DateTimeException e) {
            return bad(field, "'" + JsonValues.abbreviate(text)
                    + "' is neither epoch milliseconds, epoch seconds nor an ISO-8601 date-time such as "
                    + "2024-05-01T12:00:00Z");
        }
        if (parsed instanceof LocalDateTime) {
            return bad(field, "'" + JsonValues.abbreviate(text)
                    + "' has no zone offset; add 'Z' for UTC or e.g. '+02:00'");
        }
        return FieldResult.of(((ZonedDateTime) parsed).toInstant().toEpochMilli());
    }

    private static FieldResult<Long> bad(String field, String message) {
        return FieldResult.rejected(new Rejection(Rejection.Code.BAD_TIMESTAMP, field, message));
    }

    private static boolean isDecimalNumber(String s) {
        int i = s.charAt(0) == '-' ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        boolean digit = false;
        boolean dot = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    private static String formatMs(long ms) {
        try {
            return Instant.ofEpochMilli(ms).toString();
        } catch (DateTimeException e) {
            return ms + " ms";
        }
    }
}
