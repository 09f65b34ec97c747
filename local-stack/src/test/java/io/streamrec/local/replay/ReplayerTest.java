package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.publish.EventSink;
import io.streamrec.schema.InteractionEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay loop against an in-memory sink: order, sorting, filters, limit, shift, validation, failures. */
class ReplayerTest {
    @TempDir
    Path dir;

    /** Collects what would be published. */
    static final class ListSink implements EventSink {
        // Synchronized: a test may watch it from another thread while the replayer publishes.
        final List<InteractionEvent> events = Collections.synchronizedList(new ArrayList<>());
        final List<String> json = new ArrayList<>();

        @Override
        public void publish(InteractionEvent event, byte[] bytes) {
            events.add(event);
            json.add(new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {}

        @Override
        public long acknowledged() {
            return events.size();
        }

        @Override
        public void close() {}
    }

    private Path uData() throws IOException {
        // Not in time order, like the real u.data; two events share timestamp 200 (stable order: line 2 then 4).
        return write("u.data", "1\t10\t5\t881250300\n2\t20\t4\t881250200\n3\t30\t3\t881250100\n"
                + "4\t40\t2\t881250200\n5\t50\t1\t881250400\n");
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static ReplaySummary replay(ReplayOptions options, ListSink sink) {
        return new Replayer(options, ProgressListener.NONE, sink).run();
    }

    @Test
    void movieLensIsSortedByTimestampByDefaultAndStably() throws IOException {
        ListSink sink = new ListSink();
        ReplaySummary s = replay(ReplayOptions.builder(uData()).build(), sink);
        assertEquals(List.of("3", "2", "4", "1", "5"), sink.events.stream().map(e -> e.userId).toList());
        assertEquals(5, s.published());
        assertEquals(LogFormat.MOVIELENS, s.format());
        assertEquals(Instant.ofEpochSecond(881250100), s.firstTimestamp());
        assertTrue(s.notices().stream().anyMatch(n -> n.contains("ingest.timestamp.earliest")), s.notices().toString());
    }

    @Test
    void noSortKeepsFileOrder() throws IOException {
        ListSink sink = new ListSink();
        replay(ReplayOptions.builder(uData()).sort(false).build(), sink);
        assertEquals(List.of("1", "2", "3", "4", "5"), sink.events.stream().map(e -> e.userId).toList());
    }

    @Test
    void timeRangeAndLimitSelectEvents() throws IOException {
        ListSink sink = new ListSink();
        ReplaySummary s = replay(ReplayOptions.builder(uData())
                .from(Instant.ofEpochSecond(881250200)).to(Instant.ofEpochSecond(881250400)).build(), sink);
        assertEquals(List.of("2", "4", "1"), sink.events.stream().map(e -> e.userId).toList());
        assertEquals(2, s.filtered());
        assertNull(s.stopReason());

        ListSink limited = new ListSink();
        ReplaySummary l = replay(ReplayOptions.builder(uData()).limit(2).build(), limited);
        assertEquals(List.of("3", "2"), limited.events.stream().map(e -> e.userId).toList());
        assertEquals("limit", l.stopReason());
    }

    @Test
    void shiftToNowMovesTheLastEventToNowAndKeepsGaps() throws IOException {
        for (boolean sort : new boolean[] {true, false}) {
            ListSink sink = new ListSink();
            long before = System.currentTimeMillis();
            ReplaySummary s = replay(ReplayOptions.builder(uData()).sort(sort).shiftToNow(true).build(), sink);
            long after = System.currentTimeMillis();
            long last = sink.events.stream().mapToLong(e -> e.timestamp).max().orElseThrow();
            assertTrue(last >= before && last <= after, "last event at " + last + ", expected now");
            long first = sink.events.stream().mapToLong(e -> e.timestamp).min().orElseThrow();
            assertEquals(300_000, last - first);
            assertEquals(s.shiftMillis(), last - 881_250_400_000L);
            // Shifted events need no special trainer configuration.
            Reading.assertAllParse(sink.events, LogFormat.TRAINER_DEFAULT_EARLIEST);
        }
    }

    @Test
    void eventsTheTrainerWouldRejectAreBadRecordsWithTheParserReason() throws IOException {
        // A generic CSV defaults to the trainer's earliest timestamp (2000), so 1998 events are rejected ...
        Path csv = write("old.csv", "u,i,t\n1,2,1998-01-01T00:00:00Z\n1,3,2001-01-01T00:00:00Z\n");
        ReplayOptions.Builder b = ReplayOptions.builder(csv).csvLayout(CsvLayout.builder().userColumn("u")
                .itemColumn("i").timestampColumn("t").fixedType(io.streamrec.schema.EventType.CLICK).build());
        ListSink sink = new ListSink();
        List<BadRecord> reported = new ArrayList<>();
        ReplaySummary s = new Replayer(b.build(), new ProgressListener() {
            @Override
            public void onBadRecord(BadRecord bad) {
                reported.add(bad);
            }
        }, sink).run();
        assertEquals(1, s.published());
        assertEquals(1, s.bad());
        assertEquals(2, reported.get(0).line());
        assertEquals("invalid event (IMPLAUSIBLE_TIMESTAMP)", reported.get(0).reason());
        assertTrue(reported.get(0).detail().contains("before the earliest accepted 2000-01-01T00:00:00Z"));

        // ... unless the earliest timestamp is moved, as the trainer can be configured to.
        ListSink all = new ListSink();
        replay(b.earliestTimestamp(Instant.parse("1995-01-01T00:00:00Z")).build(), all);
        assertEquals(2, all.events.size());
    }

    @Test
    void publishedJsonIsEventJsonKeyedByUser() throws IOException {
        ListSink sink = new ListSink();
        replay(ReplayOptions.builder(uData()).limit(1).build(), sink);
        assertEquals("{\"user_id\":\"3\",\"item_id\":\"30\",\"type\":\"rating\",\"timestamp\":881250100000,\"value\":3.0}",
                sink.json.get(0));
    }

    @Test
    void unreadableFileIsAnInputErrorAndUnknownFormatAUsageError() throws IOException {
        ReplayException missing = assertThrows(ReplayException.class,
                () -> replay(ReplayOptions.builder(dir.resolve("nope.csv")).build(), new ListSink()));
        assertEquals(ReplayException.INPUT_ERROR, missing.exitCode());
        assertTrue(missing.getMessage().contains("no such file"));

        ReplayException directory = assertThrows(ReplayException.class,
                () -> replay(ReplayOptions.builder(dir).build(), new ListSink()));
        assertEquals(ReplayException.INPUT_ERROR, directory.exitCode());

        Path unknown = write("stuff.txt", "a b c\n");
        ReplayException format = assertThrows(ReplayException.class,
                () -> replay(ReplayOptions.builder(unknown).build(), new ListSink()));
        assertEquals(ReplayException.USAGE_ERROR, format.exitCode());
        assertTrue(format.getMessage().contains("--format"), format.getMessage());

        Path csv = write("x.csv", "a,b,c\n");
        ReplayException column = assertThrows(ReplayException.class,
                () -> replay(ReplayOptions.builder(csv).csvLayout(CsvLayout.builder().userColumn("user")
                        .itemColumn("b").timestampColumn("c").typeColumn("a").build()).build(), new ListSink()));
        assertEquals(ReplayException.USAGE_ERROR, column.exitCode());
        assertEquals("--csv.user-column: no column 'user' in the header; the columns are a, b, c", column.getMessage());
    }

    @Test
    void backlogGoesAtFullSpeedThenLiveEventsArePacedWithWallClockTimestamps() throws IOException {
        // Three backlog events spread over an hour, then two "live" ones 600 ms apart.
        long t = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
        long[] ts = {t, t + 1_800_000, t + 3_599_000, t + 3_600_000, t + 3_600_600};
        StringBuilder sb = new StringBuilder();
        for (long x : ts) {
            sb.append("{\"user_id\":\"a\",\"item_id\":\"i\",\"type\":\"click\",\"timestamp\":").append(x).append("}\n");
        }
        Path file = write("history.jsonl", sb.toString());
        ListSink sink = new ListSink();
        long start = System.currentTimeMillis();
        ReplaySummary s = replay(ReplayOptions.builder(file).speed(1).shiftToNow(true)
                .backlogUntil(Instant.ofEpochMilli(t + 3_600_000)).build(), sink);
        long took = System.currentTimeMillis() - start;
        assertEquals(5, s.published());
        assertTrue(took >= 550 && took < 5_000, "took " + took + " ms; expected the 600 ms live gap only");
        // The end of the backlog became "now": live events carry roughly the wall-clock time they were sent at.
        long firstLive = sink.events.get(3).timestamp;
        assertTrue(Math.abs(firstLive - start) < 2_000, "first live event at " + firstLive + ", started " + start);
        assertEquals(600, sink.events.get(4).timestamp - firstLive);
        assertEquals(3_600_000, firstLive - sink.events.get(0).timestamp);
    }

    @Test
    void stopEndsAPacedReplayPromptly() throws Exception {
        // Gaps of 100 s at 1x: without stop() this would take minutes.
        Path file = write("slow.jsonl", "{\"user_id\":\"a\",\"item_id\":\"1\",\"type\":\"click\",\"timestamp\":1714564800000}\n"
                + "{\"user_id\":\"a\",\"item_id\":\"2\",\"type\":\"click\",\"timestamp\":1714564900000}\n");
        ListSink sink = new ListSink();
        Replayer r = new Replayer(ReplayOptions.builder(file).speed(1).build(), ProgressListener.NONE, sink);
        Thread stopper = new Thread(() -> {
            // Once the first event is out, the replayer is waiting the 100 s for the second: stop it there.
            Awaitility.await("the first event published").atMost(Duration.ofSeconds(10))
                    .until(() -> sink.events.size() == 1);
            r.stop();
        });
        long start = System.nanoTime();
        stopper.start();
        ReplaySummary s = r.run();
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
        assertEquals(1, s.published());
        assertEquals("stopped", s.stopReason());
    }
}
