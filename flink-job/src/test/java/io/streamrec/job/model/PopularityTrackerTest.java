package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
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

    /**
     * Against a brute-force Space-Saving (a list of counters, a linear search for the least one, a full sort to
     * rank): same counters, scores, ranks, top lists and evictions, with integer weights (many ties), decay with
     * rescaling, far more ids than counters, and a snapshot taken halfway whose copy must go on identically.
     */
    @Test
    void matchesABruteForceSpaceSaving() {
        for (long halfLife : new long[] {0, 50}) {
            SplittableRandom rnd = new SplittableRandom(halfLife + 11);
            PopularityTracker p = new PopularityTracker(40, halfLife);
            BruteForce ref = new BruteForce(40, halfLife);
            PopularityTracker restored = null;
            for (int i = 0; i < 6_000; i++) {
                String id = "i" + (int) (120 * Math.pow(rnd.nextDouble(), 2));
                long t = i * 2L + (i > 4_000 ? 100_000L : 0L); // a jump far enough to force a rescale
                double w = 1 + rnd.nextInt(3);
                p.add(id, t, w);
                ref.add(id, t, w);
                if (restored != null) {
                    restored.add(id, t, w);
                }
                if (i == 3_000) {
                    restored = PopularityTracker.fromBytes(p.toBytes());
                }
                if (i % 97 == 0) {
                    Set<String> exclude = new HashSet<>();
                    for (int x = 0; x < 5; x++) {
                        exclude.add("i" + rnd.nextInt(40));
                    }
                    for (PopularityTracker q : restored == null ? List.of(p) : List.of(p, restored)) {
                        assertEquals(ref.top(40, exclude), q.top(40, exclude), "top at " + i);
                        for (int k = 0; k < 130; k += 3) {
                            String target = "i" + k;
                            assertEquals(ref.rankOf(target, exclude, Integer.MAX_VALUE),
                                    q.rankOf(target, exclude), target + " at " + i);
                            assertEquals(ref.rankOf(target, exclude, 10), q.rankOf(target, exclude, 10));
                            assertEquals(ref.score(target), q.score(target), 0.0);
                        }
                        assertEquals(Math.min(40, ref.counters.size()), q.size());
                    }
                }
            }
        }
    }

    /** The textbook algorithm, slowly: a list of counters. */
    private static final class BruteForce {
        private static final class Counter {
            final String id;
            double count;
            final long seq;

            Counter(String id, double count, long seq) {
                this.id = id;
                this.count = count;
                this.seq = seq;
            }
        }

        /** Heaviest first; among equal counts the longer-tracked (smaller seq) first. */
        private static final Comparator<Counter> DESCENDING = Comparator.<Counter>comparingDouble(c -> -c.count)
                .thenComparingLong(c -> c.seq);

        final List<Counter> counters = new ArrayList<>();
        final int capacity;
        final long halfLife;
        long landmark = Long.MIN_VALUE;
        long seq;

        BruteForce(int capacity, long halfLife) {
            this.capacity = capacity;
            this.halfLife = halfLife;
        }

        void add(String id, long t, double weight) {
            double w = weight;
            if (halfLife > 0) {
                if (landmark == Long.MIN_VALUE) {
                    landmark = t;
                }
                double exponent = (double) (t - landmark) / halfLife;
                if (exponent > 64) {
                    long shift = (long) Math.floor(exponent);
                    for (Counter c : counters) {
                        c.count *= Math.scalb(1.0, (int) -shift);
                    }
                    landmark += shift * halfLife;
                    exponent = (double) (t - landmark) / halfLife;
                }
                w *= Math.pow(2.0, exponent);
            }
            for (Counter c : counters) {
                if (c.id.equals(id)) {
                    c.count += w;
                    return;
                }
            }
            if (counters.size() < capacity) {
                counters.add(new Counter(id, w, seq++));
                return;
            }
            Counter least = counters.stream().max(DESCENDING).orElseThrow();
            counters.remove(least);
            counters.add(new Counter(id, least.count + w, seq++));
        }

        List<String> top(int n, Set<String> exclude) {
            return counters.stream().sorted(DESCENDING).map(c -> c.id).filter(id -> !exclude.contains(id))
                    .limit(n).toList();
        }

        int rankOf(String target, Set<String> exclude, int limit) {
            if (counters.stream().noneMatch(c -> c.id.equals(target))) {
                return -1;
            }
            int rank = 0;
            for (String id : top(capacity, Set.of())) {
                if (id.equals(target)) {
                    return Math.min(rank, limit);
                }
                if (!exclude.contains(id)) {
                    rank++;
                }
            }
            throw new IllegalStateException();
        }

        double score(String id) {
            return counters.stream().filter(c -> c.id.equals(id)).mapToDouble(c -> c.count).findFirst().orElse(0);
        }
    }
}
