package io.streamrec.local.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MovieLens u.item: the real file in ../shared/data, and small fixtures for the edge cases it does not have. */
class MovieLensItemReaderTest {
    @TempDir
    Path dir;

    private static final String FLAGS_NONE = "|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";

    @Test
    void realUItemGivesOneRecordPerMovieWithGenresTitleAndYear() {
        Path file = TestData.file("ml-100k/u.item");
        CatalogReading r = CatalogReading.of(file, CatalogFormat.MOVIELENS, null);
        assertEquals(List.of(), r.bad);
        Map<String, CatalogRecord> movies = r.byId();
        assertEquals(1_682, movies.size());
        assertEquals(1_682, r.records.size());

        assertEquals(new CatalogRecord("1", true, Map.of("genre", List.of("Animation", "Children's", "Comedy")),
                Map.of("title", "Toy Story"), Map.of("year", 1995.0), null), movies.get("1"));
        // Latin-1 decoded, the year taken out of the title:
        assertEquals("Misérables, Les", movies.get("543").text().get("title"));
        assertEquals(1995.0, movies.get("543").numbers().get("year"));
        // A tag after the year stays, the year goes:
        assertEquals("Land Before Time III: The Time of the Great Giving (V)",
                movies.get("1412").text().get("title"));
        // Parentheses that are not a year stay:
        assertEquals("Seven (Se7en)", movies.get("11").text().get("title"));
        // 267 is MovieLens' placeholder: title "unknown", no dates, genre "unknown" only: nothing to say.
        assertEquals(CatalogRecord.of("267", Map.of()), movies.get("267"));
        // 1373 is flagged "unknown" only: no genre, but a title and a year.
        assertNull(movies.get("1373").categories().get("genre"));
        assertEquals(1971.0, movies.get("1373").numbers().get("year"));

        Map<String, Long> perGenre = new TreeMap<>();
        movies.values().forEach(m -> m.categories().getOrDefault("genre", List.of())
                .forEach(g -> perGenre.merge(g, 1L, Long::sum)));
        assertEquals(725L, perGenre.get("Drama"));
        assertEquals(505L, perGenre.get("Comedy"));
        assertEquals(24L, perGenre.get("Film-Noir"));
        assertEquals(18, perGenre.size(), "19 genres without 'unknown': " + perGenre.keySet());
        assertTrue(movies.values().stream().allMatch(m -> m.text().containsKey("title") == !m.itemId().equals("267")));
        assertEquals(1_681, movies.values().stream().filter(m -> m.numbers().containsKey("year")).count());
    }

    @Test
    void yearFallsBackToTheReleaseDateAndBadLinesAreReported() throws IOException {
        Path file = dir.resolve("u.item");
        Files.write(file, String.join("\n",
                "1|No Year Here|4-Feb-1971||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0",
                "2|Title (1999)|01-Jan-2001||" + FLAGS_NONE,
                "3|Too few fields|01-Jan-1995||http://x|0|1",
                "4|Bad flag (1995)|01-Jan-1995||http://x|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0",
                "5|Bad date|1995-01-01||http://x" + FLAGS_NONE,
                "|No id (1995)|01-Jan-1995||" + FLAGS_NONE,
                "",
                "6|No date, no year|||http://x" + FLAGS_NONE,
                "7|Caf\u00e9 (2000)|||" + FLAGS_NONE, "").getBytes(StandardCharsets.ISO_8859_1));
        CatalogReading r = CatalogReading.of(file, CatalogFormat.MOVIELENS, null);
        Map<String, CatalogRecord> m = r.byId();
        assertEquals(new CatalogRecord("1", true, Map.of("genre", List.of("Action")), Map.of("title", "No Year Here"),
                Map.of("year", 1971.0), null), m.get("1"));
        assertEquals(1999.0, m.get("2").numbers().get("year"), "the title's year wins over the release date");
        assertEquals(Map.of(), m.get("6").numbers());
        assertEquals("Café", m.get("7").text().get("title"));
        assertEquals(List.of("1", "2", "6", "7"), List.copyOf(m.keySet()));
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), r.badLines());
        assertEquals(List.of("wrong number of fields", "bad genre flag", "bad release date", "bad item id",
                "empty line"), r.bad.stream().map(b -> b.reason()).toList());
        assertTrue(r.bad.get(1).detail().contains("genre flag of 'Action' is '2'"), r.bad.get(1).detail());
    }

    @Test
    void genreNamesComeFromUGenreNextToTheFile() throws IOException {
        Files.writeString(dir.resolve("u.genre"), "unknown|0\nFunny|2\nSerious|1\n\n");
        Path file = dir.resolve("u.item");
        Files.writeString(file, "1|A (1995)|||x|1|1|1\n2|B (1996)|||x|0|0|1\n3|C (1996)|||x|0|0|0|0\n");
        CatalogReading r = CatalogReading.of(file, CatalogFormat.MOVIELENS, null);
        assertEquals(List.of("Serious", "Funny"), r.byId().get("1").categories().get("genre"));
        assertEquals(List.of("Funny"), r.byId().get("2").categories().get("genre"));
        assertEquals(List.of(3L), r.badLines(), "3 genres, so 8 fields");
    }

    @Test
    void aMalformedUGenreIsAnErrorNotAGuess() throws IOException {
        Files.writeString(dir.resolve("u.genre"), "Action|0\nComedy|2\n");
        assertThrows(IOException.class, () -> MovieLensItemReader.genres(dir.resolve("u.genre")));
        Files.writeString(dir.resolve("u.genre"), "Action\n");
        IOException e = assertThrows(IOException.class, () -> MovieLensItemReader.genres(dir.resolve("u.genre")));
        assertTrue(e.getMessage().contains("expected 'name|index'"), e.getMessage());
        assertEquals(MovieLensItemReader.GENRES, MovieLensItemReader.genres(dir.resolve("absent")));
    }
}
