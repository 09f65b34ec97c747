package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad lines in every format: reported with their line number and a reason, skipped, and counted in the summary. */
class BadLinesTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static Map<Long, String> reasonsByLine(Reading r) {
        return r.bad.stream().collect(Collectors.toMap(BadRecord::line, BadRecord::reason));
    }

    @Test
    void movieLensBadLinesAreReportedWithLineNumbersAndSkipped() throws IOException {
        Path file = write("u.data", String.join("\n",
                "196\t242\t3\t881250949",
                "186\t302\t3",                       // 2: wrong column count
                "abc\t302\t3\t891717742",            // 3: non-numeric user id
                "22\t377\t1\tyesterday",             // 4: non-numeric timestamp
                "",                                  // 5: empty line
                "244\t51\tfive\t880606923",          // 6: bad rating
                "166\t346\t1\t886397596\r",          // 7: CRLF is fine
                "298\t474\t4\t884182806") + "\n");
        Reading r = Reading.of(file, LogFormat.MOVIELENS);

        assertEquals(List.of(1L, 7L, 8L), r.events.stream().map(SourcedEvent::line).toList());
        assertEquals(new InteractionEvent("166", "346", EventType.RATING, 886_397_596_000L).withValue(1.0),
                r.events.get(1).event());
        assertEquals(Map.of(2L, "wrong number of columns", 3L, "bad user id", 4L, "bad timestamp", 5L, "empty line",
                6L, "bad rating"), reasonsByLine(r));
        assertEquals("line 3: user id 'abc' is not an integer", r.bad.get(1).toString());
    }

    @Test
    void movieLensDatAndCsvVariantsAreRecognised() throws IOException {
        Path dat = write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
        Path csv = write("ratings.csv", "userId,movieId,rating,timestamp\n1,307,3.5,1256677221\n");
        assertEquals(LogFormat.MOVIELENS, LogFormat.detect(dat).format());
        assertEquals(LogFormat.MOVIELENS, LogFormat.detect(csv).format());

        Reading d = Reading.of(dat, LogFormat.MOVIELENS);
        assertEquals(List.of(), d.bad);
        assertEquals(new InteractionEvent("1", "1193", EventType.RATING, 978_300_760_000L).withValue(5.0),
                d.events.get(0).event());
        Reading c = Reading.of(csv, LogFormat.MOVIELENS);
        assertEquals(List.of(), c.bad);
        assertEquals(1, c.events.size());
        assertEquals(3.5, c.events.get(0).event().value);
        assertEquals(2, c.events.get(0).line());
    }

    @Test
    void csvBadLinesUnknownTypesAndQuotes() throws IOException {
        Path file = write("log.csv", String.join("\n",
                "ts,user,item,action,price",
                "2024-05-01T12:00:00Z,u1,sku-1,view,9.99",
                "2024-05-01T12:00:01Z,u1,sku-1,like,9.99",           // 3: unknown type, no mapping
                "2024-05-01T12:00:02Z,u1,sku-1,view",                // 4: wrong column count
                "not-a-time,u1,sku-1,view,9.99",                     // 5: bad timestamp
                "2024-05-01T12:00:03Z,\"u,2\",\"sku \"\"x\"\"\",buy,", // 6: quoted fields; buy=purchase; no price
                "2024-05-01T12:00:04Z,u3,\"sku-3,view,1",            // 7: unterminated quote
                "2024-05-01T12:00:05Z,u3,sku-3,hover,1",             // 8: mapped to skip: ignored, not bad
                "2024-05-01T12:00:06Z,,sku-3,view,1",                // 9: empty user id
                "2024-05-01T12:00:07Z,u4,sku-4,view,cheap",          // 10: bad value
                "   "));                                             // 11: blank line
        CsvLayout layout = CsvLayout.builder().userColumn("user").itemColumn("item").typeColumn("action")
                .timestampColumn("ts").valueColumn("price").build();
        Reading r = Reading.of(file, LogFormat.CSV,
                Reading.options(LogFormat.CSV, layout, TypeMapping.parse("buy=purchase,hover=skip")));

        assertEquals(List.of(2L, 6L), r.events.stream().map(SourcedEvent::line).toList());
        InteractionEvent quoted = r.events.get(1).event();
        assertEquals("u,2", quoted.userId);
        assertEquals("sku \"x\"", quoted.itemId);
        assertEquals(EventType.PURCHASE, quoted.type);
        assertNull(quoted.value);
        assertEquals(Map.of(3L, "unknown type", 4L, "wrong number of columns", 5L, "bad timestamp",
                7L, "malformed CSV", 9L, "bad user id", 10L, "bad value", 11L, "empty line"), reasonsByLine(r));
        assertTrue(r.bad.get(0).detail().contains("--type-map like="), r.bad.get(0).detail());
        assertEquals(Map.of("type 'hover' mapped to skip", 1L), r.ignored);
    }

    @Test
    void csvWithoutHeaderUsesColumnNumbersAndEpochSeconds() throws IOException {
        Path file = write("plain.tsv", "7\t42\t1714564800\n8\t43\t1714564801.5\n");
        CsvLayout layout = CsvLayout.builder().header(false).delimiter('\t').userColumn("0").itemColumn("1")
                .timestampColumn("2").timestampFormat("epoch-s").fixedType(EventType.CLICK).build();
        Reading r = Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, layout, null));
        assertEquals(List.of(), r.bad);
        assertEquals(List.of(new InteractionEvent("7", "42", EventType.CLICK, 1_714_564_800_000L),
                new InteractionEvent("8", "43", EventType.CLICK, 1_714_564_801_500L)), r.plainEvents());
    }

    @Test
    void ottoBadLinesAndBadEventsInsideGoodSessions() throws IOException {
        Path file = write("train.jsonl", String.join("\n",
                "{\"session\":1,\"events\":[{\"aid\":10,\"ts\":1659304800025,\"type\":\"clicks\"}]}",
                "{\"session\":2,\"events\":[{\"aid\":11,\"ts\":1659304800026,\"type\":\"clicks\"},",  // 2: not JSON
                "{\"session\":3,\"events\":[{\"aid\":12,\"ts\":1659304800027,\"type\":\"likes\"},"   // 3: unknown type
                        + "{\"ts\":1659304800028,\"type\":\"clicks\"},"                               // 3: no aid
                        + "{\"aid\":14,\"ts\":\"soon\",\"type\":\"carts\"},"                          // 3: bad ts
                        + "{\"aid\":15,\"ts\":1659304800029,\"type\":\"orders\"}]}",                  // 3: good
                "{\"user\":4}",                                                                      // 4: no session
                "[]"));                                                                              // 5: not object
        Reading r = Reading.of(file, LogFormat.OTTO);

        assertEquals(List.of(new InteractionEvent("1", "10", EventType.CLICK, 1_659_304_800_025L).withSessionId("1"),
                new InteractionEvent("3", "15", EventType.PURCHASE, 1_659_304_800_029L).withSessionId("3")),
                r.plainEvents());
        assertEquals(List.of(2L, 3L, 3L, 3L, 4L, 5L), r.badLines());
        assertEquals(List.of("not JSON", "unknown type", "bad OTTO event", "bad timestamp", "not an OTTO session",
                "not an OTTO session"), r.bad.stream().map(BadRecord::reason).toList());
        assertTrue(r.bad.get(1).detail().startsWith("events[0]: unknown type 'likes'"), r.bad.get(1).detail());
    }

    @Test
    void eventJsonLinesAreCheckedByTheStrictParser() throws IOException {
        Path file = write("events.jsonl", String.join("\n",
                "{\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"click\",\"timestamp\":1714564800000}",
                "{\"user_id\":\"u1\",\"type\":\"click\",\"timestamp\":1714564800000}",
                "{\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"like\",\"timestamp\":1714564800000}"));
        assertEquals(LogFormat.EVENTS, LogFormat.detect(file).format());
        Reading r = Reading.of(file, LogFormat.EVENTS);
        assertEquals(1, r.events.size());
        assertEquals(List.of("invalid event (MISSING_FIELD)", "invalid event (UNKNOWN_TYPE)"),
                r.bad.stream().map(BadRecord::reason).toList());
        assertEquals("line 2: field 'item_id': missing (required)", r.bad.get(0).toString());
    }

    @Test
    void invalidUtf8IsABadLineNotAFailedFile() throws IOException {
        Path file = dir.resolve("u.data");
        byte[] good = "1\t2\t3\t881250949\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'9', (byte) 0xC3, (byte) 0x28, '\t', '2', '\t', '3', '\t', '1', '\n'};
        Files.write(file, concat(good, bad, good));
        Reading r = Reading.of(file, LogFormat.MOVIELENS);
        assertEquals(2, r.events.size());
        assertEquals(List.of(2L), r.badLines());
        assertEquals("invalid UTF-8", r.bad.get(0).reason());
    }

    @Test
    void gzipFilesAreReadTransparently() throws IOException {
        Path file = dir.resolve("u.data.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("1\t2\t3\t881250949\n4\t5\t1\t881250950\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(LogFormat.MOVIELENS, LogFormat.detect(file).format());
        assertEquals(2, Reading.of(file, LogFormat.MOVIELENS).events.size());
    }

    @Test
    void replaySummaryCountsBadLinesByReasonAndPrintsTheFirstInDetail() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append("196\t242\t3\t881250949\n").append("196\t242\t3\n");
        }
        sb.append("x\t1\t1\t881250949\n");
        Path file = write("u.data", sb.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayMain.run(new String[] {file.toString(), "--dry-run", "--progress", "none"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, code);
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(o.contains("published 30 events"), o);
        assertTrue(o.contains("skipped 31 bad records"), o);
        assertTrue(o.matches("(?s).*\\s30\\s+wrong number of columns.*"), o);
        assertTrue(o.matches("(?s).*\\s1\\s+bad user id.*"), o);
        assertTrue(e.contains("line 2: expected 4 tab-separated columns"), e);
        assertTrue(e.contains("line 40: "), e);          // the 20th bad line is printed ...
        assertTrue(!e.contains("line 42: "), e);         // ... the 21st only counted
        assertTrue(e.contains("only counted"), e);
    }

    @Test
    void aFileOfOnlyBadLinesExitsWithThree() throws IOException {
        Path file = write("u.data", "a\tb\n\nc\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayMain.run(new String[] {file.toString(), "--dry-run", "--progress", "none"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(ReplayException.NOTHING_PUBLISHED, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("nothing was published"));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
