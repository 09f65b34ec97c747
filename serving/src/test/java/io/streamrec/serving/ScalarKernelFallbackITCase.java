package io.streamrec.serving;

import static io.streamrec.serving.ServingTestSupport.await;
import static io.streamrec.serving.ServingTestSupport.getJson;
import static io.streamrec.serving.ServingTestSupport.itemIds;
import static io.streamrec.serving.ServingTestSupport.quietly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.serving.retrieval.ParallelTopK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving node on a JVM started without {@code --add-modules jdk.incubator.vector}: it starts, says in its log
 * that it scans with the scalar kernel, and answers the exact top-k (here split over two scan threads, so the
 * scalar kernel also runs on ranges). Before the fallback, loading the Vector API classes stopped it at start.
 */
class ScalarKernelFallbackITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void startsWithScalarKernelsAndSaysSo(@TempDir Path tmp) throws Exception {
        assertTrue(ParallelTopK.vectorApiAvailable(), "this test JVM itself runs with the Vector API");
        EmbeddedKafkaBroker broker = KAFKA.broker();
        ServingTestSupport.Topics topics = new ServingTestSupport.Topics(broker, 1);
        Map<String, float[]> items = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            items.put("item-" + i, new float[] {(i * 37 % 64) / 8f, 1, -i / 97f, 0.5f}); // no two scores tie
        }
        ServingTestSupport.publishSnapshot(broker, topics.items, 1, items, 1);
        float[] user = {1, 0.25f, 2.3f, 0};
        ServingTestSupport.publishUserVector(broker, topics.users, "alice", user, 1);

        ChildServingNode node = ChildServingNode.start(topics, broker, tmp.resolve("state"), tmp.resolve("node.log"),
                false, List.of("--topk.scan-threads", "2", "--topk.min-items-per-thread", "16"));
        try {
            assertEquals(200, node.firstAnswer("/health").statusCode(), "the node started without the Vector API");
            await(Duration.ofSeconds(60), "alice's vector and the snapshot", quietly(() ->
                    getJson(node.port, "/v1/users/alice/recommendations?k=10").get("strategy").asText()
                            .equals("model")));
            JsonNode r = getJson(node.port, "/v1/users/alice/recommendations?k=10");
            List<String> expected = new ArrayList<>(items.keySet());
            expected.sort(Comparator.comparingDouble((String id) -> -dot(user, items.get(id)))
                    .thenComparingInt(id -> Integer.parseInt(id.substring(5))));
            assertEquals(expected.subList(0, 10), itemIds(r), "the exact top-10");
            String log = Files.readString(node.log);
            assertTrue(log.contains("top-k kernel: scalar"), "the log says which kernel scans:\n" + log);
        } finally {
            node.kill();
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
