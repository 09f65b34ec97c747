package io.streamrec.local.catalog;

import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.LineSource;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.schema.catalog.CatalogParser;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The catalog file layouts {@code catalog load} understands, each with its reader and default encoding;
 * {@link #detect} tells the layout from the file name and, for {@code .csv}/{@code .json(l)}, the first line.
 */
public enum CatalogFormat {
    /** MovieLens 100K {@code u.item} ({@code |}-separated, ISO-8859-1): genres, title, year. */
    MOVIELENS("movielens", StandardCharsets.ISO_8859_1),
    /** Any CSV file with an item column and attribute columns ({@link CsvLayout#itemColumns()}). */
    CSV("csv", StandardCharsets.UTF_8),
    /** Catalog records in the contract's JSON, one per line. */
    JSONL("jsonl", StandardCharsets.UTF_8);

    private final String cliName;
    private final Charset defaultCharset;

    CatalogFormat(String cliName, Charset defaultCharset) {
        this.cliName = cliName;
        this.defaultCharset = defaultCharset;
    }

    public String cliName() {
        return cliName;
    }

    /** The encoding the format's files have unless {@code --encoding} says otherwise. */
    public Charset defaultCharset() {
        return defaultCharset;
    }

    /** @throws IllegalArgumentException listing the known names */
    public static CatalogFormat fromCliName(String name) {
        for (CatalogFormat f : values()) {
            if (f.cliName.equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; known formats: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(CatalogFormat::cliName).collect(Collectors.joining(", "));
    }

    /** A detected format, with the CSV layout when the file's header was recognised (Complete Journey). */
    public record Detection(CatalogFormat format, CsvLayout csvLayout, String how) {}

    /**
     * Tells the format from the file name where that is unambiguous, else from the first non-empty line.
     *
     * @return the detection, or null when the file does not say which format it is (a CSV file needs its columns)
     * @throws IOException when the file cannot be read
     */
    public static Detection detect(Path file) throws IOException {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            lower = lower.substring(0, lower.length() - 3);
        }
        if (lower.equals("u.item")) {
            return new Detection(MOVIELENS, null, "MovieLens u.item, from the file name");
        }
        boolean json = lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json");
        if (!json && !lower.endsWith(".csv")) {
            return null;
        }
        String first = firstLine(file);
        if (first == null) {
            return null;
        }
        if (json && first.startsWith("{")) {
            return new Detection(JSONL, null, "catalog JSON lines, from the file name and first line");
        }
        if (!json && first.equals(CatalogPresets.COMPLETE_JOURNEY_HEADER)) {
            return new Detection(CSV, CatalogPresets.COMPLETE_JOURNEY,
                    "Complete Journey products, from the header (as --preset completejourney)");
        }
        return null;
    }

    private static String firstLine(Path file) throws IOException {
        try (LineSource lines = new LineSource(file, StandardCharsets.ISO_8859_1)) {
            for (LineSource.Line l = lines.next(); l != null; l = lines.next()) {
                if (!l.text().isBlank()) {
                    String text = l.text().strip();
                    // Read as Latin-1 (any bytes decode); a UTF-8 byte order mark shows as these three characters.
                    return text.startsWith("\u00EF\u00BB\u00BF") ? text.substring(3) : text;
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
     * @param layout the CSV layout (csv only)
     * @throws IOException when the file cannot be opened or its header (or u.genre) read
     * @throws IllegalArgumentException when the options do not fit the file (e.g. a CSV column not in the header)
     */
    public CatalogReader open(Path file, Charset charset, CsvLayout layout, CatalogParser parser,
                              ReadProblems problems) throws IOException {
        if (this == JSONL && !charset.equals(StandardCharsets.UTF_8)) {
            throw new IllegalArgumentException("--encoding: catalog JSON lines are UTF-8, got " + charset.name());
        }
        LineSource lines = new LineSource(file, charset);
        try {
            switch (this) {
                case MOVIELENS: return new MovieLensItemReader(file, lines, problems);
                case CSV: return new CsvCatalogReader(lines, layout, problems);
                case JSONL: return new JsonlCatalogReader(lines, parser, problems);
                default: throw new AssertionError(this);
            }
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }
}
