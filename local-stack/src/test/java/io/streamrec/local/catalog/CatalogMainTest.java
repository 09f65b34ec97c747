package io.streamrec.local.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.replay.ItemColumns;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code catalog load} command line: options, usage errors, exit codes, output (no Kafka: dry runs). */
class CatalogMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return CatalogMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        assertEquals(0, run("load", "--help"));
        for (String option : new String[] {"--format", "--preset", "--encoding", "--csv.item-column",
            "--csv.category-columns", "--csv.category-path-columns", "--csv.text-columns", "--csv.number-columns",
            "--csv.available-column", "--csv.list-separator", "--csv.missing-values", "--limit",
            "--kafka.bootstrap.servers", "--topics.catalog", "--create-topic", "--dry-run", "Exit codes"}) {
            assertTrue(out().contains(option), option + " missing from\n" + out());
        }
        assertEquals(0, run("--help"));
        assertTrue(out().contains("load  Publishes a catalog file"), out());
        assertEquals(64, run());
        assertEquals(64, run("unload", "x"));
        assertTrue(err().contains("catalog: unknown command 'unload' (did you mean load?)"), err());
    }

    @Test
    void usageErrorsNameTheOptionAndExitWith64() throws IOException {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "sku,brand\n1,a\n");
        assertEquals(64, run("load"));
        assertTrue(err().contains("no FILE given"), err());
        assertEquals(64, run("load", "u.item", "--limt", "3"));
        assertTrue(err().contains("catalog load: --limt: unknown option (did you mean --limit?)"), err());
        assertEquals(64, run("load", "u.item", "--format", "xml"));
        assertTrue(err().contains("unknown format 'xml'; known formats: movielens, csv, jsonl"), err());
        assertEquals(64, run("load", "p.csv", "--preset", "rees46"));
        assertTrue(err().contains("known presets: completejourney"), err());
        assertEquals(64, run("load", "u.item", "--format", "movielens", "--csv.item-column", "x"));
        assertTrue(err().contains("--csv.* options apply to --format csv"), err());
        assertEquals(64, run("load", "p.csv", "--csv.category-columns", "brand"));
        assertTrue(err().contains("--csv.item-column"), err());
        assertEquals(64, run("load", "p.csv", "--encoding", "klingon"));
        assertTrue(err().contains("--encoding: unknown encoding 'klingon'"), err());
        // Options that do not fit the file: 64 too, named, before Kafka (nothing listens on port 1).
        assertEquals(64, run("load", csv.toString(), "--csv.item-column", "sku", "--csv.text-columns", "title",
                "--kafka.bootstrap.servers", "localhost:1"));
        assertTrue(err().contains("--csv.text-columns: no column 'title' in the header; the columns are sku, brand"),
                err());
        // A CSV file that is not a known layout needs its columns:
        assertEquals(64, run("load", csv.toString(), "--dry-run"));
        assertTrue(err().contains("cannot tell the format of " + csv) && err().contains("--csv.item-column"), err());
        Path jsonl = dir.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"item_id\":\"a\"}\n");
        assertEquals(64, run("load", jsonl.toString(), "--encoding", "ISO-8859-1", "--dry-run"));
        assertTrue(err().contains("catalog JSON lines are UTF-8"), err());
    }

    @Test
    void unreadableFileExitsWithTwoAndAllBadWithThree() throws IOException {
        assertEquals(2, run("load", dir.resolve("missing.csv").toString(), "--kafka.bootstrap.servers", "localhost:1"));
        assertTrue(err().contains("catalog load: error: cannot read " + dir.resolve("missing.csv")
                + ": no such file"), err());
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"item\":\"a\"}\n{\"item_id\":\"\"}\n");
        assertEquals(3, run("load", bad.toString(), "--dry-run"));
        assertTrue(err().contains("line 1: field 'item_id': missing (required)"), err());
        assertTrue(err().contains("line 2: field 'item_id': must not be empty"), err());
        assertTrue(err().contains("nothing was published: every record was bad"), err());
        assertTrue(out().contains("skipped 2 bad lines:"), out());
    }

    @Test
    void dryRunOfUItemCountsAndLimits() {
        Path file = TestData.file("ml-100k/u.item");
        assertEquals(0, run("load", file.toString(), "--dry-run", "--progress", "none"));
        assertTrue(out().startsWith("published 1,682 catalog records from " + file
                + " (movielens) to nowhere (dry run) in "), out());
        assertTrue(err().contains("catalog load: reading " + file + " as movielens (detected"), err());
        assertEquals(0, run("load", file.toString(), "--dry-run", "--limit", "10"));
        assertTrue(out().startsWith("published 10 catalog records"), out());
        assertTrue(out().contains("stopped at --limit"), out());
    }

    @Test
    void duplicateItemIdsAreCountedAndNamed() throws IOException {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "dept,sku\nshoes,1\nshoes,2\nhats,1\n");
        assertEquals(0, run("load", csv.toString(), "--csv.item-column", "dept", "--dry-run"));
        assertTrue(out().contains("1 of them replace an earlier record of the same item"), out());
        assertTrue(err().contains("is --csv.item-column the item id?"), err());
        assertTrue(err().contains("no attribute columns given"), err());
    }

    @Test
    void parseGivesTheOptionsForOtherTools() throws UsageException {
        CatalogLoadOptions o = CatalogMain.parse("products.csv", "--preset", "completejourney",
                "--csv.category-columns", "department=dept", "--csv.missing-values", "NA", "--limit", "5",
                "--topics.catalog", "items", "--kafka.bootstrap.servers", "kafka:9092", "--create-topic", "--connect-timeout", "2s");
        assertEquals(CatalogFormat.CSV, o.format());
        assertEquals("product_id", o.csvLayout().itemColumn());
        ItemColumns c = o.csvLayout().itemColumns();
        assertEquals(List.of(new ItemColumns.Column("department", "dept", java.util.Set.of("NA"))), c.categories());
        assertEquals(5, o.limit());
        assertEquals("items", o.target().topic());
        assertEquals("kafka:9092", o.target().bootstrapServers());
        assertTrue(o.target().createTopic());
        assertEquals(Duration.ofSeconds(2), o.target().connectTimeout());

        CatalogLoadOptions d = CatalogMain.parse("u.item");
        assertNull(d.format());
        assertEquals("catalog", d.target().topic());
        assertEquals("localhost:9092", d.target().bootstrapServers());
        assertThrows(UsageException.class, () -> CatalogMain.parse("x", "--preset", "completejourney", "--format",
                "jsonl"));
    }

    @Test
    void catalogSourcesReadAFileIntoRecords() throws IOException {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, "{\"item_id\":\"a\",\"categories\":{\"b\":\"x\"}}\nbroken\n{\"item_id\":\"a\"}\n");
        List<CatalogRecord> records = CatalogSources.fromFile(file, ProgressListener.NONE);
        assertEquals(List.of(CatalogRecord.of("a", Map.of("b", List.of("x"))), CatalogRecord.of("a", Map.of())),
                records);
    }
}
