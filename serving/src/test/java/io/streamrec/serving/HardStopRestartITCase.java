package io.streamrec.serving;

import static io.streamrec.serving.ServingTestSupport.await;
import static io.streamrec.serving.ServingTestSupport.event;
import static io.streamrec.serving.ServingTestSupport.get;
import static io.streamrec.serving.ServingTestSupport.getJson;
import static io.streamrec.serving.ServingTestSupport.itemIds;
import static io.streamrec.serving.ServingTestSupport.quietly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.schema.EventType;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 and restart, honestly: the node runs in a child JVM ({@code ServingMain}) that is destroyed forcibly
 * (SIGKILL, no shutdown hook, no RocksDB close) once while idle and once in the middle of a stream of events.
 * After each restart the seen sets, user vectors and the served snapshot are back at once ({@code /ready} is 200
 * on its first answer), everything published while the node was down is applied, and the node re-reads nothing:
 * it consumes exactly the records published since its last applied batch.
 */
class HardStopRestartITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int DIM = 8;

    private static Map<String, float[]> items(int version, int n) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            v[0] = version;
            v[1] = (i * 7919 % 101) / 10f; // a spread of scores that differs from the ids' order
            m.put("item-" + i, v);
        }
        return m;
    }

    @Test
    void stateSurvivesKillNineAndNothingIsLostOrReread(@TempDir Path tmp) throws Exception {
        EmbeddedKafkaBroker broker = KAFKA.broker();
        ServingTestSupport.Topics topics = new ServingTestSupport.Topics(broker, 2);
        Path state = tmp.resolve("state");

        // --- before the first start: a snapshot, a user vector, a seen set ---
        ServingTestSupport.publishSnapshot(broker, topics.items, 1, items(1, 40), 2);
        ServingTestSupport.publishUserVector(broker, topics.users, "alice", new float[] {1, 1, 0, 0, 0, 0, 0, 0}, 1);
        List<ProducerRecord<byte[], byte[]>> aliceSeen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            aliceSeen.add(event(topics.interactions, "alice", "item-" + i, EventType.CLICK));
        }
        broker.produce(aliceSeen);

        ChildServingNode first = ChildServingNode.start(topics, broker, state, tmp.resolve("node-1.log"));
        try {
            await(Duration.ofSeconds(60), "first node applied everything", quietly(() -> {
                JsonNode r = getJson(first.port, "/v1/users/alice/recommendations?k=100");
                return r.get("strategy").asText().equals("model") && r.get("excluded_count").asInt() == 5;
            }));

            // --- kill -9 in the middle of a stream of events for carol ---
            AtomicInteger sent = new AtomicInteger();
            Thread stream = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = broker.newProducer()) {
                    for (int i = 0; i < 200; i++) {
                        p.send(event(topics.interactions, "carol", "c-" + i, EventType.VIEW)).get();
                        sent.incrementAndGet();
                        Thread.sleep(3);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stream.start();
            await(Duration.ofSeconds(30), "half of carol's events sent", () -> sent.get() >= 100);
            first.kill();
            stream.join(30_000);
            assertEquals(200, sent.get());
        } finally {
            first.kill();
        }

        // --- while it is down: more seen items, a new user, a new user vector, a new snapshot with a new item ---
        List<ProducerRecord<byte[], byte[]>> down = new ArrayList<>();
        for (int i = 5; i < 10; i++) {
            down.add(event(topics.interactions, "alice", "item-" + i, EventType.PURCHASE));
        }
        down.add(event(topics.interactions, "bob", "item-1", EventType.VIEW));
        broker.produce(down);
        ServingTestSupport.publishUserVector(broker, topics.users, "alice", new float[] {-1, 1, 0, 0, 0, 0, 0, 0}, 2);
        Map<String, float[]> v2 = items(2, 40);
        v2.put("item-new", new float[] {0, 100, 0, 0, 0, 0, 0, 0});
        ServingTestSupport.publishSnapshot(broker, topics.items, 2, v2, 2);

        ChildServingNode second = ChildServingNode.start(topics, broker, state, tmp.resolve("node-2.log"));
        try {
            HttpResponse<String> firstReady = second.firstAnswer("/ready");
            assertEquals(200, firstReady.statusCode(), "the restored snapshot is served at once: "
                    + firstReady.body());
            await(Duration.ofSeconds(60), "downtime records applied", quietly(() ->
                    getJson(second.port, "/ready").get("snapshot_version").asLong() == 2
                            && getJson(second.port, "/v1/users/alice/recommendations").get("excluded_count")
                            .asInt() == 10
                            && getJson(second.port, "/v1/users/carol/recommendations").get("excluded_count")
                            .asInt() == 200));
            JsonNode alice = getJson(second.port, "/v1/users/alice/recommendations?k=3");
            assertEquals("model", alice.get("strategy").asText());
            assertEquals("item-new", itemIds(alice).get(0), "alice's new vector (-1, 1) and the new snapshot");
            assertEquals(100.0, alice.get("items").get(0).get("score").asDouble(), 1e-4, "(-1, 1) . (0, 100)");
            for (String id : itemIds(getJson(second.port, "/v1/users/alice/recommendations?k=1000"))) {
                int n = id.startsWith("item-") && !id.equals("item-new") ? Integer.parseInt(id.substring(5)) : 99;
                assertFalse(n < 10, "alice saw " + id + " before or during the downtime");
            }
            assertEquals(1, getJson(second.port, "/v1/users/bob/recommendations").get("excluded_count").asInt());
            JsonNode purchasedOnly = getJson(second.port, "/v1/users/alice/recommendations?exclude=purchased");
            assertEquals(5, purchasedOnly.get("excluded_count").asInt(), "types survived: 5 purchases, 5 clicks");
            // settle: every loop has written its last batch before the next kill
            await(Duration.ofSeconds(30), "lag zero", quietly(() -> lagIsZero(second.port)));
        } finally {
            second.kill();
        }

        // --- a third start: it must consume exactly what was published since, nothing again ---
        List<ProducerRecord<byte[], byte[]>> more = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            more.add(event(topics.interactions, "dave", "item-" + i, EventType.CLICK));
        }
        broker.produce(more);
        ChildServingNode third = ChildServingNode.start(topics, broker, state, tmp.resolve("node-3.log"));
        try {
            await(Duration.ofSeconds(60), "dave's events applied", quietly(() ->
                    getJson(third.port, "/v1/users/dave/recommendations").get("excluded_count").asInt() == 7));
            String metrics = get(third.port, "/metrics").body();
            assertEquals(7, consumed(metrics, topics.interactions), "re-read nothing, lost nothing");
            assertEquals(0, consumed(metrics, topics.items));
            assertEquals(0, consumed(metrics, topics.users));
            assertEquals(200, getJson(third.port, "/v1/users/carol/recommendations").get("excluded_count").asInt());
            // and a clean stop: SIGTERM runs the shutdown hook, which closes HTTP, consumers and RocksDB
            third.process.destroy();
            assertTrue(third.process.waitFor(30, TimeUnit.SECONDS), "SIGTERM stops the node");
            assertTrue(Files.readString(tmp.resolve("node-3.log")).contains("serving node stopped"),
                    "the shutdown hook closed the node");
        } finally {
            third.kill();
        }
    }

    private static boolean lagIsZero(int port) throws Exception {
        Matcher m = Pattern.compile("streamrec_consumer_lag_records\\{topic=\"[^\"]+\"} (\\S+)")
                .matcher(get(port, "/metrics").body());
        int found = 0;
        while (m.find()) {
            found++;
            if (Double.parseDouble(m.group(1)) != 0) {
                return false;
            }
        }
        return found == 4; // interactions, item-embeddings, user-embeddings, ranker-model
    }

    private static long consumed(String metrics, String topic) {
        Matcher m = Pattern.compile("streamrec_records_consumed_total\\{topic=\"" + Pattern.quote(topic) + "\"} (\\S+)")
                .matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
