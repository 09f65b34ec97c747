package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.local.catalog.CatalogSources;
import io.streamrec.local.publish.CatalogSink;
import io.streamrec.local.publish.EventSink;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog records derived from a log while it is replayed (REES46 lines describe their items): which records, in
 * which order relative to the events, and what the reader attaches to each event.
 */
class ReplayCatalogTest {
    @TempDir
    Path dir;

    /**
     * Both sinks write to one log, so the test sees the order of sends and flushes across them: "C item" a catalog
     * record, "F" a flush of the catalog records, "E user item" an event.
     */
    static final class Recording {
        final List<String> log = new ArrayList<>();
        final List<CatalogRecord> records = new ArrayList<>();
        final List<InteractionEvent> events = new ArrayList<>();

        final CatalogSink catalog = new CatalogSink() {
            @Override
            public void publish(CatalogRecord record, byte[] json) {
                records.add(record);
                log.add("C " + record.itemId());
            }

            @Override
            public void flush() {
                log.add("F");
            }

            @Override
            public long acknowledged() {
                return records.size();
            }

            @Override
            public void close() {}
        };

        final EventSink eventSink = new EventSink() {
            @Override
            public void publish(InteractionEvent event, byte[] json) {
                events.add(event);
                log.add("E " + event.userId + " " + event.itemId);
            }

            @Override
            public void flush() {}

            @Override
            public long acknowledged() {
                return events.size();
            }

            @Override
            public void close() {}
        };

        /** Every event comes after a flush that follows the last catalog record of its item. */
        void assertEveryEventAfterItsFlushedRecord() {
            Map<String, Integer> recordAt = new HashMap<>();
            int lastFlush = -1;
            for (int i = 0; i < log.size(); i++) {
                String[] e = log.get(i).split(" ");
                switch (e[0]) {
                    case "C" -> recordAt.put(e[1], i);
                    case "F" -> lastFlush = i;
                    case "E" -> {
                        Integer c = recordAt.get(e[2]);
                        if (c != null) {
                            int at = i;
                            int flushedAt = lastFlush;
                            assertTrue(flushedAt > c, () -> "event " + at + " (" + log.get(at) + ") is sent before its"
                                    + " item's record " + c + " was flushed: " + log);
                        }
                    }
                    default -> throw new AssertionError(log.get(i));
                }
            }
        }
    }

    private static final String HEADER = CsvLayout.REES46_HEADER + "\n";

    private Path rees46(String... lines) throws IOException {
        Path p = dir.resolve("2019-Oct.csv");
        Files.writeString(p, HEADER + String.join("\n", lines) + "\n");
        return p;
    }

    private static String line(String time, String type, String product, String categoryId, String code,
                               String brand, String price, String user) {
        return String.join(",", "2019-10-01 " + time + " UTC", type, product, categoryId, code, brand, price, user,
                "s-" + user);
    }

    private static Recording replay(ReplayOptions options) {
        Recording r = new Recording();
        new Replayer(options, ProgressListener.NONE, r.eventSink, r.catalog).run();
        return r;
    }

    @Test
    void anItemsRecordIsPublishedWhenFirstSeenAndWhenItChangesBeforeItsEvents() throws IOException {
        Path file = rees46(
                line("00:00:01", "view", "p1", "100", "electronics.audio.headphone", "sony", "10.00", "u1"),
                line("00:00:02", "view", "p2", "200", "", "", "0.00", "u1"),
                line("00:00:03", "cart", "p1", "100", "electronics.audio.headphone", "sony", "10.00", "u2"),
                line("00:00:04", "purchase", "p1", "100", "electronics.audio.headphone", "sony", "12.50", "u2"),
                line("00:00:05", "view", "p1", "100", "electronics.audio.headphone", "sony", "12.50", "u3"),
                line("00:00:06", "remove_from_cart", "p3", "300", "", "x", "1", "u3"),
                line("00:00:07", "view", "p1", "100", "electronics.audio.headphone", "sony", "10.00", "u3"));
        Recording r = replay(ReplayOptions.builder(file).build());
        assertEquals(6, r.events.size());
        CatalogRecord p1 = new CatalogRecord("p1", true, Map.of(
                "category", List.of("electronics", "electronics.audio", "electronics.audio.headphone"),
                "category_id", List.of("100"), "brand", List.of("sony")), Map.of(), Map.of("price", 10.0), null);
        CatalogRecord p1Dearer = new CatalogRecord("p1", true, p1.categories(), Map.of(), Map.of("price", 12.5),
                null);
        // p2: no category code, no brand, price 0.00 = unknown: only the category id. p3's only line is skipped.
        CatalogRecord p2 = CatalogRecord.of("p2", Map.of("category_id", List.of("200")));
        assertEquals(List.of(p1, p2, p1Dearer, p1), r.records);
        r.assertEveryEventAfterItsFlushedRecord();
    }

    @Test
    void noCatalogPublishesTheEventsOnly() throws IOException {
        Path file = rees46(line("00:00:01", "view", "p1", "100", "a.b", "sony", "10.00", "u1"));
        Recording r = replay(ReplayOptions.builder(file).catalog(false).build());
        assertEquals(1, r.events.size());
        assertEquals(List.of(), r.records);
        // Without a catalog sink (the demo), the same:
        Recording noSink = new Recording();
        new Replayer(ReplayOptions.builder(file).build(), ProgressListener.NONE, noSink.eventSink).run();
        assertEquals(List.of("E u1 p1"), noSink.log);
    }

