package io.streamrec.local.replay;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * Turns the timestamp text of a log into epoch milliseconds. Formats: {@code epoch-s} (seconds, fractions
 * allowed), {@code epoch-ms}, {@code iso} (ISO-8601 date-time; without a zone, the default zone applies), a
 * {@link DateTimeFormatter} pattern such as {@code yyyy-MM-dd HH:mm:ss z}, or {@code auto}: a number is epoch
 * seconds below 10^11 and milliseconds above (the event parser's rule), otherwise ISO-8601 or
 * {@code yyyy-MM-dd HH:mm:ss[.f] [zone]} (the REES46 style, {@code 2019-10-01 00:00:00 UTC}).
 *
 * <p>Not thread-safe: it caches the last text, because logs repeat the same second many times in a row.
 */
public final class TimestampFormat {
    public static final String AUTO = "auto";
    public static final String EPOCH_SECONDS = "epoch-s";
    public static final String EPOCH_MILLIS = "epoch-ms";
    public static final String ISO = "iso";

    private static final double SECONDS_THRESHOLD = 1e11;

    /** Date, 'T' or space, time, optional fraction, optional space and zone id or offset ("UTC", "Z", "+02:00"). */
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2).optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendZoneOrOffsetId().optionalEnd()
            .toFormatter(Locale.ROOT);

    private final String spec;
    private final ZoneId defaultZone;
    private final DateTimeFormatter pattern;
    private String lastText;
    private long lastMs;

    private TimestampFormat(String spec, ZoneId defaultZone, DateTimeFormatter pattern) {
        this.spec = spec;
        this.defaultZone = defaultZone;
        this.pattern = pattern;
    }

    /**
     * @param spec auto, epoch-s, epoch-ms, iso or a DateTimeFormatter pattern
     * @param defaultZone zone for date-times that carry none
     * @throws IllegalArgumentException for an invalid pattern
     */
    public static TimestampFormat of(String spec, ZoneId defaultZone) {
        String s = spec.strip();
        switch (s.toLowerCase(Locale.ROOT)) {
            case AUTO: case EPOCH_SECONDS: case EPOCH_MILLIS: case ISO:
                return new TimestampFormat(s.toLowerCase(Locale.ROOT), defaultZone, null);
            default:
                try {
                    return new TimestampFormat(s, defaultZone, DateTimeFormatter.ofPattern(s, Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + spec + "' is neither auto, epoch-s, epoch-ms, iso nor a"
                            + " valid java.time pattern: " + e.getMessage(), e);
                }
        }
    }

    public static TimestampFormat auto() {
        return of(AUTO, ZoneOffset.UTC);
    }

    public String spec() {
        return spec;
    }

    /**
     * @throws IllegalArgumentException with a message quoting the text and the expected format
     */
    public long toEpochMillis(String text) {
        if (text.equals(lastText)) {
            return lastMs;
        }
        long ms = parse(text.strip());
        lastText = text;
        lastMs = ms;
        return ms;
    }

    private long parse(String t) {
        if (t.isEmpty()) {
            throw new IllegalArgumentException("timestamp is empty");
        }
        try {
            switch (spec) {
                case EPOCH_SECONDS:
                    return (long) Math.floor(number(t) * 1000);
                case EPOCH_MILLIS:
                    return (long) Math.floor(number(t));
                case ISO:
                    return iso(t, DateTimeFormatter.ISO_DATE_TIME);
                case AUTO:
                    if (looksNumeric(t)) {
                        double d = number(t);
                        return (long) Math.floor(Math.abs(d) < SECONDS_THRESHOLD ? d * 1000 : d);
                    }
                    try {
                        return iso(t, DateTimeFormatter.ISO_DATE_TIME);
                    } catch (DateTimeException e) {
                        return iso(t, LENIENT);
                    }
                default:
                    return iso(t, pattern);
            }
        } catch (DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("timestamp " + LineLogReader.quote(t) + " does not match "
                    + describe());
        }
    }

    private String describe() {
        switch (spec) {
            case EPOCH_SECONDS: return "epoch seconds";
            case EPOCH_MILLIS: return "epoch milliseconds";
            case ISO: return "ISO-8601 (e.g. 2019-10-01T00:00:00Z)";
            case AUTO: return "epoch seconds/milliseconds or a date-time such as 2019-10-01T00:00:00Z";
            default: return "the pattern \"" + spec + "\"";
        }
    }

    private long iso(String t, DateTimeFormatter f) {
        TemporalAccessor parsed = f.parseBest(t, ZonedDateTime::from, LocalDateTime::from);
        if (parsed instanceof ZonedDateTime) {
            return ((ZonedDateTime) parsed).toInstant().toEpochMilli();
        }
        return ((LocalDateTime) parsed).atZone(defaultZone).toInstant().toEpochMilli();
    }

    private static double number(String t) {
        double d = Double.parseDouble(t);
        if (!Double.isFinite(d)) {
            throw new NumberFormatException(t);
        }
        return d;
    }

    private static boolean looksNumeric(String t) {
        int i = t.charAt(0) == '-' ? 1 : 0;
        boolean digit = false;
        for (; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.') {
                return false;
            }
        }
        return digit;
    }
}
