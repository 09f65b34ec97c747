package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeBufferTest {

    @Test
    void keepsTheMostRecentCapacityIdsAndTheirExactFrequencies() {
        NegativeBuffer b = new NegativeBuffer(4, 0.0);
        assertNull(b.sample(new SplittableRandom(1)));
        for (String id : List.of("a", "b", "a", "c", "a", "d")) {
            b.add(id);
        }
        // Oldest two ("a", "b") were overwritten.
        assertEquals(List.of("a", "c", "a", "d"), b.contents());
        assertEquals(4, b.size());
        assertEquals(0.5, b.probability("a"), 1e-12);
        assertEquals(0.25, b.probability("d"), 1e-12);
        assertEquals(0.0, b.probability("b"), 1e-12);
        assertEquals(3, b.frequencies().distinct());
    }

    @Test
    void memoryStaysBoundedByCapacity() {
        NegativeBuffer b = new NegativeBuffer(100, 0.5);
        for (int i = 0; i < 100_000; i++) {
            b.add("item" + i);
        }
        assertEquals(100, b.size());
        assertEquals(100, b.frequencies().distinct());
        assertEquals(100, b.frequencies().total());
    }

    @Test
    void drawsFollowTheWindowFrequencies() {
        NegativeBuffer b = new NegativeBuffer(10, 0.0);
        for (String id : List.of("a", "a", "a", "a", "a", "a", "b", "b", "b", "c")) {
            b.add(id);
        }
        Map<String, Integer> counts = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(3);
        int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(b.sample(rng), 1, Integer::sum);
        }
        for (String id : List.of("a", "b", "c")) {
            assertEquals(b.probability(id), counts.get(id) / (double) draws, 0.01, id);
        }
    }

    @Test
    void smoothingGivesAbsentIdsASmallProbability() {
        NegativeBuffer b = new NegativeBuffer(10, 0.5);
        b.add("a");
        b.add("a");
        b.add("b");
        // denominator = 3 + 0.5 * (2 distinct + 1) = 4.5
        assertEquals(2.5 / 4.5, b.probability("a"), 1e-12);
        assertEquals(0.5 / 4.5, b.probability("zzz"), 1e-12);
    }

    @Test
    void snapshotRestoreContinuesWithTheSameDraws() {
        NegativeBuffer b = new NegativeBuffer(7, 0.5);
        for (int i = 0; i < 19; i++) {
            b.add("i" + (i % 5));
        }
        NegativeBuffer r = NegativeBuffer.fromBytes(b.toBytes());
        assertEquals(b.contents(), r.contents());
        assertEquals(b.probability("i1"), r.probability("i1"), 0.0);
        SplittableRandom r1 = new SplittableRandom(9);
        SplittableRandom r2 = new SplittableRandom(9);
        for (int i = 0; i < 50; i++) {
            assertEquals(b.sample(r1), r.sample(r2));
            b.add("n" + i);
            r.add("n" + i);
        }
        assertEquals(b.contents(), r.contents());
    }

    @Test
    void restoreRejectsAnotherStructuresBytes() {
        byte[] other = new GradientBundle().toBytes();
        assertThrows(RuntimeException.class, () -> NegativeBuffer.fromBytes(other));
        assertTrue(new NegativeBuffer(3, 0).toBytes().length > 0);
    }
}
