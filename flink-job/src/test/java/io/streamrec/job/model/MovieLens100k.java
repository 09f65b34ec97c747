package io.streamrec.job.model;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Reads MovieLens 100K {@code u.data} (tab-separated user, item, rating, unix seconds) into rating events, in
 * timestamp order; ties keep file order (a stable sort), which is what every run here uses. The data is read from
 * the directory in the system property {@code streamrec.data.dir} (surefire sets it to {@code ../shared/data}) and
 * is never copied into the repository (MovieLens forbids redistribution). Ids are prefixed ("u196", "i242") so that
 * user and item ids never look alike in logs.
 */
public final class MovieLens100k {
    public static final String DATA_DIR_PROPERTY = "streamrec.data.dir";

    private MovieLens100k() {}

    /** The u.data path, or null when the data directory or the file is missing. */
    public static Path locate() {
        String dir = System.getProperty(DATA_DIR_PROPERTY);
        if (dir == null) {
            return null;
        }
        Path p = Paths.get(dir, "ml-100k", "u.data");
        return Files.isRegularFile(p) ? p : null;
    }

    /** For tests: the events, or a JUnit assumption failure (test skipped) with the reason when absent. */
    public static List<InteractionEvent> loadOrSkip() {
        Path p = locate();
        Assumptions.assumeTrue(p != null, "[needs data] MovieLens 100K not found: set -D" + DATA_DIR_PROPERTY
                + " to a directory holding ml-100k/u.data (was " + System.getProperty(DATA_DIR_PROPERTY) + ")");
        return load(p);
    }

    /**
     * The movies of {@code u.item} as catalog records (item ids prefixed like the events'): the genre flags as
     * categories.genre, the title without its year as text.title, the year as numbers.year. Test code; the product's
     * loader is {@code ./streamrec catalog load}.
     */
    public static Map<String, CatalogRecord> loadCatalog(Path uItem) {
        String[] genres = {"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
            "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
            "Thriller", "War", "Western"};
        Map<String, CatalogRecord> out = new java.util.LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(uItem, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\\|", -1);
                List<String> g = new ArrayList<>();
                for (int i = 0; i < genres.length; i++) {
                    if (f[5 + i].equals("1") && i > 0) {
                        g.add(genres[i]);
                    }
                }
                String title = f[1].trim();
                Map<String, Double> numbers = new HashMap<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*)\\((\\d{4})\\)$").matcher(title);
                if (m.matches()) {
                    title = m.group(1).trim();
                    numbers.put("year", Double.parseDouble(m.group(2)));
                }
                Map<String, List<String>> cats = new HashMap<>();
                if (!g.isEmpty()) {
                    cats.put("genre", g);
                }
                String id = "i" + f[0];
                out.put(id, new CatalogRecord(id, true, cats, title.isEmpty() ? Map.of() : Map.of("title", title),
                        numbers, null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uItem, e);
        }
        return out;
    }

    /** All 100,000 ratings as RATING events (value = stars, time in ms), stably sorted by time; ids prefixed. */
    public static List<InteractionEvent> load(Path uData) {
        return load(uData, "u", "i");
    }

    /**
     * The one MovieLens loader of the trainer's tests (the product's is local-stack's {@code MovieLensReader},
     * which this module cannot depend on: local-stack depends on it). Ids get the given prefixes ("" keeps u.data's
     * numbers, as replay publishes them).
     */
    public static List<InteractionEvent> load(Path uData, String userPrefix, String itemPrefix) {
        List<InteractionEvent> events = new ArrayList<>(100_000);
        // One String instance per id: map look-ups then succeed on identity instead of comparing bytes.
        Map<String, String> canonical = new HashMap<>();
        try {
            for (String line : Files.readAllLines(uData)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                String user = canonical.computeIfAbsent(userPrefix + f[0], x -> x);
                String item = canonical.computeIfAbsent(itemPrefix + f[1], x -> x);
                events.add(new InteractionEvent(user, item, EventType.RATING, Long.parseLong(f[3]) * 1000L)
                        .withValue(Double.parseDouble(f[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uData, e);
        }
        events.sort(Comparator.comparingLong(e -> e.timestamp));
        return events;
    }
}
