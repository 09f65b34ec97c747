package io.streamrec.local.cli;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small GNU-style command-line parser for the local-stack tools: a declared set of {@code --name value},
 * {@code --name=value} and value-less {@code --flag} options plus positional arguments in, typed values out, and a
 * usage text generated from the declarations. Every error is a {@link UsageException} naming the option.
 *
 * <p>Hand-written rather than a library so that the module stays small; the tools have few options.
 * Not thread-safe while being built; a parsed instance is immutable.
 */
public final class CommandLine {

    private final Spec spec;
    private final Map<String, String> values;
    private final List<String> positionals;

    private CommandLine(Spec spec, Map<String, String> values, List<String> positionals) {
        this.spec = spec;
        this.values = values;
        this.positionals = positionals;
    }

    /** Starts a declaration; {@code usageLine} is e.g. {@code "streamrec replay [options] FILE"}. */
    public static Spec spec(String usageLine) {
        return new Spec(usageLine);
    }

    public Spec specification() {
        return spec;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The raw value, or null when the option was not given. For a flag, "true". */
    public String get(String name) {
        requireDeclared(name);
        return values.get(name);
    }

    public String get(String name, String defaultValue) {
        String v = get(name);
        return v == null ? defaultValue : v;
    }

    public List<String> positionals() {
        return positionals;
    }

    public boolean flag(String name) {
        return get(name) != null;
    }

    public long getLong(String name, long defaultValue, long min) throws UsageException {
        String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": expected an integer, got '" + v + "'");
        }
        if (parsed < min) {
            throw new UsageException(name + ": must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }

    public int getInt(String name, int defaultValue, int min) throws UsageException {
        long v = getLong(name, defaultValue, min);
        if (v > Integer.MAX_VALUE) {
            throw new UsageException(name + ": must be at most " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    public double getDouble(String name, double defaultValue) throws UsageException {
        String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": expected a number, got '" + v + "'");
        }
    }

    public boolean getBoolean(String name, boolean defaultValue) throws UsageException {
        String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw new UsageException(name + ": expected true or false, got '" + v + "'");
        }
    }

    public Duration getDuration(String name, Duration defaultValue) throws UsageException {
        String v = get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
    }

    public Instant getInstant(String name) throws UsageException {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return parseInstant(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
    }

    /**
     * Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, a bare number of seconds, or ISO-8601
     * ({@code PT10S}). Negative durations are refused.
     */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new IllegalArgumentException("must not be negative, got '" + text + "'");
                }
                return d;
            }
            int unitStart = 0;
            while (unitStart < t.length() && (Character.isDigit(t.charAt(unitStart)) || t.charAt(unitStart) == '.')) {
                unitStart++;
            }
            double amount = Double.parseDouble(t.substring(0, unitStart));
            String unit = t.substring(unitStart).trim();
            double millis;
            switch (unit) {
                case "ms": millis = amount; break;
                case "": case "s": case "sec": millis = amount * 1_000; break;
                case "m": case "min": millis = amount * 60_000; break;
                case "h": millis = amount * 3_600_000; break;
                case "d": millis = amount * 86_400_000; break;
                default: throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(millis));
        } catch (NumberFormatException | DateTimeException e) {
            throw new IllegalArgumentException(
                    "expected a duration such as 500ms, 10s, 5m, 2h, 1d or PT10S, got '" + text + "'");
        }
    }

    /** Parses an ISO-8601 instant ({@code 2019-10-01T00:00:00Z}, with an offset, or a bare date meaning UTC midnight). */
    public static Instant parseInstant(String text) {
        String t = text.trim();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return java.time.OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected an ISO-8601 instant such as 2019-10-01T00:00:00Z or a date"
                    + " such as 2019-10-01, got '" + text + "'");
        }
    }

    private void requireDeclared(String name) {
        if (!spec.options.containsKey(name)) {
            // A programming error in the tool, not a user error.
            throw new IllegalArgumentException("option " + name + " is not declared");
        }
    }

    /** The declared options of one tool, in the order they appear in the usage text. */
    public static final class Spec {
        private final String usageLine;
        private final Map<String, Option> options = new LinkedHashMap<>();
        private final List<Object> layout = new ArrayList<>(); // section titles (String) and options, in order
        private final List<String> epilogue = new ArrayList<>();

        private Spec(String usageLine) {
            this.usageLine = usageLine;
        }

        /** Starts a titled group of options in the usage text. */
        public Spec section(String title) {
            layout.add(title);
            return this;
        }

        /** An option that takes a value; {@code valueName} appears in the usage, e.g. {@code N} or {@code ISO}. */
        public Spec option(String name, String valueName, String description) {
            return add(new Option(name, valueName, description));
        }

        /** An option without a value. */
        public Spec flag(String name, String description) {
            return add(new Option(name, null, description));
        }

        /** Free text printed after the options, e.g. exit codes or examples. */
        public Spec epilogue(String text) {
            epilogue.add(text);
            return this;
        }

        private Spec add(Option o) {
            if (!o.name.startsWith("--")) {
                throw new IllegalArgumentException("option names start with --: " + o.name);
            }
            if (options.put(o.name, o) != null) {
                throw new IllegalArgumentException("duplicate option " + o.name);
            }
            layout.add(o);
            return this;
        }

        /**
         * Parses arguments. {@code --} ends the options; later arguments are positional. A repeated option keeps its
         * last value.
         *
         * @throws UsageException for an unknown option or a missing value
         */
        public CommandLine parse(String... args) throws UsageException {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> positionals = new ArrayList<>();
            boolean optionsEnded = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (optionsEnded || !a.startsWith("--") || a.equals("-")) {
                    positionals.add(a);
                    continue;
                }
                if (a.equals("--")) {
                    optionsEnded = true;
                    continue;
                }
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                Option o = options.get(name);
                if (o == null) {
                    throw new UsageException("unknown option " + name + suggestion(name) + " (--help lists the options)");
                }
                if (o.valueName == null) {
                    if (eq >= 0) {
                        throw new UsageException(name + " takes no value, got '" + a.substring(eq + 1) + "'");
                    }
                    values.put(name, "true");
                } else if (eq >= 0) {
                    values.put(name, a.substring(eq + 1));
                } else {
                    if (i + 1 >= args.length) {
                        throw new UsageException(name + " needs a value (" + o.valueName + ")");
                    }
                    values.put(name, args[++i]);
                }
            }
            return new CommandLine(this, values, positionals);
        }

        private String suggestion(String name) {
            String bare = name.replaceFirst("^--", "");
            for (String known : options.keySet()) {
                String k = known.substring(2);
                if (k.contains(bare) || bare.contains(k)) {
                    return "; did you mean " + known + "?";
                }
            }
            return "";
        }

        /** The usage text: the usage line, then every section and option with its description, then the epilogue. */
        public String usage() {
            StringBuilder sb = new StringBuilder("Usage: ").append(usageLine).append('\n');
            for (Object entry : layout) {
                if (entry instanceof String) {
                    sb.append('\n').append(entry).append('\n');
                    continue;
                }
                Option o = (Option) entry;
                String head = "  " + o.name + (o.valueName == null ? "" : " " + o.valueName);
                sb.append(head);
                String[] lines = o.description.split("\n");
                int pad = 34;
                for (int i = 0; i < lines.length; i++) {
                    int col = i == 0 ? head.length() : 0;
                    if (i == 0 && col >= pad - 1) {
                        sb.append('\n');
                        col = 0;
                    }
                    sb.append(" ".repeat(pad - col)).append(lines[i]).append('\n');
                }
            }
            for (String e : epilogue) {
                sb.append('\n').append(e).append('\n');
            }
            return sb.toString();
        }
    }

    private static final class Option {
        final String name;
        final String valueName;
        final String description;

        Option(String name, String valueName, String description) {
            this.name = name;
            this.valueName = valueName;
            this.description = description;
        }
    }
}
