package io.streamrec.serving;

import static io.streamrec.serving.ServingTestSupport.await;
import static io.streamrec.serving.ServingTestSupport.getJson;
import static io.streamrec.serving.ServingTestSupport.itemIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.IvfIndex;
import io.streamrec.serving.retrieval.LearnedLikeVectors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@code topk.index=ann} against a real broker: the snapshot loader builds the index before the swap, a
 * second snapshot gets its own index (built from the first), and answers come from it with exclusions honoured.
 */
class AnnServingITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path stateDir;

    @Test
    void eachSnapshotIsServedWithItsOwnIndex() throws Exception {
        EmbeddedKafkaBroker broker = KAFKA.broker();
        ServingTestSupport.Topics topics = new ServingTestSupport.Topics(broker, 2);
        LearnedLikeVectors gen = new LearnedLikeVectors(16, 20, 4);
        Map<String, float[]> items = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            items.put("item-" + i, gen.item());
        }
        ServingTestSupport.publishUserVector(broker, topics.users, "u1", gen.query(), 1);
        ServingTestSupport.publishSnapshot(broker, topics.items, 1, items, 2);
        List<String> args = new ArrayList<>(topics.args(broker, stateDir, 0));
        args.addAll(List.of("--topk.index", "ann"));
        try (ServingNode node = new ServingNode(ServingConfig.fromArgs(args.toArray(new String[0]))).start()) {
            await(Duration.ofSeconds(30), "first snapshot", () -> node.snapshots().get() != null);
            ItemMatrix first = node.snapshots().get().matrix;
            IvfIndex index = first.annIndex();
            assertNotNull(index, "the loader built the index before the swap");
            await(Duration.ofSeconds(30), "the user vector", () -> {
                try {
                    return "model".equals(getJson(node.port(), "/v1/users/u1/recommendations?k=10")
                            .get("strategy").asText());
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode r = getJson(node.port(), "/v1/users/u1/recommendations?k=50");
            List<String> top = itemIds(r);
            assertEquals(50, top.size());
            JsonNode ex = getJson(node.port(), "/v1/users/u1/recommendations?k=50&exclude_items=" + top.get(0)
                    + "&exclude_items=" + top.get(1));
            List<String> without = itemIds(ex);
            assertEquals(50, without.size());
            assertFalse(without.contains(top.get(0)) || without.contains(top.get(1)), "exclusions honoured");

            Map<String, float[]> changed = new LinkedHashMap<>();
            for (int i = 0; i < 300; i++) {
                changed.put("item-" + (i * 10), gen.item());
            }
            ServingTestSupport.publishSnapshot(broker, topics.items, 2, changed, 2);
            await(Duration.ofSeconds(30), "second snapshot",
                    () -> node.snapshots().get().version.version == 2);
            ItemMatrix second = node.snapshots().get().matrix;
            assertNotSame(first, second);
            assertNotNull(second.annIndex(), "the second snapshot was swapped in with its own index");
            assertEquals(index.lists(), second.annIndex().lists(), "rebuilt from the first index's lists");
            assertEquals(3000, second.size());
            assertTrue(itemIds(getJson(node.port(), "/v1/users/u1/recommendations?k=20")).size() == 20);
        }
    }
}
