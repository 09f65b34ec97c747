package io.streamrec.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of every kind of value, for the trainer's keys, the serving node's keys and the command-line
 * options alike.
 *
 * <ul>
 *   <li><b>Durations</b>: a number and a unit, {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}
 *       (also {@code 1.5h}, {@code 10 s}, {@code 2min}, {@code 3 days}, or ISO-8601 {@code PT5S}); {@code 0} alone
 *       is zero. A bare number other than 0 is an error: it would mean milliseconds to one reader and seconds to
 *       another.</li>
 *   <li><b>Sizes</b> (memory): a number and a binary unit, {@code 512k}, {@code 256m}, {@code 1g} (also {@code mb},
 *       {@code MiB}, ...); a bare number other than 0 is an error.</li>
 *   <li><b>Booleans</b>: {@code true} or {@code false}, in any case; nothing else ({@code yes}, {@code on},
 *       {@code 1} are errors).</li>
 *   <li><b>Integers</b>: decimal, {@code _} allowed between digits ({@code 100_000}), or hexadecimal {@code 0x...}.
 *       <b>Numbers</b>: decimal with an optional exponent ({@code 0.1}, {@code 1e-4}), finite.</li>
 *   <li><b>Instants</b>: ISO-8601 with a zone or offset ({@code 2019-10-01T00:00:00Z}), or a date
 *       ({@code 2019-10-01}, midnight UTC).</li>
 * </ul>
 */
public final class ValueTypes {
    private ValueTypes() {}

    public static final ValueType<String> STRING = of("TEXT", String::strip, s -> s);

    public static final ValueType<Integer> INTEGER = of("N", t -> {
        BigInteger v = integer(t);
        if (v.bitLength() > 31) {
            throw new IllegalArgumentException("out of range (at most " + Integer.MAX_VALUE + "), got '" + t + "'");
        }
        return v.intValue();
    }, String::valueOf);

