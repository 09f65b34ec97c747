package io.streamrec.serving.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatchWithIndex;

/** The RocksDB stores on real rocksdbjni in a temporary directory: round trips, reopen, the per-user cap. */
class StoresTest {

    @Test
    void seenItemsMergeTypesAndSurviveReopen(@TempDir Path dir) {
        try (StateStore store = StateStore.open(dir, false)) {
            SeenItemsStore seen = new SeenItemsStore(store, 100);
            try (WriteBatchWithIndex b = store.newBatch()) {
                seen.record(b, "u1", "i1", EventType.CLICK, 10);
                seen.record(b, "u1", "i1", EventType.PURCHASE, 5); // same batch: read-your-writes
                seen.record(b, "u1", "i2", EventType.VIEW, 20);
                seen.record(b, "u12", "i9", EventType.VIEW, 20); // a user id that extends u1's must not leak in
                store.putOffset(b, new TopicPartition("interactions", 0), 4);
                store.write(b);
            }
        }
        try (StateStore store = StateStore.open(dir, false)) {
            SeenItemsStore seen = new SeenItemsStore(store, 100);
            Map<String, Integer> masks = new HashMap<>();
            Map<String, Long> times = new HashMap<>();
            seen.forEach("u1", (item, mask, ts) -> {
                masks.put(item, mask);
                times.put(item, ts);
            });
            assertEquals(Set.of("i1", "i2"), masks.keySet());
            assertTrue(SeenItemsStore.has(masks.get("i1"), EventType.PURCHASE));
            assertTrue(SeenItemsStore.has(masks.get("i1"), EventType.CLICK));
            assertFalse(SeenItemsStore.has(masks.get("i2"), EventType.PURCHASE));
            assertEquals(10L, times.get("i1"), "newest timestamp kept");
            assertEquals(Map.of(new TopicPartition("interactions", 0), 4L), store.offsets("interactions"));
            assertTrue(store.offsets("interactions-other").isEmpty());
            assertFalse(seen.hasAny("nobody"));
        }
    }

    @Test
    void seenItemsKeepOnlyTheMostRecentBeyondTheCap(@TempDir Path dir) {
        try (StateStore store = StateStore.open(dir, false)) {
            SeenItemsStore seen = new SeenItemsStore(store, 50);
            for (int batch = 0; batch < 4; batch++) {
                try (WriteBatchWithIndex b = store.newBatch()) {
                    for (int i = batch * 30; i < batch * 30 + 30; i++) {
                        seen.record(b, "heavy", "item-" + i, EventType.VIEW, 1000 + i);
                    }
                    store.write(b);
                }
            }
            Set<String> items = new TreeSet<>();
            seen.forEach("heavy", (item, mask, ts) -> items.add(item));
            assertTrue(items.size() <= 50 && items.size() >= 45, "bounded near the cap, got " + items.size());
            assertTrue(items.contains("item-119"), "the newest is kept");
            assertFalse(items.contains("item-0"), "the oldest is dropped");
        }
    }

    @Test
    void userVectorsRoundTrip(@TempDir Path dir) {
        try (StateStore store = StateStore.open(dir, true)) {
            UserVectorStore users = new UserVectorStore(store);
            try (WriteBatchWithIndex b = store.newBatch()) {
                users.put(b, "u1", new float[] {1.5f, -2f, 3.25f}, 7, 1234);
                store.write(b);
            }
            UserVectorStore.UserVector v = users.get("u1");
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, v.vector);
            assertEquals(7, v.version);
            assertEquals(1234, v.publishedAtMs);
            assertNull(users.get("u2"));
            assertTrue(store.sizeBytes() >= 0);
        }
    }
}