    @Test
    void aLineWhoseItemAttributesBreakTheContractIsABadLine() throws IOException {
        String longBrand = "b".repeat(300);
        Path file = rees46(
                line("00:00:01", "view", "p1", "100", "a.b", longBrand, "10.00", "u1"),
                line("00:00:02", "view", "p2", "100", "a.b", "ok", "1e999", "u1"),
                line("00:00:03", "view", "p3", "100", "a.b", "ok", "3", "u1"));
        List<BadRecord> bad = new ArrayList<>();
        Recording r = new Recording();
        ReplaySummary s = new Replayer(ReplayOptions.builder(file).build(), new ProgressListener() {
            @Override
            public void onBadRecord(BadRecord b) {
                bad.add(b);
            }
        }, r.eventSink, r.catalog).run();
        assertEquals(List.of("p3"), r.events.stream().map(e -> e.itemId).toList());
        assertEquals(List.of("p3"), r.records.stream().map(CatalogRecord::itemId).toList());
        assertEquals(2, s.bad());
        assertEquals("invalid item attributes (INVALID_ATTRIBUTE)", bad.get(0).reason());
        assertTrue(bad.get(0).detail().startsWith("item attributes: field 'categories.brand': is 300 UTF-8 bytes"),
                bad.get(0).detail());
        assertEquals(3L, bad.get(1).line(), "line 1 is the header");
        assertEquals("bad value", bad.get(1).reason(), "the price is also the event's value");
    }

    @Test
    void sortedReplayPublishesTheAttributesOfTheEarliestEventFirst() throws IOException {
        Path file = rees46(
                line("00:00:09", "view", "p1", "100", "a.b", "sony", "12.00", "u1"),
                line("00:00:01", "view", "p1", "100", "a.b", "sony", "10.00", "u2"),
                line("00:00:05", "view", "p1", "100", "a.b", "sony", "10.00", "u3"));
        Recording r = replay(ReplayOptions.builder(file).sort(true).build());
        assertEquals(List.of("u2", "u3", "u1"), r.events.stream().map(e -> e.userId).toList());
        assertEquals(List.of(10.0, 12.0), r.records.stream().map(c -> c.numbers().get("price")).toList());
        r.assertEveryEventAfterItsFlushedRecord();
    }

    @Test
    void manyNewItemsAreFlushedInBatchesNotOneRoundTripEach() throws IOException {
        List<String> lines = new ArrayList<>();
        int n = Replayer.MAX_HELD_EVENTS * 2 + 10;
        for (int i = 0; i < n; i++) {
            lines.add(line("00:00:01", "view", "p" + i, "100", "a.b", "x", "1.00", "u" + (i % 7)));
        }
        Recording r = replay(ReplayOptions.builder(rees46(lines.toArray(String[]::new))).build());
        assertEquals(n, r.events.size());
        assertEquals(n, r.records.size());
        long flushes = r.log.stream().filter("F"::equals).count();
        assertTrue(flushes >= 3 && flushes <= 4, "flushes: " + flushes);
        r.assertEveryEventAfterItsFlushedRecord();
        // Event order is the file's:
        assertEquals("p0", r.events.get(0).itemId);
        assertEquals("p" + (n - 1), r.events.get(n - 1).itemId);
    }

    @Test
    void theLogsCatalogIsAvailableWithoutPublishing() throws Exception {
        Path file = rees46(
                line("00:00:01", "view", "p1", "100", "a.b", "sony", "10.00", "u1"),
                line("00:00:02", "view", "p1", "100", "a.b", "sony", "11.00", "u1"),
                line("00:00:03", "view", "p2", "100", "", "", "2", "u1"));
        List<CatalogRecord> records = CatalogSources.fromLog(ReplayMain.parse(file.toString()),
                ProgressListener.NONE);
        assertEquals(replay(ReplayOptions.builder(file).build()).records, records);
        assertEquals(3, records.size());
        assertEquals(List.of(), CatalogSources.fromLog(ReplayMain.parse(file.toString(), "--no-catalog"),
                ProgressListener.NONE));
        assertEquals(1, CatalogSources.fromLog(ReplayMain.parse(file.toString(), "--limit", "1"),
                ProgressListener.NONE).size());
    }

    @Test
    void rees46SampleEventsCarryTheirItemAndImplyOneRecordPerItem() throws Exception {
        Path file = TestData.rees46Sample();
        Reading reading = Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, CsvLayout.REES46,
                CsvLayout.REES46_TYPES));
        // "2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,..."
        assertEquals(new CatalogRecord("44600062", true, Map.of("category_id", List.of("2103807459595387724"),
                "brand", List.of("shiseido")), Map.of(), Map.of("price", 35.79), null), reading.events.get(0).item());
        // "...,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,..."
        assertEquals(List.of("appliances", "appliances.environment", "appliances.environment.water_heater"),
                reading.events.get(1).item().categories().get("category"));
        assertTrue(reading.events.stream().allMatch(e -> e.item() != null && e.item().itemId().equals(e.event().itemId)));

        Recording r = replay(ReplayMain.parse(file.toString()));
        assertEquals(1_000, r.events.size());
        assertEquals(534, r.records.size(), "534 products, each with constant attributes in the sample");
        r.assertEveryEventAfterItsFlushedRecord();
        assertNull(Reading.of(TestData.movieLens100k(), LogFormat.MOVIELENS).events.get(0).item(),
                "MovieLens ratings say nothing about items");
    }
}
