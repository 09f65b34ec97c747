package io.streamrec.local.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The log layouts replay understands, each with its reader, default type mapping, whether it is sorted by
 * timestamp by default, and the earliest timestamp its events may have (for validation). {@link #detect} tells the
 * layout from the file name, and, for {@code .csv}/{@code .json(l)}, from the first line.
 */
public enum LogFormat {
    /** MovieLens ratings: u.data (tab), ratings.dat ({@code ::}), ratings.csv (with header); every rating a rating. */
    MOVIELENS("movielens", TypeMapping.parse("rating=rating"), true, Instant.parse("1995-01-01T00:00:00Z")),
    /** Generic CSV with a {@link CsvLayout}; types are mapped from our own names unless a mapping says otherwise. */
    CSV("csv", TypeMapping.IDENTITY, false, null),
    /** OTTO sessions as JSON lines: clicks, carts, orders. */
    OTTO("otto", TypeMapping.parse("clicks=click,carts=add_to_cart,orders=purchase"), false, null),
    /** Our own event JSON, one event per line. */
    EVENTS("events", TypeMapping.IDENTITY, false, null);

    /** The event parser's default earliest accepted timestamp; what the trainer accepts unless configured. */
    public static final Instant TRAINER_DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private static final Pattern MOVIELENS_SPLIT = Pattern.compile("u[1-5ab]?\\.(data|base|test)");

    private final String cliName;
    private final TypeMapping defaultTypes;
    private final boolean sortedByDefault;
    private final Instant earliest;

    LogFormat(String cliName, TypeMapping defaultTypes, boolean sortedByDefault, Instant earliest) {
        this.cliName = cliName;
        this.defaultTypes = defaultTypes;
        this.sortedByDefault = sortedByDefault;
        this.earliest = earliest;
    }

    public String cliName() {
        return cliName;
    }

    public TypeMapping defaultTypes() {
        return defaultTypes;
    }

    /**
     * MovieLens is sorted by default: u.data is not in time order, and prequential evaluation (recommend, then
     * learn, in time order) needs it to be.
     */
    public boolean sortedByDefault() {
        return sortedByDefault;
    }

    /** The earliest timestamp accepted when validating this format's events (MovieLens starts in 1995). */
    public Instant defaultEarliestTimestamp() {
        return earliest != null ? earliest : TRAINER_DEFAULT_EARLIEST;
    }

    /** @throws IllegalArgumentException listing the known names */
    public static LogFormat fromCliName(String name) {
        for (LogFormat f : values()) {
            if (f.cliName.equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; known formats: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(LogFormat::cliName).collect(Collectors.joining(", "));
    }

    /** A detected format, with a CSV layout and type mapping when the layout was recognised (REES46, CJ). */
    public record Detection(LogFormat format, CsvLayout csvLayout, TypeMapping types, String how) {}

    /**
     * Tells the format from the file name where that is unambiguous, else from the first non-empty line.
     *
     * @return the detection, or null when the file does not say which format it is
     * @throws IOException when the file cannot be read
     */
    public static Detection detect(Path file) throws IOException {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            lower = lower.substring(0, lower.length() - 3);
        }
        if (MOVIELENS_SPLIT.matcher(lower).matches() || lower.equals("ratings.dat")) {
            return new Detection(MOVIELENS, null, null, "MovieLens, from the file name " + name);
        }
        if (lower.endsWith(".csv") || lower.endsWith(".jsonl") || lower.endsWith(".json")
                || lower.endsWith(".ndjson")) {
            String first = firstLine(file);
            if (first == null) {
                return null;
            }
            if (lower.endsWith(".csv")) {
                if (first.equals(MovieLensReader.CSV_HEADER)) {
                    return new Detection(MOVIELENS, null, null, "MovieLens ratings.csv, from its header");
                }
                if (first.equals(CsvLayout.REES46_HEADER)) {
                    return new Detection(CSV, CsvLayout.REES46, CsvLayout.REES46_TYPES,
                            "REES46 CSV, from its header (as --preset rees46)");
                }
                if (first.equals(CsvLayout.COMPLETE_JOURNEY_HEADER)) {
                    return new Detection(CSV, CsvLayout.COMPLETE_JOURNEY, null,
                            "Complete Journey transactions, from the header (as --preset completejourney)");
                }
                if (first.equals(CsvLayout.ONLINE_RETAIL_HEADER)) {
                    return new Detection(CSV, CsvLayout.ONLINE_RETAIL, null,
                            "Online Retail invoice lines, from the header (as --preset onlineretail)");
                }
                return null;
            }
            if (first.startsWith("{") && first.contains("\"session\"") && first.contains("\"events\"")) {
                return new Detection(OTTO, null, null, "OTTO sessions, from the first line");
            }
            if (first.startsWith("{") && first.contains("\"user_id\"")) {
                return new Detection(EVENTS, null, null, "event JSON, from the first line");
            }
        }
        return null;
    }

    private static String firstLine(Path file) throws IOException {
        try (LineSource lines = new LineSource(file)) {
            for (LineSource.Line l = lines.next(); l != null; l = lines.next()) {
                if (l.text() != null && !l.text().isBlank()) {
                    return l.text().strip();
                }
                if (l.number() > 100) {
                    return null;
                }
            }
            return null;
        }
    }

    /**
     * Opens a reader of this format.
     *
     * @throws IOException when the file cannot be opened or its header read
     * @throws IllegalArgumentException when the options do not fit the file (e.g. a CSV column not in the header)
     */
    public LogReader open(Path file, ReaderOptions options, ReadProblems problems) throws IOException {
        LineSource lines = new LineSource(file);
        try {
            switch (this) {
                case MOVIELENS: return new MovieLensReader(lines, options, problems);
                case CSV: return new CsvReader(lines, options, problems);
                case OTTO: return new OttoReader(lines, options, problems);
                case EVENTS: return new EventJsonReader(lines, options, problems);
                default: throw new AssertionError(this);
            }
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }
}
