package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.local.cli.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: option parsing, usage errors, exit codes and output (no Kafka: dry runs and early failures). */
class ReplayMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ReplayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsUsageWithEveryOptionGroup() {
        assertEquals(0, run("--help"));
        String usage = out.toString(StandardCharsets.UTF_8);
        for (String option : new String[] {"--format", "--preset", "--type-map", "--csv.timestamp-format", "--speed",
            "--from", "--to", "--limit", "--sort", "--shift-to-now", "--kafka.bootstrap.servers", "--topics.interactions",
            "--ingest.timestamp.earliest", "(default max)", "(default 10s)", "Exit codes"}) {
            assertTrue(usage.contains(option), option + " missing from\n" + usage);
        }
    }

    @Test
    void usageErrorsNameTheOptionAndExitWith64() {
        assertEquals(64, run("--spede", "2x", "u.data"));
        assertTrue(err().contains("replay: --spede: unknown option (did you mean --speed?)"), err());
        assertTrue(err().contains("replay: --help lists the options"), err());
        err.reset();
        assertEquals(64, run("u.data", "--speed", "fast"));
        assertTrue(err().contains("--speed: expected max or a positive factor"), err());
        err.reset();
        assertEquals(64, run("u.data", "--type-map", "cart=basket"));
        assertTrue(err().contains("--type-map: unknown target type 'basket'"), err());
        err.reset();
        assertEquals(64, run("u.data", "--limit"));
        assertTrue(err().contains("--limit: needs a value (N)"), err());
        err.reset();
        assertEquals(64, run("u.data", "--max-wait", "5"));
        assertTrue(err().contains("--max-wait: '5' has no unit: write e.g. 5ms or 5s"), err());
        err.reset();
        assertEquals(64, run("u.data", "--csv.header", "yes"));
        assertTrue(err().contains("--csv.header: expected true or false, got 'yes'"), err());
        err.reset();
        assertEquals(64, run());
        assertTrue(err().contains("no FILE given"), err());
        err.reset();
        assertEquals(64, run("log.csv", "--format", "csv", "--csv.user-column", "u"));
        assertTrue(err().contains("--csv.item-column"), err());
    }

    @Test
    void unreadableFileExitsWithTwoBeforeTouchingKafka() {
        // No broker at this address: the file check comes first, so this fails fast with 2, not with 1.
        assertEquals(2, run(dir.resolve("missing.dat").toString(), "--kafka.bootstrap.servers", "localhost:1"));
        assertTrue(err().contains("replay: error: cannot read " + dir.resolve("missing.dat") + ": no such file"),
                err());
    }

    @Test
    void rees46PresetWithOverridesAndAllOptionsParse() throws UsageException {
        ReplayOptions o = ReplayMain.parse("2019-Oct.csv", "--preset", "rees46", "--type-map",
                "remove_from_cart=click", "--csv.value-column", "price", "--speed", "10x", "--from", "2019-10-01",
                "--to", "2019-10-02T00:00:00Z", "--limit", "1000", "--shift-to-now", "--no-sort", "--backlog-until",
                "2019-10-01T12:00:00Z", "--max-wait", "5s", "--kafka.bootstrap.servers=kafka:9092", "--topics.interactions", "t",
                "--create-topic", "--kafka.topic-partitions", "8", "--connect-timeout", "2s");
        assertEquals(LogFormat.CSV, o.format());
        assertEquals("user_id", o.csvLayout().userColumn());
        assertEquals("yyyy-MM-dd HH:mm:ss z", o.csvLayout().timestampFormat());
        assertEquals("add_to_cart", o.typeMapping().lookup("cart").toString());
        assertEquals("click", o.typeMapping().lookup("remove_from_cart").toString());
        assertEquals(10.0, o.speed());
        assertEquals(Instant.parse("2019-10-01T00:00:00Z"), o.from());
        assertEquals(1000, o.limit());
        assertEquals(Boolean.FALSE, o.sort());
        assertTrue(o.shiftToNow());
        assertEquals(Duration.ofSeconds(5), o.maxWait());
        assertEquals("kafka:9092", o.target().bootstrapServers());
        assertEquals("t", o.target().topic());
        assertTrue(o.target().createTopic());
        assertEquals(8, o.target().partitions());
        assertEquals(Duration.ofSeconds(2), o.target().connectTimeout());

        ReplayOptions defaults = ReplayMain.parse("u.data");
        assertNull(defaults.format());
        assertNull(defaults.sort());
        assertEquals(0.0, defaults.speed());
        assertEquals("localhost:9092", defaults.target().bootstrapServers());
        assertEquals("interactions", defaults.target().topic());

        assertThrows(UsageException.class, () -> ReplayMain.parse("x", "--preset", "otto", "--format", "csv"));
        assertThrows(UsageException.class, () -> ReplayMain.parse("x", "--backlog-until", "2019-10-01"));

        assertEquals(3000.0, ReplayMain.parse("u.data", "--rate", "3000").rate());
        assertEquals(0.0, defaults.rate());
        UsageException both = assertThrows(UsageException.class,
                () -> ReplayMain.parse("u.data", "--rate", "3000", "--speed", "10x"));
        assertTrue(both.getMessage().contains("--rate and --speed"), both.getMessage());
        UsageException zero = assertThrows(UsageException.class, () -> ReplayMain.parse("u.data", "--rate", "0"));
        assertTrue(zero.getMessage().contains("--rate"), zero.getMessage());
    }

    @Test
    void completeJourneyPresetAndCatalogOptionsParse() throws UsageException {
        ReplayOptions cj = ReplayMain.parse("t.csv", "--preset", "completejourney");
        assertEquals(LogFormat.CSV, cj.format());
        assertEquals(CsvLayout.COMPLETE_JOURNEY, cj.csvLayout());
        assertTrue(cj.catalog());
        assertEquals("catalog", cj.catalogTopic());
        assertEquals("catalog", cj.catalogTarget().topic());

        ReplayOptions o = ReplayMain.parse("2019-Oct.csv", "--preset", "rees46", "--topics.catalog", "items",
                "--kafka.bootstrap.servers", "kafka:9092", "--create-topic");
        assertEquals("items", o.catalogTarget().topic());
        assertEquals("kafka:9092", o.catalogTarget().bootstrapServers());
        assertTrue(o.catalogTarget().createTopic());
        assertEquals(List.of("category_id", "brand"), o.csvLayout().itemColumns().categories().stream()
                .map(ItemColumns.Column::column).toList());
        // An item option replaces that part of the preset's item columns, and keeps the rest:
        ReplayOptions brandOnly = ReplayMain.parse("2019-Oct.csv", "--preset", "rees46", "--csv.category-columns",
                "brand");
        assertEquals(List.of("brand"), brandOnly.csvLayout().itemColumns().categories().stream()
                .map(ItemColumns.Column::column).toList());
        assertEquals("category_code", brandOnly.csvLayout().itemColumns().categoryPaths().get(0).column());
        assertFalse(ReplayMain.parse("x.csv", "--no-catalog").catalog());

        UsageException e = assertThrows(UsageException.class, () -> ReplayMain.parse("x", "--no-catalog",
                "--topics.catalog", "c"));
        assertTrue(e.getMessage().contains("contradict"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ReplayMain.parse("x", "--preset", "dunnhumby"));
        assertTrue(e.getMessage().contains("known presets: rees46, completejourney, onlineretail, otto, movielens"), e.getMessage());
    }

    @Test
    void oldOptionNamesStillWorkWithAWarning() throws UsageException {
        assertEquals(0, run(TestData.rees46Sample().toString(), "--dry-run", "--progress", "none",
                "--earliest-timestamp", "2019-01-01", "--bootstrap-servers", "localhost:1"));
        assertTrue(err().contains("replay: warning: --earliest-timestamp is deprecated and will be removed; use "
                + "--ingest.timestamp.earliest"), err());
        assertTrue(err().contains("replay: warning: --bootstrap-servers is deprecated and will be removed; use "
                + "--kafka.bootstrap.servers"), err());
        ReplayOptions o = ReplayMain.parse("x.csv", "--topic", "t", "--catalog-topic", "c", "--partitions", "3",
                "--earliest-timestamp", "1995-01-01T00:00:00Z");
        assertEquals("t", o.target().topic());
        assertEquals("c", o.catalogTopic());
        assertEquals(3, o.target().partitions());
        assertEquals(Instant.parse("1995-01-01T00:00:00Z"), o.earliestTimestamp());
        UsageException both = assertThrows(UsageException.class, () -> ReplayMain.parse("x.csv", "--topic", "t",
                "--topics.interactions", "u"));
        assertTrue(both.getMessage().startsWith("--topics.interactions: given twice"), both.getMessage());
    }

    @Test
    void rees46DryRunDetectsTheLayoutAndPrintsASummary() {
        Path file = TestData.rees46Sample();
        assertEquals(0, run(file.toString(), "--dry-run", "--progress", "plain"));
        String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(summary.startsWith("published 1,000 events from " + file + " (csv) to nowhere (dry run)"), summary);
        assertTrue(summary.contains("event time 2019-10-01T00:00:00Z .. 2019-10-01T00:17:26Z"), summary);
        assertTrue(err().contains("REES46 CSV, from its header"), err());
        assertTrue(summary.contains("published 534 catalog records (534 items, a record when an item is first seen or"
                + " changes) to nowhere (dry run)"), summary);
    }
}
