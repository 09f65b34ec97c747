package io.streamrec.job.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.catalog.ItemInput;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The two towers one at a time, in Flink's operator test harness with the RocksDB state backend: state is created,
 * updated and expires; the deterministic initial vectors agree across towers and instances; each snapshot version
 * gets exactly one marker per subtask, after that subtask's changed items.
 */
class TowerHarnessTest {

    private static final ModelParams PARAMS = ModelParams.defaults().copy().set("model.dim", "8")
            .set("model.negatives", "4");
    private static final long T0 = 1_714_564_800_000L;

    private static TowerSettings settings(int bundleEvents, Duration userTtl, Duration itemTtl) {
        return new TowerSettings(bundleEvents, Duration.ofMillis(50), Duration.ofSeconds(1), 1.0, true, userTtl,
                itemTtl, 50_000, 10_000);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, InteractionEvent, EmbeddingUpdate, ItemGradient>
            userTower(UserTower tower, OperatorSubtaskState restore) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, InteractionEvent, EmbeddingUpdate, ItemGradient> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(tower, e -> e.userId, null, Types.STRING, 128, 1, 0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ItemInput, Long, EmbeddingUpdate>
            itemTower(ItemTower tower, OperatorSubtaskState restore) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, ItemInput, Long, EmbeddingUpdate> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(tower, g -> g.key, null, Types.STRING, 128, 1, 0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static InteractionEvent click(String user, String item, long ts) {
        return new InteractionEvent(user, item, EventType.CLICK, ts);
    }

    private static List<EmbeddingUpdate> userVectors(
            KeyedTwoInputStreamOperatorTestHarness<String, InteractionEvent, EmbeddingUpdate, ItemGradient> h) {
        List<EmbeddingUpdate> out = new ArrayList<>();
        var side = h.getSideOutput(UserTower.USER_EMBEDDINGS);
        if (side != null) {
            for (StreamRecord<EmbeddingUpdate> r : side) {
                out.add(r.getValue());
            }
            side.clear();
        }
        return out;
    }

    @Test
    void userStateIsCreatedUpdatedPublishedAndExpires() throws Exception {
        var h = userTower(new UserTower(PARAMS, settings(1, Duration.ofHours(1), Duration.ZERO)), null);
        h.setProcessingTime(1_000);
        h.setStateTtlProcessingTime(1_000);
        // Another user's events fill the negative buffer, so that u1 has something to contrast against.
        for (int i = 3; i < 9; i++) {
            h.processElement1(click("u9", "i" + i, T0 - 10 + i), T0 - 10 + i);
        }
        h.processElement1(click("u1", "i1", T0), T0);
        h.processElement1(click("u1", "i2", T0 + 1), T0 + 1);
        h.processElement1(click("u2", "i1", T0 + 2), T0 + 2);

        // Bundles of one event: gradients for the positives (and sampled negatives) are out already.
        List<String> touched = h.extractOutputValues().stream().map(g -> g.itemId).collect(Collectors.toList());
        assertTrue(touched.contains("i1") && touched.contains("i2"), "gradients for the positives: " + touched);

        assertTrue(userVectors(h).isEmpty(), "nothing published before the interval boundary");
        h.setProcessingTime(2_000); // the next multiple of the 1 s publish interval
        List<EmbeddingUpdate> published = userVectors(h);
        assertEquals(3, published.size(), "each changed user once: " + published);
        EmbeddingUpdate u1 = published.stream().filter(u -> u.entityId.equals("u1")).findFirst().orElseThrow();
        assertEquals(2, u1.updateCount, "u1's state was updated by both of its events");
        assertFalse(java.util.Arrays.equals(new Learner(PARAMS).newUser("u1").vector, u1.vector),
                "u1's vector moved away from its initial vector");

        h.setProcessingTime(3_000);
        assertTrue(userVectors(h).isEmpty(), "an unchanged user is not republished");
        // A user whose timer fired is published again after its next events, once per interval.
        h.setProcessingTime(3_500);
        h.processElement1(click("u2", "i4", T0 + 3), T0 + 3);
        h.processElement1(click("u2", "i5", T0 + 4), T0 + 4);
        h.setProcessingTime(4_000);
        List<EmbeddingUpdate> again2 = userVectors(h);
        assertEquals(List.of("u2"), again2.stream().map(u -> u.entityId).collect(Collectors.toList()));
        assertEquals(3, again2.get(0).updateCount);

        // Past the TTL without events, u1's state is gone: its next event starts from scratch. u1 is still hot
        // (on the heap) and its state was written to RocksDB only at the checkpoint, at TTL time 1,000.
        h.snapshot(1, 3_000);
        long later = 1_000 + Duration.ofHours(2).toMillis();
        h.setProcessingTime(later);
        h.setStateTtlProcessingTime(later);
        userVectors(h);
        h.processElement1(click("u1", "i3", T0 + 3), T0 + 3);
        h.setProcessingTime(later + 1_000);
        EmbeddingUpdate again = userVectors(h).get(0);
        assertEquals("u1", again.entityId);
        assertEquals(1, again.updateCount, "expired state is not read back");
        h.close();
    }

    @Test
    void itemTowerPublishesChangedItemsThenOneMarkerPerVersion() throws Exception {
        var h = itemTower(new ItemTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), null);
        int len = new Learner(PARAMS).vectorLength();
        // "a" was the positive of 3 events (2 in the first bundle), "b" only ever a negative.
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 3, 2)), T0);
        h.processElement1(ItemInput.of(new ItemGradient("b", filled(len, -0.1f), 1)), T0);
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 1, 1)), T0 + 5);
        h.processElement2(1L, 0);
        List<EmbeddingUpdate> v1 = drain(h);
        assertEquals(3f, v1.stream().filter(u -> "a".equals(u.entityId)).findFirst().orElseThrow().popularity,
                "a's popularity: the events that had it as positive");
        assertEquals(0f, v1.stream().filter(u -> "b".equals(u.entityId)).findFirst().orElseThrow().popularity);
        assertEquals(List.of("a", "b", "marker"), names(v1), "changed items, then the marker");
        assertEquals(2, v1.get(2).recordCount);
        assertEquals(1, v1.get(2).version);
        assertEquals(T0 + 5, v1.get(2).eventTime, "newest event time behind the snapshot");
        assertEquals(2, v1.stream().filter(u -> u.entityId.equals("a")).findFirst().orElseThrow().updateCount);

        h.processElement2(2L, 0);
        assertEquals(List.of("marker"), names(drain(h)), "nothing changed: only the marker");

        h.processElement1(ItemInput.of(new ItemGradient("b", filled(len, 0.2f), 1)), T0 + 9);
        h.processElement2(3L, 0);
        List<EmbeddingUpdate> v3 = drain(h);
        assertEquals(List.of("b", "marker"), names(v3));
        assertEquals(3, v3.get(1).version);

        // Restore from a snapshot: the learned vectors are back (not re-initialized) and the first tick republishes
        // every item so that readers see the state the job continues from.
        OperatorSubtaskState snapshot = h.snapshot(1, 10);
        float[] bBefore = v3.get(0).vector;
        h.close();
        var restored = itemTower(new ItemTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), snapshot);
        restored.processElement2(4L, 0);
        List<EmbeddingUpdate> v4 = drain(restored);
        assertEquals(List.of("a", "b", "marker"), names(v4));
        assertArrayEquals(bBefore, v4.stream().filter(u -> u.entityId.equals("b")).findFirst().orElseThrow().vector);
        assertEquals(3f, v4.stream().filter(u -> u.entityId.equals("a")).findFirst().orElseThrow().popularity,
                "the count is state: it survives the restore");
        restored.processElement2(5L, 0);
        assertEquals(List.of("marker"), names(drain(restored)), "republished once, then deltas again");
        restored.close();
    }

    @Test
    void initialVectorsAgreeAcrossTowersAndInstances() throws Exception {
        Learner a = new Learner(PARAMS);
        Learner b = new Learner(ModelParams.defaults().copy().set("model.dim", "8").set("model.negatives", "4"));
        assertArrayEquals(a.initialItemVector("item-42"), b.initialItemVector("item-42"));
        assertArrayEquals(a.newUser("user-7").vector, b.newUser("user-7").vector);
        assertFalse(java.util.Arrays.equals(a.initialItemVector("item-42"), a.initialItemVector("item-43")));

        // The ItemTower starts an unknown item from the same vector the UserTower assumes on a cache miss.
        var items = itemTower(new ItemTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), null);
        items.processElement1(ItemInput.of(new ItemGradient("item-42", new float[a.vectorLength()], 1)), T0);
        items.processElement2(1L, 0);
        assertArrayEquals(b.initialItemVector("item-42"), drain(items).get(0).vector);
        items.close();

        // Two UserTower instances given the same events send identical gradients.
        List<List<Float>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            var users = userTower(new UserTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), null);
            for (int i = 0; i < 20; i++) {
                users.processElement1(click("u" + (i % 3), "i" + (i % 7), T0 + i), T0 + i);
            }
            List<Float> flat = new ArrayList<>();
            for (ItemGradient g : users.extractOutputValues()) {
                for (float f : g.gradient) {
                    flat.add(f);
                }
            }
            runs.add(flat);
            users.close();
        }
        assertFalse(runs.get(0).isEmpty());
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void pendingGradientsSurviveACheckpoint() throws Exception {
        // A large bundle: nothing is sent before the checkpoint, so the bundle must travel in operator state.
        var h = userTower(new UserTower(PARAMS, settings(1000, Duration.ZERO, Duration.ZERO)), null);
        h.setProcessingTime(1_000);
        for (int i = 0; i < 10; i++) {
            h.processElement1(click("u" + i, "i" + (i % 4), T0 + i), T0 + i);
        }
        assertTrue(h.extractOutputValues().isEmpty());
        OperatorSubtaskState snapshot = h.snapshot(1, 2_000);
        h.close();

        var restored = userTower(new UserTower(PARAMS, settings(1000, Duration.ZERO, Duration.ZERO)), snapshot);
        restored.setProcessingTime(1_000);
        restored.setProcessingTime(5_000); // the restored flush timer fires
        List<String> sent = restored.extractOutputValues().stream().map(g -> g.itemId).collect(Collectors.toList());
        assertTrue(sent.containsAll(List.of("i0", "i1", "i2", "i3")), "restored bundle sent: " + sent);
        restored.close();
    }

    /**
     * What the UserTower publishes (users' vectors and counts, sorted) and sends (item gradients, in order) for a
     * fixed run of events, with a checkpoint midway; {@code restore} continues from it in a new instance. Without
     * local cache updates and without a feed, the item cache holds only initial vectors, which a restore rebuilds.
     */
    private static List<String> userRun(int hotUsers, boolean restore) throws Exception {
        ModelParams p = PARAMS.copy().set("model.cache.local-learning-rate", "0");
        TowerSettings s = new TowerSettings(4, Duration.ofMillis(50), Duration.ofSeconds(1), 1.0, true,
                Duration.ZERO, Duration.ZERO, 50_000, hotUsers);
        var h = userTower(new UserTower(p, s), null);
        h.setProcessingTime(1_000);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            h.processElement1(click("u" + (i * 7 % 5), "i" + (i * 3 % 11), T0 + i), T0 + i);
            if (i == 23) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1_000);
                if (restore) {
                    out.addAll(gradients(h));
                    h.close();
                    h = userTower(new UserTower(p, s), snapshot);
                    h.setProcessingTime(1_000);
                }
            }
        }
        h.setProcessingTime(2_000); // publish boundary; also sends the last bundle
        out.addAll(gradients(h));
        userVectors(h).stream().sorted(java.util.Comparator.comparing(u -> u.entityId))
                .map(u -> u.entityId + "@" + u.updateCount + java.util.Arrays.toString(u.vector)).forEach(out::add);
        h.close();
        return out;
    }

    private static List<String> gradients(
            KeyedTwoInputStreamOperatorTestHarness<String, InteractionEvent, EmbeddingUpdate, ItemGradient> h) {
        List<String> out = h.extractOutputValues().stream()
                .map(g -> g.itemId + "x" + g.appearances + java.util.Arrays.toString(g.gradient)).toList();
        h.getOutput().clear();
        return out;
    }

    @Test
    void hotUserCacheOfOneEntryBehavesLikeAnUnboundedOne() throws Exception {
        // Capacity 1: five users alternate, so nearly every event evicts a changed user to RocksDB and reads one
        // back. Gradients and published vectors must be exactly those of a run with every user on the heap.
        List<String> hot = userRun(10_000, false);
        assertEquals(hot, userRun(1, false));
        assertEquals(5, hot.stream().filter(x -> x.startsWith("u")).count(), "each user published once: " + hot);
    }

    @Test
    void hotUsersAreInTheCheckpoint() throws Exception {
        // The checkpoint midway is taken while users' latest changes sit only on the heap (capacity 10,000) or
        // partly in RocksDB (capacity 2): a run restored from it must continue exactly where the first one was.
        for (int hotUsers : new int[] {10_000, 2}) {
            assertEquals(userRun(hotUsers, false), userRun(hotUsers, true), "hot=" + hotUsers);
        }
    }

    private static TowerSettings itemSettings(int hotItems, Duration itemTtl) {
        return new TowerSettings(1, Duration.ofMillis(50), Duration.ofSeconds(1), 1.0, true, Duration.ZERO, itemTtl,
                hotItems, 10_000);
    }

    /** What a run of gradient records and ticks publishes, version by version. */
    private static List<List<EmbeddingUpdate>> publishRun(int hotItems, boolean restoreMidway) throws Exception {
        int len = new Learner(PARAMS).vectorLength();
        var h = itemTower(new ItemTower(PARAMS, itemSettings(hotItems, Duration.ZERO)), null);
        List<List<EmbeddingUpdate>> versions = new ArrayList<>();
        String[] ids = {"a", "b", "c", "a", "d", "b", "a", "e", "c", "a"};
        long version = 0;
        for (int i = 0; i < ids.length; i++) {
            h.processElement1(ItemInput.of(new ItemGradient(ids[i], filled(len, 0.01f * (i + 1)), 1)), T0 + i);
            if (i % 3 == 2) {
                h.processElement2(++version, 0);
                versions.add(drain(h));
            }
            if (restoreMidway && i == 4) {
                // Unpublished, unpersisted hot entries at the checkpoint: the barrier must find them in RocksDB.
                OperatorSubtaskState snapshot = h.snapshot(1, 10);
                h.close();
                h = itemTower(new ItemTower(PARAMS, itemSettings(hotItems, Duration.ZERO)), snapshot);
            }
        }
        h.processElement2(++version, 0);
        versions.add(drain(h));
        h.close();
        return versions;
    }

    private static String describe(List<EmbeddingUpdate> version) {
        return version.stream().filter(u -> !u.marker).sorted(java.util.Comparator.comparing(u -> u.entityId))
                .map(u -> u.entityId + "@" + u.updateCount + java.util.Arrays.toString(u.vector))
                .collect(Collectors.joining(" ")) + " | " + version.get(version.size() - 1).recordCount;
    }

    @Test
    void hotItemCacheOfOneEntryPublishesWhatAnUnboundedOneDoes() throws Exception {
        // Capacity 1 evicts on nearly every record: items leave the heap unpublished and unpersisted, and come back
        // from RocksDB. Every version must carry the same items, counts and vectors as with everything hot.
        List<String> hot = publishRun(50_000, false).stream().map(TowerHarnessTest::describe).toList();
        List<String> evicting = publishRun(1, false).stream().map(TowerHarnessTest::describe).toList();
        assertEquals(hot, evicting);
        assertTrue(hot.get(0).startsWith("a@1"), hot.get(0));
    }

    @Test
    void hotEntriesAreInTheCheckpoint() throws Exception {
        // Restored midway from a checkpoint taken while changes sat only on the heap: afterwards every item is
        // republished once (restore), and the vectors equal those of the run without a restore.
        for (int hotItems : new int[] {50_000, 2}) {
            List<List<EmbeddingUpdate>> plain = publishRun(hotItems, false);
            List<List<EmbeddingUpdate>> restored = publishRun(hotItems, true);
            List<EmbeddingUpdate> last = plain.get(plain.size() - 1);
            List<EmbeddingUpdate> lastRestored = restored.get(restored.size() - 1);
            for (EmbeddingUpdate u : last) {
                if (!u.marker) {
                    EmbeddingUpdate r = lastRestored.stream().filter(x -> u.entityId.equals(x.entityId)).findFirst()
                            .orElseThrow();
                    assertArrayEquals(u.vector, r.vector, "hot=" + hotItems + " " + u.entityId);
                    assertEquals(u.updateCount, r.updateCount);
                }
            }
            // The first tick after the restore (version 2) republishes every item seen by then, once.
            assertEquals(List.of("a", "b", "c", "d", "marker"), names(restored.get(1)), "hot=" + hotItems);
            assertEquals(List.of("a", "c", "e", "marker"), names(restored.get(2)), "hot=" + hotItems);
        }
    }

    @Test
    void hotItemExpiresLikeAColdOne() throws Exception {
        int len = new Learner(PARAMS).vectorLength();
        var h = itemTower(new ItemTower(PARAMS, itemSettings(50_000, Duration.ofHours(1))), null);
        h.setProcessingTime(1_000);
        h.setStateTtlProcessingTime(1_000);
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 1)), T0);
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 1)), T0 + 1);
        h.snapshot(1, 2); // written to RocksDB at the barrier, at TTL time 1,000
        h.processElement2(1L, 0);
        assertEquals(2, drain(h).get(0).updateCount);

        h.setProcessingTime(1_000 + Duration.ofHours(2).toMillis());
        h.setStateTtlProcessingTime(1_000 + Duration.ofHours(2).toMillis());
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 1)), T0 + 2);
        h.processElement2(2L, 0);
        assertEquals(1, drain(h).get(0).updateCount, "expired: starts again from the initial vector");
        h.close();
    }

    private static final String COMEDY = io.streamrec.schema.features.FeatureKeys.item("genre", "comedy");

    @Test
    void catalogItemsArePublishedWithTheirFeaturesRetiredOnesRemovedAndRestoredWithThem() throws Exception {
        Learner l = new Learner(PARAMS);
        int len = l.vectorLength();
        var h = itemTower(new ItemTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), null);
        io.streamrec.schema.features.ItemFeatures f = io.streamrec.schema.features.ItemFeatures.of(
                new String[] {COMEDY}, new float[] {0.5f});
        h.processElement1(ItemInput.catalog("new", true, f), T0);
        h.processElement1(ItemInput.of(new ItemGradient(COMEDY, filled(len, 0.1f), 3)), T0);
        h.processElement2(1L, 0);
        List<EmbeddingUpdate> v1 = drain(h);
        assertEquals(List.of(COMEDY, "new", "marker"), names(v1));
        EmbeddingUpdate item = v1.stream().filter(u -> "new".equals(u.entityId)).findFirst().orElseThrow();
        assertEquals(f, item.features(), "published with its catalog features");
        assertArrayEquals(l.initialItemVector("new"), item.vector, "a catalog-only item: its initial id vector");
        assertEquals(0, item.updateCount);
        EmbeddingUpdate feature = v1.stream().filter(u -> COMEDY.equals(u.entityId)).findFirst().orElseThrow();
        io.streamrec.job.model.ItemState expected = l.newItem(COMEDY);
        assertArrayEquals(new float[len], expected.vector, "a feature starts at zero");
        l.applyItemGradient(expected, filled(len, 0.1f), 3);
        assertArrayEquals(expected.vector, feature.vector);
        EmbeddingUpdate marker = v1.get(v1.size() - 1);
        assertEquals(2, marker.recordCount);
        assertEquals(l.querySpec(), io.streamrec.schema.features.QuerySpec.fromJson(marker.querySpec),
                "markers carry the query spec");

        // Retired: published as removed, and not again while retired, though it keeps learning.
        h.processElement1(ItemInput.catalog("new", false, io.streamrec.schema.features.ItemFeatures.NONE), T0 + 1);
        h.processElement2(2L, 0);
        List<EmbeddingUpdate> v2 = drain(h);
        assertEquals(List.of("new", "marker"), names(v2));
        assertTrue(v2.get(0).removed);
        h.processElement1(ItemInput.of(new ItemGradient("new", filled(len, 0.1f), 1)), T0 + 2);
        h.processElement2(3L, 0);
        assertEquals(List.of("marker"), names(drain(h)));

        // Offered again: published with what it learned meanwhile.
        h.processElement1(ItemInput.catalog("new", true, f), T0 + 3);
        OperatorSubtaskState snapshot = h.snapshot(1, 10);
        h.processElement2(4L, 0);
        EmbeddingUpdate back = drain(h).get(0);
        assertEquals("new", back.entityId);
        assertEquals(1, back.updateCount);
        assertEquals(f, back.features());
        h.close();

        // A restore republishes every item with its features.
        var restored = itemTower(new ItemTower(PARAMS, settings(1, Duration.ZERO, Duration.ZERO)), snapshot);
        restored.processElement2(5L, 0);
        List<EmbeddingUpdate> republished = drain(restored);
        assertEquals(List.of(COMEDY, "new", "marker"), names(republished));
        assertEquals(f, republished.stream().filter(u -> "new".equals(u.entityId)).findFirst().orElseThrow()
                .features());
        restored.close();
    }

    @Test
    void expiredItemsAndFeaturesArePublishedAsRemoved() throws Exception {
        int len = new Learner(PARAMS).vectorLength();
        var h = itemTower(new ItemTower(PARAMS, itemSettings(50_000, Duration.ofHours(1))), null);
        long t = 1_000;
        h.setProcessingTime(t);
        h.setStateTtlProcessingTime(t);
        for (String key : List.of("a", "b", COMEDY)) {
            h.processElement1(ItemInput.of(new ItemGradient(key, filled(len, 0.1f), 1)), T0);
        }
        h.snapshot(1, 2);
        h.processElement2(1L, 0);
        assertEquals(List.of(COMEDY, "a", "b", "marker"), names(drain(h)));

        // Half an hour later b learns again; then, past the TTL of a and the feature, a sweep removes them.
        t += Duration.ofMinutes(30).toMillis();
        h.setProcessingTime(t);
        h.setStateTtlProcessingTime(t);
        h.processElement1(ItemInput.of(new ItemGradient("b", filled(len, 0.1f), 1)), T0 + 1);
        h.snapshot(2, 3);
        h.processElement2(2L, 0);
        assertEquals(List.of("b", "marker"), names(drain(h)));
        t += Duration.ofMinutes(40).toMillis();
        h.setProcessingTime(t);
        h.setStateTtlProcessingTime(t);
        h.processElement2(3L, 0);
        List<EmbeddingUpdate> swept = drain(h);
        assertEquals(List.of(COMEDY, "a", "marker"), names(swept));
        assertTrue(swept.get(0).removed && swept.get(1).removed);
        assertEquals(2, swept.get(2).recordCount, "removals count in the marker");
        h.processElement2(4L, 0);
        assertEquals(List.of("marker"), names(drain(h)), "removed once");

        // An expired item that learns again starts afresh and is published again.
        h.processElement1(ItemInput.of(new ItemGradient("a", filled(len, 0.1f), 1)), T0 + 2);
        h.processElement2(5L, 0);
        List<EmbeddingUpdate> again = drain(h);
        assertEquals(List.of("a", "marker"), names(again));
        assertEquals(1, again.get(0).updateCount);
        h.close();
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }

    private static List<EmbeddingUpdate> drain(
            KeyedTwoInputStreamOperatorTestHarness<String, ItemInput, Long, EmbeddingUpdate> h) {
        List<EmbeddingUpdate> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    /** Entity ids in order of emission, except that ids between markers are sorted (RocksDB key order). */
    private static List<String> names(List<EmbeddingUpdate> updates) {
        List<String> out = new ArrayList<>();
        List<String> run = new ArrayList<>();
        for (EmbeddingUpdate u : updates) {
            if (u.marker) {
                run.sort(null);
                out.addAll(run);
                run.clear();
                out.add("marker");
            } else {
                run.add(u.entityId);
            }
        }
        run.sort(null);
        out.addAll(run);
        return out;
    }
}
