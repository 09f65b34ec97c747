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
import io.streamrec.serving.retrieval.BruteForceTopK;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopKResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One serving node against a real in-process KRaft broker, fed by records this test publishes in the trainer's
 * format (3 partitions per topic, 2 trainer subtasks): exact exclusion for users with seen sets from empty to
 * "everything", freshness of the seen set, cold start, and tolerance of garbage records.
 */
class ServingNodeITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int ITEMS = 200;
    private static final int DIM = 16;
    private static final int[] SEEN_SIZES = {0, 1, 7, 60, 199, 200};
    /** Used only by the freshness test, which adds to its seen set. */
    private static final String FRESH_USER = "fresh-user";

    @TempDir
    static Path stateDir;
    private static ServingNode node;
    private static ServingTestSupport.Topics topics;
    private static ItemMatrix reference;
    private static final Map<String, float[]> USER_VECTORS = new LinkedHashMap<>();
    private static final Map<String, Set<String>> SEEN = new LinkedHashMap<>();
    private static final Map<String, Set<String>> PURCHASED = new LinkedHashMap<>();

    @BeforeAll
    static void startNode() throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        EmbeddedKafkaBroker broker = KAFKA.broker();
        topics = new ServingTestSupport.Topics(broker, 3);
        Random rnd = new Random(42);
        Map<String, float[]> items = new LinkedHashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            items.put("item-" + i, ServingTestSupport.randomVector(rnd, DIM));
        }
        reference = ItemMatrix.of(items.keySet().toArray(new String[0]), items.values().toArray(new float[0][]));
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        for (int u = 0; u < SEEN_SIZES.length; u++) {
            String user = "user-" + u;
            USER_VECTORS.put(user, ServingTestSupport.randomVector(rnd, DIM));
            List<String> shuffled = new ArrayList<>(items.keySet());
            java.util.Collections.shuffle(shuffled, rnd);
            Set<String> seen = new HashSet<>(shuffled.subList(0, SEEN_SIZES[u]));
            Set<String> purchased = new HashSet<>();
            for (String item : seen) {
                EventType t = rnd.nextInt(3) == 0 ? EventType.PURCHASE : EventType.CLICK;
                if (t == EventType.PURCHASE) {
                    purchased.add(item);
                }
                events.add(event(topics.interactions, user, item, t));
            }
            SEEN.put(user, seen);
            PURCHASED.put(user, purchased);
        }
        broker.produce(events);
        USER_VECTORS.forEach((u, v) -> ServingTestSupport.publishUserVector(broker, topics.users, u, v, 1));
        ServingTestSupport.publishUserVector(broker, topics.users, FRESH_USER, ServingTestSupport.randomVector(rnd, DIM),
                1);
        ServingTestSupport.publishSnapshot(broker, topics.items, 1, items, 2);

        node = new ServingNode(topics.config(broker, stateDir)).start();
        await(Duration.ofSeconds(30), "first snapshot", () -> node.snapshots().get() != null);
        await(Duration.ofSeconds(30), "all events and user vectors applied", quietly(() -> {
            for (String u : USER_VECTORS.keySet()) {
                JsonNode r = getJson(node.port(), "/v1/users/" + u + "/recommendations?k=1000");
                if (!r.get("strategy").asText().equals("model")
                        || r.get("excluded_count").asInt() != SEEN.get(u).size()) {
                    return false;
                }
            }
            return getJson(node.port(), "/v1/users/" + FRESH_USER + "/recommendations").get("strategy").asText()
                    .equals("model");
        }));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void exclusionIsExactAndResultsMatchBruteForce() throws Exception {
        for (String user : USER_VECTORS.keySet()) {
            for (String policy : new String[] {"seen", "purchased", "none"}) {
                Set<String> excluded = policy.equals("seen") ? SEEN.get(user)
                        : policy.equals("purchased") ? PURCHASED.get(user) : Set.of();
                for (int k : new int[] {1, 10, 100, 1000}) {
                    JsonNode r = getJson(node.port(), "/v1/users/" + user + "/recommendations?k=" + k
                            + "&exclude=" + policy);
                    List<String> got = itemIds(r);
                    assertEquals(Math.min(k, ITEMS - excluded.size()), got.size(),
                            user + " " + policy + " k=" + k + ": min(k, available)");
                    assertEquals(got.size(), new HashSet<>(got).size(), "no duplicates");
                    for (String id : got) {
                        assertFalse(excluded.contains(id), user + " got excluded item " + id);
                    }
                    assertMatchesOracle(user, excluded, k, r);
                }
            }
        }
    }

    private static void assertMatchesOracle(String user, Set<String> excluded, int k, JsonNode r) {
        Exclusion.Builder b = Exclusion.builder(reference.size());
        excluded.forEach(id -> b.add(reference.ordinal(id)));
        TopKResult want = new BruteForceTopK().search(reference, USER_VECTORS.get(user), k, b.build(),
                Similarity.DOT);
        JsonNode items = r.get("items");
        for (int i = 0; i < want.size(); i++) {
            double s = items.get(i).get("score").asDouble();
            assertEquals(want.score(i), s, 1e-4 * (1 + Math.abs(s)), user + " rank " + i);
        }
    }

    @Test
    void seenSetReflectsANewEventWithinASecond() throws Exception {
        String user = FRESH_USER;
        long worst = 0;
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().newProducer()) {
            for (int round = 0; round < 5; round++) {
                String top = itemIds(getJson(node.port(), "/v1/users/" + user + "/recommendations?k=1")).get(0);
                producer.send(event(topics.interactions, user, top, EventType.CLICK)).get();
                long acked = System.nanoTime();
                long deadline = acked + Duration.ofSeconds(5).toNanos();
                long tookMs = -1;
                while (System.nanoTime() < deadline) {
                    if (!itemIds(getJson(node.port(), "/v1/users/" + user + "/recommendations?k=1")).contains(top)) {
                        tookMs = (System.nanoTime() - acked) / 1_000_000;
                        break;
                    }
                    Thread.sleep(5);
                }
                assertTrue(tookMs >= 0, "item " + top + " still recommended 5 s after the event was acknowledged");
                worst = Math.max(worst, tookMs);
            }
        }
        System.out.println("[freshness] seen-item exclusion after produce ack: worst of 5 = " + worst + " ms");
        assertTrue(worst <= 1000, "an event must be excluded within 1 s of reaching Kafka, worst was " + worst + " ms");
    }

    @Test
    void unknownUserGetsPopularItemsMinusWhatTheySaw() throws Exception {
        // popularity is re-ranked at most once a second: wait for a full ranking
        await(Duration.ofSeconds(10), "popular ranking", quietly(() ->
                getJson(node.port(), "/v1/users/newcomer/recommendations?k=5").get("items").size() == 5));
        JsonNode anon = getJson(node.port(), "/v1/users/newcomer/recommendations?k=5");
        assertEquals("popular", anon.get("strategy").asText());
        assertEquals(5, anon.get("items").size());
        String mostPopular = itemIds(anon).get(0);
        KAFKA.broker().produce(List.of(event(topics.interactions, "newcomer", mostPopular, EventType.VIEW)));
        await(Duration.ofSeconds(10), "newcomer's view excluded", quietly(() -> !itemIds(
                getJson(node.port(), "/v1/users/newcomer/recommendations?k=5")).contains(mostPopular)));
        JsonNode after = getJson(node.port(), "/v1/users/newcomer/recommendations?k=5");
        assertEquals("popular", after.get("strategy").asText());
        assertEquals(5, after.get("items").size());
    }

    /** A valid header, then an entity id declaring 2,000,000,000 bytes: must not make the decoder allocate them. */
    private static byte[] hugeDeclaredString() {
        byte[] ok = io.streamrec.schema.EmbeddingCodec.encode(io.streamrec.schema.EmbeddingCodec.embedding(
                "x", new float[0], 1, 0, 1, 1, 0, 0));
        byte[] b = java.util.Arrays.copyOf(ok, 11 + 5);
        long zigzag = 4_000_000_000L;
        int p = 11;
        while ((zigzag & ~0x7FL) != 0) {
            b[p++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        b[p] = (byte) zigzag;
        return b;
    }

    @Test
    void garbageRecordsAreCountedAndSkipped() throws Exception {
        List<ProducerRecord<byte[], byte[]>> junk = new ArrayList<>();
        byte[] notJson = "{{{".getBytes(StandardCharsets.UTF_8);
        junk.add(new ProducerRecord<>(topics.interactions, null, notJson));
        junk.add(new ProducerRecord<>(topics.interactions, null,
                "{\"user_id\":\"u\",\"item_id\":\"i\",\"type\":\"click\",\"timestamp\":5}".getBytes(
                        StandardCharsets.UTF_8)));
        junk.add(new ProducerRecord<>(topics.items, "x".getBytes(StandardCharsets.UTF_8), notJson));
        junk.add(new ProducerRecord<>(topics.users, "x".getBytes(StandardCharsets.UTF_8), notJson));
        junk.add(new ProducerRecord<>(topics.items, "y".getBytes(StandardCharsets.UTF_8), hugeDeclaredString()));
        byte[] badEnum = io.streamrec.schema.EmbeddingCodec.encode(io.streamrec.schema.EmbeddingCodec.embedding(
                "z", new float[DIM], 1, 0, 2, 1, 0, 0));
        badEnum[10] = 0x08; // kind = enum index 4 of 2
        junk.add(new ProducerRecord<>(topics.items, "z".getBytes(StandardCharsets.UTF_8), badEnum));
        KAFKA.broker().produce(junk);
        // a user vector of the wrong dimension is skipped too
        ServingTestSupport.publishUserVector(KAFKA.broker(), topics.users, "user-1", new float[] {1, 2, 3}, 2);
        await(Duration.ofSeconds(10), "skips counted", quietly(() -> {
            String m = get(node.port(), "/metrics").body();
            return m.contains("reason=\"not_json\"") && m.contains("reason=\"implausible_timestamp\"")
                    && m.contains("reason=\"dimension\"")
                    && m.contains("streamrec_records_skipped_total{reason=\"undecodable\",topic=\"" + topics.items
                            + "\"} 3.0");
        }));
        assertEquals(200, get(node.port(), "/health").statusCode());
        assertEquals("model", getJson(node.port(), "/v1/users/user-1/recommendations").get("strategy").asText(),
                "the valid vector is still served");
        String metrics = get(node.port(), "/metrics").body();
        assertTrue(metrics.contains("streamrec_consumer_lag_records"), metrics);
        assertTrue(metrics.contains("streamrec_rocksdb_size_bytes"));
        assertTrue(metrics.contains("streamrec_snapshot_version 1.0"), metrics);
    }
}
