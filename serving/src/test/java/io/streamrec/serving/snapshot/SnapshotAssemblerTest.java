package io.streamrec.serving.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Completion, isolation between versions, republish after restore, record counts and persistence. */
class SnapshotAssemblerTest {

    private static float[] v(float x) {
        return new float[] {x, x, x, x};
    }

    @Test
    void shouldSwapOnlyWhenEverySubtaskHasAMarker() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        assertNull(a.onEmbedding("a", v(1), 1, 0));
        assertNull(a.onEmbedding("b", v(2), 1, 1));
        a.onMarker(1, 0, 2, 1, 100);
        assertNull(a.trySwap(0, 0), "subtask 1 has no marker yet");
        a.onMarker(1, 1, 2, 1, 200);
        SnapshotAssembler.Swap s = a.trySwap(0, 0);
        assertNotNull(s);
        assertEquals(1, s.version);
        assertEquals(200, s.publishedAtMs);
        assertTrue(s.verified);
        assertEquals(Set.of("a", "b"), s.updates.keySet());
        assertNull(a.trySwap(0, 0), "nothing newer");
        assertEquals(0, a.pendingItems());
    }

    @Test
    void shouldKeepRecordsOfANewerVersionOutOfTheSwap() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        a.onEmbedding("a", v(1), 1, 0);
        a.onMarker(1, 0, 2, 1, 0);
        // subtask 0 is fast: it already publishes version 2 before subtask 1 finished version 1
        a.onEmbedding("a", v(2), 2, 0);
        a.onEmbedding("c", v(2), 2, 0);
        a.onMarker(2, 0, 2, 2, 0);
        a.onEmbedding("b", v(1), 1, 1);
        a.onMarker(1, 1, 2, 1, 0);
        SnapshotAssembler.Swap s = a.trySwap(0, 0);
        assertEquals(1, s.version);
        assertEquals(Set.of("a", "b"), s.updates.keySet());
        assertArrayEquals(v(1), s.updates.get("a").vector, "version 1's vector, not version 2's");
        assertEquals(2, a.pendingItems(), "a and c stay pending for version 2");
        a.onEmbedding("b", v(2), 2, 1);
        a.onMarker(2, 1, 2, 1, 0);
        SnapshotAssembler.Swap s2 = a.trySwap(0, 0);
        assertEquals(2, s2.version);
        assertArrayEquals(v(2), s2.updates.get("a").vector);
        assertEquals(Set.of("a", "b", "c"), s2.updates.keySet());
    }

    @Test
    void shouldWaitForCountedRecordsThenSwapUnverifiedAfterTheWait() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        a.onEmbedding("a", v(1), 1, 0);
        a.onMarker(1, 0, 1, 2, 0); // counts 2 records, only 1 has arrived (the other is on another partition)
        assertNull(a.trySwap(1000, 500));
        assertNull(a.trySwap(1400, 500));
        a.onEmbedding("b", v(1), 1, 0);
        SnapshotAssembler.Swap s = a.trySwap(1450, 500);
        assertNotNull(s);
        assertTrue(s.verified);

        a.onMarker(2, 0, 1, 5, 0); // 5 counted, none arrive (compacted away)
        assertNull(a.trySwap(2000, 500));
        SnapshotAssembler.Swap late = a.trySwap(2500, 500);
        assertNotNull(late);
        assertFalse(late.verified);
        assertEquals(2, late.version);
    }

    @Test
    void shouldHandleRepublishAfterTrainerRestore() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        for (int ver = 1; ver <= 3; ver++) {
            a.onEmbedding("a", v(ver), ver, 0);
            a.onMarker(ver, 0, 1, 1, 0);
            assertEquals(ver, a.trySwap(0, 0).version);
        }
        // an abandoned version 4 record arrives, then the trainer restores and republishes from version 2
        a.onEmbedding("b", v(4), 4, 0);
        a.onEmbedding("b", v(20), 2, 0);
        a.onMarker(2, 0, 1, 1, 0);
        assertNull(a.trySwap(0, 0), "a marker at or below the served version completes nothing");
        a.onEmbedding("a", v(30), 3, 0);
        a.onMarker(3, 0, 1, 1, 0);
        assertNull(a.trySwap(0, 0));
        a.onEmbedding("a", v(40), 4, 0);
        a.onMarker(4, 0, 1, 1, 0);
        SnapshotAssembler.Swap s = a.trySwap(0, 0);
        assertEquals(4, s.version);
        assertArrayEquals(v(40), s.updates.get("a").vector, "newest arrival wins");
        assertArrayEquals(v(20), s.updates.get("b").vector, "the abandoned version-4 record was superseded");
    }

    @Test
    void shouldRestartMarkerTrackingWhenParallelismChanges() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        a.onMarker(1, 0, 2, 0, 0);
        a.onMarker(2, 0, 3, 0, 0);
        a.onMarker(2, 1, 3, 0, 0);
        assertNull(a.trySwap(0, 0), "subtask 2 of 3 has not reported");
        a.onMarker(2, 2, 3, 0, 0);
        assertEquals(2, a.trySwap(0, 0).version);
    }

    @Test
    void shouldSkipWrongDimensionAndNonFiniteVectors() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        assertNull(a.onEmbedding("a", v(1), 1, 0));
        assertEquals("dimension", a.onEmbedding("b", new float[] {1, 2}, 1, 0));
        assertEquals("non_finite", a.onEmbedding("c", new float[] {1, Float.NaN, 1, 1}, 1, 0));
        assertEquals("empty_vector", a.onEmbedding("d", new float[0], 1, 0));
        assertEquals("bad_id", a.onEmbedding("", v(1), 1, 0));
    }

    @Test
    void shouldBoundPendingVersionsPerItemWhenMarkersStopComing() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        for (int ver = 1; ver <= 100; ver++) {
            a.onEmbedding("a", v(ver), ver, 0);
        }
        a.onMarker(100, 0, 1, 1, 0);
        SnapshotAssembler.Swap s = a.trySwap(0, 0);
        assertArrayEquals(v(100), s.updates.get("a").vector);
        assertTrue(a.pendingBytes("a") == null, "nothing left pending");
        a.onEmbedding("b", v(1), 101, 0);
        for (int ver = 102; ver <= 200; ver++) {
            a.onEmbedding("b", v(ver), ver, 0);
        }
        // Format tag and count, then per entry: version, length, 4 floats, no features, popularity.
        assertTrue(a.pendingBytes("b").length <= 8 + SnapshotAssembler.MAX_PENDING_VERSIONS * (8 + 4 + 16 + 4 + 4));
    }

    @Test
    void shouldRoundTripItsStateAndPendingEntries() {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        a.onEmbedding("a", v(1), 1, 0);
        a.onMarker(1, 0, 2, 1, 7);
        a.onEmbedding("b", v(1), 1, 1);
        SnapshotAssembler b = SnapshotAssembler.fromStateBytes(a.stateBytes());
        for (String id : a.drainDirty()) {
            b.restorePending(id, a.pendingBytes(id));
        }
        b.onMarker(1, 1, 2, 1, 9);
        SnapshotAssembler.Swap s = b.trySwap(0, 0);
        assertNotNull(s);
        assertTrue(s.verified, "counts survived the round trip");
        assertEquals(Set.of("a", "b"), s.updates.keySet());
        assertEquals(9, s.publishedAtMs);
    }

    /** An item's popularity survives pending persistence and the served row's persistence; old rows read as 0. */
    @Test
    void shouldKeepPopularityThroughPersistence() throws Exception {
        SnapshotAssembler a = new SnapshotAssembler(-1, 0);
        a.onEmbedding("a", v(1), io.streamrec.schema.features.ItemFeatures.NONE, 42f, 1, 0);
        SnapshotAssembler b = SnapshotAssembler.fromStateBytes(a.stateBytes());
        for (String id : a.drainDirty()) {
            b.restorePending(id, a.pendingBytes(id));
        }
        b.onMarker(1, 0, 1, 1, 9);
        SnapshotAssembler.Update u = b.trySwap(0, 0).updates.get("a");
        assertEquals(42f, u.popularity);
        SnapshotAssembler.Update row = SnapshotLoader.decodeRow(SnapshotLoader.encodeRow(u));
        assertEquals(42f, row.popularity);
        assertArrayEquals(v(1), row.vector);

        // A row persisted before popularity existed: feature count, then the vector.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(0);
            out.write(io.streamrec.schema.EmbeddingCodec.packVector(v(3)).array());
        }
        SnapshotAssembler.Update old = SnapshotLoader.decodeRow(bytes.toByteArray());
        assertEquals(0f, old.popularity);
        assertArrayEquals(v(3), old.vector);
    }
}
