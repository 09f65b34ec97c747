package io.streamrec.serving;

import static io.streamrec.serving.ServingTestSupport.await;
import static io.streamrec.serving.ServingTestSupport.quietly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot swaps under concurrent queries. Version v gives item i the vector (1000 v, i, 0, ...) and the query
 * user is (1, 1, 0, ...), so in a response of version v item i must score exactly 1000 v + i: any item from
 * another version, or a half-applied snapshot, shows. Subtask 0 always publishes one version ahead of subtask 1,
 * so records of version v+1 are already staged when v completes and must not leak into it.
 */
class SnapshotSwapITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int ITEMS = 150;
    private static final int DIM = 8;
    private static final int VERSIONS = 20;
    private static final int QUERY_THREADS = 3;

    private static Map<String, float[]> version(long v) {
        Map<String, float[]> items = new LinkedHashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            float[] vec = new float[DIM];
            vec[0] = 1000f * v;
            vec[1] = i;
            items.put("item-" + i, vec);
        }
        return items;
    }

    @Test
    void swapUnderConcurrentQueriesNeverMixesVersions(@TempDir Path stateDir) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        EmbeddedKafkaBroker broker = KAFKA.broker();
        ServingTestSupport.Topics topics = new ServingTestSupport.Topics(broker, 3);
        float[] q = new float[DIM];
        q[0] = 1;
        q[1] = 1;
        ServingTestSupport.publishUserVector(broker, topics.users, "q", q, 1);
        broker.produce(ServingTestSupport.subtaskRecords(topics.items, 1, version(1), 0, 2));
        broker.produce(ServingTestSupport.subtaskRecords(topics.items, 2, version(2), 0, 2));
        broker.produce(ServingTestSupport.subtaskRecords(topics.items, 1, version(1), 1, 2));

        try (ServingNode node = new ServingNode(topics.config(broker, stateDir)).start()) {
            String url = "http://127.0.0.1:" + node.port() + "/v1/users/q/recommendations?k=" + ITEMS
                    + "&exclude=none";
            await(Duration.ofSeconds(30), "version 1 served to the query user", quietly(() ->
                    ServingTestSupport.getJson(node.port(), "/v1/users/q/recommendations").get("strategy").asText()
                            .equals("model")));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong responses = new AtomicLong();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            Set<Long> versionsSeen = java.util.Collections.synchronizedSet(new TreeSet<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < QUERY_THREADS; t++) {
                Thread th = new Thread(() -> {
                    long last = 0;
                    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = ServingTestSupport.HTTP.send(req,
                                    HttpResponse.BodyHandlers.ofString());
                            responses.incrementAndGet();
                            String problem = check(r);
                            if (problem != null) {
                                errors.add(problem);
                                continue;
                            }
                            long v = ServingTestSupport.JSON.readTree(r.body()).get("snapshot_version").asLong();
                            if (v < last) {
                                errors.add("version went back from " + last + " to " + v);
                            }
                            last = v;
                            versionsSeen.add(v);
                        } catch (Exception e) {
                            errors.add(e.toString());
                        }
                    }
                }, "query-" + t);
                th.start();
                threads.add(th);
            }

            for (long v = 2; v <= VERSIONS; v++) {
                if (v + 1 <= VERSIONS) {
                    broker.produce(ServingTestSupport.subtaskRecords(topics.items, v + 1, version(v + 1), 0, 2));
                }
                broker.produce(ServingTestSupport.subtaskRecords(topics.items, v, version(v), 1, 2));
                Thread.sleep(50); // pacing, not synchronization: the swaps happen while queries run
            }
            await(Duration.ofSeconds(30), "the last version served",
                    () -> node.snapshots().get().version.version == VERSIONS);
            long atLastVersion = responses.get();
            await(Duration.ofSeconds(30), "a few queries on the final version too",
                    () -> responses.get() >= atLastVersion + 2 * QUERY_THREADS);
            stop.set(true);
            for (Thread th : threads) {
                th.join(10_000);
            }
            System.out.println("[swap] " + responses.get() + " responses over versions " + versionsSeen
                    + ", errors: " + errors.size());
            assertTrue(errors.isEmpty(), "errors: " + errors.stream().limit(5).toList());
            assertTrue(versionsSeen.size() >= 3, "queries should span several swaps, saw " + versionsSeen);
            assertTrue(versionsSeen.contains((long) VERSIONS));
            assertEquals(ITEMS, node.snapshots().get().matrix.size());
        }
    }

    /** Null if the response is one complete, consistent version; else what is wrong. */
    private static String check(HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 200) {
            return "status " + r.statusCode() + ": " + r.body();
        }
        JsonNode n = ServingTestSupport.JSON.readTree(r.body());
        if (!n.get("strategy").asText().equals("model")) {
            return "strategy " + n.get("strategy");
        }
        long v = n.get("snapshot_version").asLong();
        JsonNode items = n.get("items");
        if (items.size() != ITEMS) {
            return "version " + v + " returned " + items.size() + " items";
        }
        for (JsonNode it : items) {
            int i = Integer.parseInt(it.get("item_id").asText().substring("item-".length()));
            double expected = 1000.0 * v + i;
            if (it.get("score").asDouble() != expected) {
                return "version " + v + ": item " + i + " scored " + it.get("score").asDouble() + ", expected "
                        + expected + " (mixed versions)";
            }
        }
        return null;
    }
}
