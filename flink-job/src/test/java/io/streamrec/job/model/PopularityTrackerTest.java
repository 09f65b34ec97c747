package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PopularityTrackerTest {

    @Test
    void ranksByCountWithExclusionsAndTies() {
        PopularityTracker p = new PopularityTracker(10, 0);
        for (String id : List.of("a", "b", "b", "c", "c", "c", "d")) {
            p.add(id, 0L, 1.0);
        }
        assertEquals(List.of("c", "b", "a", "d"), p.top(10, Set.of()));
        assertEquals(0, p.rankOf("c", Set.of()));
        assertEquals(2, p.rankOf("a", Set.of()));
        // "a" and "d" tie at 1: the longer-tracked "a" ranks first.
        assertEquals(3, p.rankOf("d", Set.of()));
        assertEquals(1, p.rankOf("d", Set.of("c", "b")));
        assertEquals(List.of("b", "d"), p.top(2, Set.of("c", "a")));
        assertEquals(-1, p.rankOf("zzz", Set.of()));
    }

    @Test
    void spaceSavingKeepsHeavyHittersInBoundedMemory() {
        PopularityTracker p = new PopularityTracker(50, 0);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 50_000; i++) {
            // 30% of traffic on 3 heavy items, the rest spread over 10,000 items.
            String id = rnd.nextInt(10) < 3 ? "heavy" + rnd.nextInt(3) : "tail" + rnd.nextInt(10_000);
            p.add(id, i, 1.0);
        }
        assertEquals(50, p.size());
        List<String> top = p.top(3, Set.of());
        assertTrue(top.containsAll(List.of("heavy0", "heavy1", "heavy2")), top.toString());
        // Space-Saving overestimates by at most the minimum counter: heavy counts are ~5000 each.
        assertEquals(5000, p.score("heavy0"), 600);
    }

    @Test
    void halfLifeMakesRecentEventsCountMore() {
        long hour = 3_600_000L;
        PopularityTracker p = new PopularityTracker(10, hour);
        for (int i = 0; i < 4; i++) {
            p.add("old", 0L, 1.0);
        }
        // 3 hours later one event of "new" weighs 2^3 = 8 of the old ones, so it outranks 4 old events.
        p.add("new", 3 * hour, 1.0);
        assertEquals(List.of("new", "old"), p.top(2, Set.of()));
        assertEquals(8.0 / 4.0, p.score("new") / p.score("old"), 1e-9);
        // Far in the future the counters are rescaled; the order and ratios survive.
        p.add("new", 500 * hour, 1.0);
        p.add("old", 500 * hour, 1.0);
        p.add("old", 500 * hour, 1.0);
        assertEquals(List.of("old", "new"), p.top(2, Set.of()));
        assertTrue(Double.isFinite(p.score("old")));
    }

    @Test
    void snapshotRestoreRanksAndEvictsTheSame() {
        PopularityTracker p = new PopularityTracker(20, 1000);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            p.add("i" + rnd.nextInt(40), i * 10L, 1.0 + rnd.nextInt(3));
        }
        PopularityTracker r = PopularityTracker.fromBytes(p.toBytes());
        assertEquals(p.top(20, Set.of()), r.top(20, Set.of()));
        for (int i = 0; i < 200; i++) {
            String id = "i" + rnd.nextInt(60);
            long t = 5000 + i * 10L;
            p.add(id, t, 1.0);
            r.add(id, t, 1.0);
        }
        assertEquals(p.top(20, Set.of()), r.top(20, Set.of()));
        assertEquals(p.rankOf("i3", Set.of("i1")), r.rankOf("i3", Set.of("i1")));
        assertFalse(r.top(20, Set.of()).isEmpty());
    }
}
