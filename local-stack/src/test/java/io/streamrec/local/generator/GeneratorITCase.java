package io.streamrec.local.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The generator publishing to a real in-process Kafka broker, as a library (Publisher) and as a command. */
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
        int code = GeneratorMain.run(new String[] {"--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic,
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
    void generatorCommandFailsClearlyWithoutABroker() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GeneratorMain.run(new String[] {"--bootstrap-servers", "localhost:1", "--connect-timeout", "1s"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), p -> { });
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot reach Kafka at localhost:1"));
    }
}