    public static final ValueType<Long> LONG = of("N", t -> {
        BigInteger v = integer(t);
        if (v.bitLength() > 63) {
            throw new IllegalArgumentException("out of range, got '" + t + "'");
        }
        return v.longValue();
    }, String::valueOf);

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    public static final ValueType<Double> NUMBER = of("X", t -> {
        String s = t.strip();
        if (!DECIMAL.matcher(s).matches()) {
            throw new IllegalArgumentException("expected a number such as 0.5 or 1e-3, got '" + t + "'");
        }
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("out of range, got '" + t + "'");
        }
        return d;
    }, String::valueOf);

    public static final ValueType<Boolean> BOOLEAN = of("true|false", t -> {
        switch (t.strip().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException("expected true or false, got '" + t + "'");
        }
    }, String::valueOf);

    public static final ValueType<Duration> DURATION = of("DUR", ValueTypes::parseDuration,
            ValueTypes::formatDuration);

    public static final ValueType<Long> SIZE = of("SIZE", ValueTypes::parseSize, ValueTypes::formatSize);

    public static final ValueType<Instant> INSTANT = of("ISO", ValueTypes::parseInstant, Instant::toString);

    public static final ValueType<Path> PATH = of("PATH", t -> {
        if (t.isBlank()) {
            throw new IllegalArgumentException("expected a path, got ''");
        }
        return Path.of(t.strip());
    }, Path::toString);

    /** A type from its label and functions; {@code parse} throws IllegalArgumentException with a message. */
    public static <T> ValueType<T> of(String label, Function<String, T> parse, Function<T, String> format) {
        return new ValueType<>() {
            @Override
            public T parse(String text) {
                return parse.apply(text);
            }

            @Override
            public String format(T value) {
                return format.apply(value);
            }

            @Override
            public String label() {
                return label;
            }

            @Override
            public String toString() {
                return label;
            }
        };
    }

    /**
     * One of a fixed set of words, in any case. {@code names} maps every accepted word to its value; the first
     * word of a value is how it is written back and listed.
     */
    public static <E> ValueType<E> choice(Map<String, E> names) {
        Map<String, E> byName = new LinkedHashMap<>();
        Map<E, String> canonical = new LinkedHashMap<>();
        names.forEach((n, v) -> {
            byName.put(n.toLowerCase(Locale.ROOT), v);
            canonical.putIfAbsent(v, n);
        });
        List<String> shown = new ArrayList<>(canonical.values());
        String expected = shown.size() == 1 ? shown.get(0)
                : String.join(", ", shown.subList(0, shown.size() - 1)) + " or " + shown.get(shown.size() - 1);
        return of(String.join("|", shown), t -> {
            E v = byName.get(t.strip().toLowerCase(Locale.ROOT));
            if (v == null) {
                throw new IllegalArgumentException("expected " + expected + ", got '" + t + "'");
            }
            return v;
        }, canonical::get);
    }

    /** One of the given words (any case), each its own value, listed in this order. */
    public static ValueType<String> words(String... words) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String w : words) {
            names.put(w, w);
        }
        return choice(names);
    }

    /** The constants of an enum, by their names (any case), written back as {@code name.apply(constant)}. */
    public static <E extends Enum<E>> ValueType<E> enumeration(Class<E> type, Function<E, String> name) {
        Map<String, E> names = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            names.put(name.apply(e), e);
        }
        return choice(names);
    }

    // ---------------------------------------------------------------- integers

    private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?\\d(_?\\d)*");
    private static final Pattern HEX_TEXT = Pattern.compile("0[xX][0-9a-fA-F]+");

    private static BigInteger integer(String text) {
        String s = text.strip();
        if (HEX_TEXT.matcher(s).matches()) {
            return new BigInteger(s.substring(2), 16);
        }
        if (!INTEGER_TEXT.matcher(s).matches()) {
            throw new IllegalArgumentException("expected an integer, got '" + text + "'");
        }
        return new BigInteger(s.replace("_", ""));
    }

    // ---------------------------------------------------------------- durations

    private static final Pattern AMOUNT_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    private static final String DURATION_EXAMPLES = "500ms, 5s, 2m, 1h or 7d";

    private static long unitMillis(String unit) {
        switch (unit) {
            case "ms": case "milli": case "millis": case "millisecond": case "milliseconds": return 1L;
            case "s": case "sec": case "secs": case "second": case "seconds": return 1_000L;
            case "m": case "min": case "mins": case "minute": case "minutes": return 60_000L;
            case "h": case "hour": case "hours": return 3_600_000L;
            case "d": case "day": case "days": return 86_400_000L;
            default: return -1;
        }
    }

    private static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new IllegalArgumentException("must not be negative, got '" + text + "'");
                }
                return d;
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("expected a duration such as " + DURATION_EXAMPLES
                        + ", got '" + text + "'");
            }
        }
        Matcher m = AMOUNT_UNIT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as " + DURATION_EXAMPLES + ", got '"
                    + text + "'");
        }
        if (m.group(2).isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no unit: write e.g. " + m.group(1) + "ms or "
                    + m.group(1) + "s (durations: " + DURATION_EXAMPLES + "; only 0 goes without a unit)");
        }
        long unit = unitMillis(m.group(2));
        if (unit < 0) {
            throw new IllegalArgumentException("unknown unit '" + m.group(2) + "' in '" + text
                    + "': use ms, s, m, h or d (e.g. " + DURATION_EXAMPLES + ")");
        }
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return Duration.ofMillis(millis.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of milliseconds or too long");
        }
    }

    /** The largest unit that writes the duration exactly: {@code 0}, {@code 250ms}, {@code 10s}, {@code 90d}. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    // ---------------------------------------------------------------- sizes

    private static long sizeUnit(String unit) {
        switch (unit) {
            case "b": return 1L;
            case "k": case "kb": case "kib": return 1L << 10;
            case "m": case "mb": case "mib": return 1L << 20;
            case "g": case "gb": case "gib": return 1L << 30;
            case "t": case "tb": case "tib": return 1L << 40;
            default: return -1;
        }
    }

    private static long parseSize(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return 0;
        }
        Matcher m = Pattern.compile("(\\d+)\\s*([a-z]*)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 512k, 256m or 1g, got '" + text + "'");
        }
        if (m.group(2).isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no unit: write e.g. " + m.group(1) + "m (sizes: "
                    + "512k, 256m, 1g; only 0 goes without a unit)");
        }
        long unit = sizeUnit(m.group(2));
        if (unit < 0) {
            throw new IllegalArgumentException("unknown unit '" + m.group(2) + "' in '" + text
                    + "': use b, k, m, g or t (binary: 1k = 1024 bytes)");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    /** The largest binary unit that writes the size exactly: {@code 1g}, {@code 1600m}, {@code 3b}. */
    public static String formatSize(Long bytes) {
        long b = bytes;
        if (b == 0) {
            return "0";
        }
        String[] units = {"t", "g", "m", "k"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (4 - i));
            if (b % unit == 0) {
                return b / unit + units[i];
            }
        }
        return b + "b";
    }

    // ---------------------------------------------------------------- instants

    private static Instant parseInstant(String text) {
        String t = text.strip();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected an ISO-8601 instant such as 2019-10-01T00:00:00Z or a date"
                    + " such as 2019-10-01, got '" + text + "'");
        }
    }
}
