package io.streamrec.local.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.local.publish.KafkaEventSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.publish.Pacing;
import io.streamrec.local.publish.Publisher;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParserOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The generator publishing to a real in-process Kafka broker, as a library (Publisher) and as a command: events, and
 * the catalog (a compacted topic it creates, every item's record before the first event, a launched item's record
 * before its first event, a retired item's before it stops).
 */
class GeneratorITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static String newTopic(String prefix) {
        String topic = EmbeddedKafkaBroker.uniqueTopic(prefix);
        KAFKA.broker().createTopic(topic, 2);
        return topic;
    }

    @Test
    void publisherPacesGeneratedEventsAndPublishesThemKeyedByUser() throws Exception {
        String topic = newTopic("gen");
        ClickstreamGenerator generator = new ClickstreamGenerator(GeneratorConfig.builder().seed(3).build());
        long start = System.nanoTime();
        Publisher p = Publisher.builder(generator, KafkaEventSink.open(KafkaTarget.of(KAFKA.bootstrapServers(), topic)))
                .pacing(Pacing.rate(1_000)).limit(500).start();
        assertTrue(p.awaitCompletion(Duration.ofSeconds(60)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertNull(p.failure());
        assertEquals(500, p.acknowledged());
        assertTrue(ms >= 450, "500 events at 1,000/s took only " + ms + " ms");

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().consume(topic, 500, Duration.ofSeconds(30));
        assertEquals(500, records.size());
        EventParser parser = new EventParser(ParserOptions.defaults());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            InteractionEvent e = parser.parse(r.value()).event();
            assertEquals(e.userId, new String(r.key(), StandardCharsets.UTF_8));
            assertTrue(Math.abs(e.timestamp - r.timestamp()) < 5_000, "live timestamps are the send time");
        }
    }

    @Test
    void stopEndsAnEndlessPublisherAfterFlushing() throws Exception {
        String topic = newTopic("gen-stop");
        Publisher p = Publisher.builder(new ClickstreamGenerator(GeneratorConfig.builder().build()),
                KafkaEventSink.open(KafkaTarget.of(KAFKA.bootstrapServers(), topic))).pacing(Pacing.rate(400)).start();
        Awaitility.await("the publisher has sent some events").atMost(Duration.ofSeconds(30))
                .until(() -> p.sent() > 50);
        assertTrue(p.isRunning());
        p.stop();
        assertTrue(!p.isRunning());
        assertTrue(p.sent() > 50, "sent " + p.sent());
        assertEquals(p.sent(), p.acknowledged(), "everything sent was flushed");
        assertEquals(p.sent(), KAFKA.broker().consume(topic, (int) p.sent(), Duration.ofSeconds(30)).size());
    }

    @Test
    void generatorCommandPublishesABackfillThenLiveEvents() {
        String topic = EmbeddedKafkaBroker.uniqueTopic("gen-cli");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.currentTimeMillis();
        int code = GeneratorMain.run(new String[] {"--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic,
            "--create-topic", "--backfill", "10m", "--rate", "5", "--duration", "3s", "--seed", "11"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), p -> { });
        long end = System.currentTimeMillis();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        java.util.regex.Matcher done = java.util.regex.Pattern.compile("done, ([0-9,]+) events published")
                .matcher(err.toString(StandardCharsets.UTF_8));
        assertTrue(done.find(), err.toString(StandardCharsets.UTF_8));
        int published = Integer.parseInt(done.group(1).replace(",", ""));
        // 10 minutes of history at 5 events/s (~3,000) go out at once, then ~5/s live for the rest of the 3 s.
        assertTrue(published > 2_500 && published < 3_600, "published: " + published);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().consume(topic, published, Duration.ofSeconds(30));
        assertEquals(published, records.size());
        EventParser parser = new EventParser(ParserOptions.defaults());
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long ts = parser.parse(r.value()).event().timestamp;
            oldest = Math.min(oldest, ts);
            newest = Math.max(newest, ts);
        }
        assertTrue(oldest >= start - 600_000 && oldest < start - 590_000, "history starts 10 min back");
        assertTrue(newest <= end + 1_000, "nothing from the future");
    }

    @Test
    void generatorCommandPublishesTheCatalogFirstAndEachLaunchBeforeTheNewItemsEvents() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("gen-events");
        String catalogTopic = EmbeddedKafkaBroker.uniqueTopic("gen-catalog");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GeneratorMain.run(new String[] {"--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic,
            "--create-topic", "--topics.catalog", catalogTopic, "--users", "100", "--items", "200", "--topics", "4",
            "--rate", "300", "--duration", "7s", "--new-items-every", "1500ms", "--new-item-delay", "1s",
            "--retire-every", "2s", "--seed", "5"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), p -> { });
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("created the compacted topic '" + catalogTopic + "'"), log);
        assertTrue(log.contains("catalog of 200 items published to topic " + catalogTopic), log);
        assertTrue(log.contains("new item i-200 launched (catalog only: "), log);
        assertTrue(log.contains(" retired (\"available\": false"), log);

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, catalogTopic);
        Config config = KAFKA.broker().admin().describeConfigs(List.of(resource)).all().get().get(resource);
        assertEquals("compact", config.get("cleanup.policy").value());

        // ~2,100 events; 200 records, then 4 launches (1.5, 3, 4.5, 6 s) and 3 retirements (2, 4, 6 s).
        List<ConsumerRecord<byte[], byte[]>> catalog = KAFKA.broker().consume(catalogTopic, 207,
                Duration.ofSeconds(30));
        assertEquals(207, catalog.size());
        java.util.regex.Matcher done = java.util.regex.Pattern.compile("done, ([0-9,]+) events published")
                .matcher(log);
        assertTrue(done.find(), log);
        int published = Integer.parseInt(done.group(1).replace(",", ""));
        List<ConsumerRecord<byte[], byte[]>> events = KAFKA.broker().consume(topic, published, Duration.ofSeconds(30));
        assertEquals(published, events.size());

        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> launched = new HashMap<>();
        Map<String, ConsumerRecord<byte[], byte[]>> launchRecord = new HashMap<>();
        Map<String, ConsumerRecord<byte[], byte[]>> retireRecord = new HashMap<>();
        Set<String> base = new HashSet<>();
        long lastBase = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : catalog) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode value = json.readTree(r.value());
            assertEquals(key, value.path("item_id").asText(), "keyed by item id");
            int id = Integer.parseInt(key.substring(2));
            if (!value.path("available").asBoolean(true)) { // absent means available
                assertTrue(value.path("updated_at").isNumber(), value.toString());
                retireRecord.put(key, r);
            } else if (id < 200) {
                assertTrue(base.add(key), "one record per item: " + key);
                assertTrue(value.path("categories").has("category") && value.path("categories").has("brand")
                        && value.path("text").has("title") && value.path("numbers").has("price"), value.toString());
                lastBase = Math.max(lastBase, r.timestamp());
            } else {
                launched.put(key, value);
                launchRecord.put(key, r);
            }
        }
        assertEquals(200, base.size(), "every item's record");
        assertEquals(Set.of("i-200", "i-201", "i-202", "i-203"), launched.keySet());
        assertEquals(3, retireRecord.size());

        EventParser parser = new EventParser(ParserOptions.defaults());
        Map<String, InteractionEvent> firstEvent = new HashMap<>();
        Map<String, Long> firstEventAppended = new HashMap<>();
        long firstAppended = Long.MAX_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : events) {
            InteractionEvent e = parser.parse(r.value()).event();
            firstAppended = Math.min(firstAppended, r.timestamp());
            if (!firstEvent.containsKey(e.itemId) || e.timestamp < firstEvent.get(e.itemId).timestamp) {
                firstEvent.put(e.itemId, e);
                firstEventAppended.put(e.itemId, r.timestamp());
            }
            ConsumerRecord<byte[], byte[]> retired = retireRecord.get(e.itemId);
            if (retired != null) {
                long retiredAt = json.readTree(retired.value()).path("updated_at").asLong();
                assertTrue(e.timestamp < retiredAt, "event on " + e.itemId + " at " + e.timestamp
                        + ", retired at " + retiredAt);
                assertTrue(r.timestamp() <= retired.timestamp() + 5, "sent after the retirement: " + e);
            }
        }
        assertTrue(lastBase <= firstAppended, "the catalog is stored before the first event is sent");
        int newWithEvents = 0;
        for (String item : launched.keySet()) {
            InteractionEvent first = firstEvent.get(item);
            if (first == null) {
                continue;
            }
            newWithEvents++;
            long launchedAt = launched.get(item).path("updated_at").asLong();
            assertTrue(launchRecord.get(item).timestamp() < firstEventAppended.get(item),
                    item + ": catalog record sent after its first event");
            assertTrue(first.timestamp >= launchedAt + 1_000, item + ": first event " + (first.timestamp - launchedAt)
                    + " ms after its launch, less than the delay");
        }
        assertTrue(newWithEvents >= 2, newWithEvents + " new items had events: " + firstEvent.keySet().stream()
                .filter(i -> Integer.parseInt(i.substring(2)) >= 200).toList());
    }

    @Test
    void noCatalogPublishesOnlyEvents() throws Exception {
        String topic = EmbeddedKafkaBroker.uniqueTopic("gen-nocat");
        String catalogTopic = EmbeddedKafkaBroker.uniqueTopic("gen-nocat-catalog");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GeneratorMain.run(new String[] {"--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.interactions", topic,
            "--create-topic", "--topics.catalog", catalogTopic, "--no-catalog", "--rate", "max", "--limit", "100"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), p -> { });
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertFalse(KAFKA.broker().admin().listTopics().names().get().contains(catalogTopic));
        assertEquals(100, KAFKA.broker().consume(topic, 100, Duration.ofSeconds(30)).size());
    }

    @Test
    void generatorCommandFailsClearlyWithoutABroker() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GeneratorMain.run(new String[] {"--kafka.bootstrap.servers", "localhost:1", "--connect-timeout", "1s"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), p -> { });
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot reach Kafka at localhost:1"));
    }
}
