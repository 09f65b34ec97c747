package io.streamrec.local.catalog;

import io.streamrec.local.replay.LineSource;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads MovieLens 100K's {@code u.item}: {@code movie id | title | release date | video release date | IMDb URL |}
 * then one 0/1 flag per genre (ISO-8859-1). A movie becomes:
 * <ul>
 *   <li>item id: the movie id, as in {@code u.data};
 *   <li>{@code categories.genre}: the names of the genres flagged 1, from {@code u.genre} next to the file (else the
 *       19 names of the 100K README), except {@code unknown}: it is MovieLens' "no genre known" placeholder (two
 *       movies, no other genre), and as a feature it would make those unrelated movies look alike;
 *   <li>{@code text.title}: the title without its trailing year, e.g. {@code Toy Story} (a trailing tag such as
 *       {@code (V)} is kept); left out for the placeholder title {@code unknown} (movie 267);
 *   <li>{@code numbers.year}: the year in the title, else the release date's year; left out when there is neither.
 * </ul>
 * A line with the wrong number of fields, a genre flag other than 0/1, or a release date that is not
 * {@code dd-Mon-yyyy} is a bad line.
 */
final class MovieLensItemReader extends LineCatalogReader {
    /** The genres of the MovieLens 100K README, in flag order; used when there is no {@code u.genre}. */
    static final List<String> GENRES = List.of("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy",
            "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
            "Sci-Fi", "Thriller", "War", "Western");
    static final String UNKNOWN = "unknown";
    private static final int FIXED_FIELDS = 5;
    /** "Title (1995)", also "Title (1995) (V)"; the year is the last 4-digit parenthesized group. */
    private static final Pattern TITLE_YEAR = Pattern.compile("^(.*)\\((\\d{4})\\)((?:\\s*\\([^()]*\\))?)\\s*$");
    private static final Pattern DATE = Pattern.compile("\\d{1,2}-[A-Za-z]{3}-(\\d{4})");

    private final List<String> genres;
    private final Pattern split = Pattern.compile("\\|");

    /**
     * @throws IOException when {@code u.genre} next to the file cannot be read or is malformed
     */
    MovieLensItemReader(Path file, LineSource lines, ReadProblems problems) throws IOException {
        super(lines, problems);
        this.genres = genres(file.resolveSibling("u.genre"));
    }

    /** The genre names from {@code u.genre} ({@code name|index}, indexes 0..n-1), or {@link #GENRES}. */
    static List<String> genres(Path genreFile) throws IOException {
        if (!Files.isRegularFile(genreFile)) {
            return GENRES;
        }
        Map<Integer, String> byIndex = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(genreFile, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            int bar = l.lastIndexOf('|');
            try {
                if (bar <= 0) {
                    throw new NumberFormatException();
                }
                int index = Integer.parseInt(l.substring(bar + 1).strip());
                if (byIndex.put(index, l.substring(0, bar).strip()) != null) {
                    throw new IOException(genreFile + " line " + (i + 1) + ": genre index " + index + " appears twice");
                }
            } catch (NumberFormatException e) {
                throw new IOException(genreFile + " line " + (i + 1) + ": expected 'name|index', got '" + l + "'");
            }
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < byIndex.size(); i++) {
            String name = byIndex.get(i);
            if (name == null) {
                throw new IOException(genreFile + ": genre indexes should be 0.." + (byIndex.size() - 1)
                        + ", but " + i + " is missing");
            }
            names.add(name);
        }
        return names;
    }

    @Override
    void parseLine(long line, String text) {
        String[] f = split.split(text, -1);
        int expected = FIXED_FIELDS + genres.size();
        if (f.length != expected) {
            bad(line, "wrong number of fields", "expected " + expected + " '|'-separated fields (id, title, release"
                    + " date, video release date, IMDb URL, " + genres.size() + " genre flags), got " + f.length);
            return;
        }
        String id = f[0].strip();
        if (id.isEmpty()) {
            bad(line, "bad item id", "movie id is empty");
            return;
        }
        List<String> genreNames = new ArrayList<>();
        for (int g = 0; g < genres.size(); g++) {
            String flag = f[FIXED_FIELDS + g].strip();
            if (flag.equals("1")) {
                if (!genres.get(g).equalsIgnoreCase(UNKNOWN)) {
                    genreNames.add(genres.get(g));
                }
            } else if (!flag.equals("0")) {
                bad(line, "bad genre flag", "genre flag of '" + genres.get(g) + "' is " + quote(flag)
                        + ", expected 0 or 1");
                return;
            }
        }
        String title = f[1].strip();
        Double year = null;
        Matcher m = TITLE_YEAR.matcher(title);
        if (m.matches()) {
            year = Double.valueOf(m.group(2));
            String tag = m.group(3).strip();
            title = (m.group(1).strip() + (tag.isEmpty() ? "" : " " + tag)).strip();
        }
        String date = f[2].strip();
        if (!date.isEmpty()) {
            Matcher d = DATE.matcher(date);
            if (!d.matches()) {
                bad(line, "bad release date", "release date " + quote(date) + " is not like 01-Jan-1995");
                return;
            }
            if (year == null) {
                year = Double.valueOf(d.group(1));
            }
        }
        Map<String, List<String>> categories = genreNames.isEmpty() ? Map.of() : Map.of("genre", genreNames);
        Map<String, String> texts = title.isEmpty() || title.equals(UNKNOWN) ? Map.of() : Map.of("title", title);
        Map<String, Double> numbers = year == null ? Map.of() : Map.of("year", year);
        emit(line, new CatalogRecord(id, true, categories, texts, numbers, null));
    }
}
