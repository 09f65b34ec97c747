package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.FreePorts;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.local.TestData;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay end to end against a real in-process Kafka broker: the samples go in through the command line, come
 * back out of the topic, and must be the same events, keyed by user, in each user's order.
 */
class ReplayITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    private String out;
    private String err;

    private int replay(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = ReplayMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private static String newTopic(String prefix) {
        String topic = EmbeddedKafkaBroker.uniqueTopic(prefix);
        KAFKA.broker().createTopic(topic, 3);
        return topic;
    }

    /** Reads the topic back and checks keys, JSON and every user's order against the expected events. */
    private static List<ConsumerRecord<byte[], byte[]>> assertTopicHolds(String topic, List<InteractionEvent> expected,
                                                                         Instant earliest) {
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.broker().consume(topic, expected.size(), Duration.ofSeconds(60));
        assertEquals(expected.size(), records.size(), "records in " + topic);
        EventParser parser = new EventParser(ParserOptions.defaults()
                .withTimestampRange(earliest, ParserOptions.DEFAULT_MAX_FUTURE_SKEW));
        // A user's records are all in one partition (the key decides it), so their offsets order them.
        records.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        Map<String, List<InteractionEvent>> actualByUser = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ParseResult p = parser.parse(r.value());
            assertTrue(p.isValid(), () -> "unparseable record " + new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(p.event().userId, new String(r.key(), StandardCharsets.UTF_8), "key = user id");
            actualByUser.computeIfAbsent(p.event().userId, u -> new ArrayList<>()).add(p.event());
        }
        Map<String, List<InteractionEvent>> expectedByUser = new LinkedHashMap<>();
        expected.forEach(e -> expectedByUser.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(e));
        assertEquals(expectedByUser.keySet(), actualByUser.keySet());
        expectedByUser.forEach((user, events) -> assertEquals(events, actualByUser.get(user), "events of " + user));
        return records;
    }

    private static List<InteractionEvent> sortedMovieLens(Path file) {
        List<InteractionEvent> events = new ArrayList<>(Reading.of(file, LogFormat.MOVIELENS).plainEvents());
        events.sort(Comparator.comparingLong(e -> e.timestamp)); // stable, as the replayer's
        return events;
    }

    @Test
    void movieLensArrivesSortedKeyedByUserAndUnchanged() {
        Path file = TestData.movieLens100k();
        List<InteractionEvent> all = sortedMovieLens(file);
        Instant earliest = LogFormat.MOVIELENS.defaultEarliestTimestamp();

        String subset = newTopic("ml-subset");
        assertEquals(0, replay(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", subset,
                "--limit", "5000"), err);
        assertTopicHolds(subset, all.subList(0, 5_000), earliest);
        assertTrue(out.contains("published 5,000 events"), out);
        assertTrue(out.contains("stopped at --limit"), out);

        String full = newTopic("ml-full");
        assertEquals(0, replay(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", full), err);
        assertTopicHolds(full, all, earliest);
        assertTrue(out.contains("published 100,000 events"), out);
        Matcher rate = Pattern.compile("in ([0-9.]+ s) \\(([0-9,]+) events/s\\)").matcher(out);
        assertTrue(rate.find(), out);
        System.out.println("ml-100k u.data full replay into the embedded broker: " + rate.group(1) + ", "
                + rate.group(2) + " events/s (including load + sort)");
        // The trainer's default earliest timestamp (2000) would reject 1997 data: the tool says so.
        assertTrue(err.contains("ingest.timestamp.earliest"), err);
    }

    @Test
    void ottoSampleArrivesInFileOrderPerSession() {
        Path file = TestData.ottoSample();
        String topic = newTopic("otto");
        assertEquals(0, replay(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic),
                err);
        assertTopicHolds(topic, Reading.of(file, LogFormat.OTTO).plainEvents(),
                LogFormat.TRAINER_DEFAULT_EARLIEST);
        assertTrue(out.contains("published 862 events"), out);
    }

    @Test
    void rees46SampleArrivesWithThePresetMappingAndItsItemsInTheCatalogTopicFirst() throws Exception {
        Path file = TestData.rees46Sample();
        String topic = newTopic("rees46");
        String catalog = EmbeddedKafkaBroker.uniqueTopic("rees46-catalog");
        assertEquals(0, replay(file.toString(), "--preset", "rees46", "--kafka.bootstrap.servers",
                KAFKA.bootstrapServers(), "--topics.interactions", topic, "--topics.catalog", catalog, "--create-topic"), err);
        List<InteractionEvent> expected = Reading.of(file, LogFormat.CSV,
                Reading.options(LogFormat.CSV, CsvLayout.REES46, CsvLayout.REES46_TYPES)).plainEvents();
        List<ConsumerRecord<byte[], byte[]>> events =
                assertTopicHolds(topic, expected, LogFormat.TRAINER_DEFAULT_EARLIEST);
        assertTrue(out.contains("published 1,000 events"), out);
        assertTrue(out.contains("published 534 catalog records (534 items"), out);

        // The catalog topic: created compacted, one record per product keyed by its id, each exactly what the
        // log's first line of the product says.
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, catalog);
        assertEquals("compact", KAFKA.broker().admin().describeConfigs(List.of(resource)).all().get()
                .get(resource).get("cleanup.policy").value());
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().consume(catalog, 534, Duration.ofSeconds(60));
        assertEquals(534, records.size());
        Map<String, CatalogRecord> firstLineOfItem = new LinkedHashMap<>();
        Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, CsvLayout.REES46, CsvLayout.REES46_TYPES))
                .events.forEach(se -> firstLineOfItem.putIfAbsent(se.event().itemId, se.item()));
        CatalogParser parser = new CatalogParser();
        Map<String, Long> sentAt = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            CatalogParseResult p = parser.parse(r.key(), r.value());
            assertTrue(p.isValid(), () -> new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(firstLineOfItem.get(p.record().itemId()), p.record());
            sentAt.put(p.record().itemId(), r.timestamp());
        }
        assertEquals(firstLineOfItem.keySet(), sentAt.keySet());
        // Record timestamps are the producer's send times: an item's catalog record was stored before any event of
        // the item was even sent, so no event of it can carry an earlier time.
        EventParser eventParser = new EventParser(ParserOptions.defaults());
        for (ConsumerRecord<byte[], byte[]> e : events) {
            String item = eventParser.parse(e.value()).event().itemId;
            assertTrue(sentAt.get(item) <= e.timestamp(), "event of " + item + " sent before its catalog record");
        }
    }

    @Test
    void aMissingCatalogTopicIsAnErrorNamingTheWayOut() {
        Path file = TestData.rees46Sample();
        String topic = newTopic("rees46-nocat");
        String catalog = EmbeddedKafkaBroker.uniqueTopic("absent-catalog");
        assertEquals(ReplayException.KAFKA_ERROR, replay(file.toString(), "--kafka.bootstrap.servers",
                KAFKA.bootstrapServers(), "--topics.interactions", topic, "--topics.catalog", catalog));
        assertTrue(err.contains("topic '" + catalog + "' does not exist") && err.contains("(--topics.catalog)")
                && err.contains("--no-catalog"), err);
        assertEquals(0, replay(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic,
                "--no-catalog", "--limit", "10"), err);
        assertTrue(!out.contains("catalog records"), out);
    }

    @Test
    void speedTwoXTakesHalfTheLogsOwnTimeSpan() throws IOException {
        // Four events over 6 s of event time: at 2x they leave about 3 s apart, at 1x 6 s, at 4x 1.5 s; the bounds
        // tell those apart with room for a busy machine.
        long t0 = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append("{\"user_id\":\"u").append(i % 2).append("\",\"item_id\":\"i").append(i)
                    .append("\",\"type\":\"click\",\"timestamp\":").append(t0 + i * 2000L).append("}\n");
        }
        Path file = dir.resolve("paced.jsonl");
        Files.writeString(file, sb.toString());
        String topic = newTopic("paced");
        assertEquals(0, replay(file.toString(), "--speed", "2x", "--kafka.bootstrap.servers", KAFKA.bootstrapServers(),
                "--topics.interactions", topic), err);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().consume(topic, 4, Duration.ofSeconds(30));
        assertEquals(4, records.size());
        // Record timestamps are the producer's send times (CreateTime).
        long first = records.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
        long last = records.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
        long spread = last - first;
        assertTrue(spread >= 2_850 && spread <= 4_500, "sent over " + spread + " ms, expected about 3,000 "
                + "(1x would take 6,000, 4x 1,500)");
    }

    /** A small log in OTTO's layout written by the test, for the error paths: they must not need the dataset. */
    private Path smallOttoLog() throws IOException {
        StringBuilder sb = new StringBuilder();
        long ts = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
        for (int session = 0; session < 4; session++) {
            sb.append("{\"session\":").append(session).append(",\"events\":[");
            for (int i = 0; i < 5; i++) {
                sb.append(i == 0 ? "" : ",").append("{\"aid\":").append(100 + session * 10 + i).append(",\"ts\":")
                        .append(ts + session * 60_000L + i * 1000L).append(",\"type\":\"clicks\"}");
            }
            sb.append("]}\n");
        }
        Path file = dir.resolve("small-otto.jsonl");
        Files.writeString(file, sb.toString());
        return file;
    }

    @Test
    void missingBrokerIsAClearErrorAndExitCodeOne() throws IOException {
        Path file = smallOttoLog();
        int port = FreePorts.pick(); // nothing listens there
        long start = System.nanoTime();
        int code = replay(file.toString(), "--kafka.bootstrap.servers", "localhost:" + port, "--connect-timeout", "2s");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ReplayException.KAFKA_ERROR, code);
        assertTrue(err.contains("replay: error: cannot reach Kafka at localhost:" + port + " (--kafka.bootstrap.servers)"),
                err);
        assertTrue(ms < 15_000, "gave up after " + ms + " ms");
    }

    @Test
    void missingTopicIsAnErrorUnlessCreateTopicIsGiven() throws IOException {
        Path file = smallOttoLog();
        String topic = EmbeddedKafkaBroker.uniqueTopic("absent");
        assertEquals(ReplayException.KAFKA_ERROR, replay(file.toString(), "--kafka.bootstrap.servers",
                KAFKA.bootstrapServers(), "--topics.interactions", topic));
        assertTrue(err.contains("topic '" + topic + "' does not exist"), err);
        assertTrue(err.contains("--create-topic"), err);

        assertEquals(0, replay(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic,
                "--create-topic", "--kafka.topic-partitions", "2", "--limit", "10"), err);
        assertEquals(10, KAFKA.broker().consume(topic, 10, Duration.ofSeconds(30)).size());
    }
}
