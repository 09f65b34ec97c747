package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemVectorCacheTest {

    @Test
    void evictsTheLeastRecentlyUsed() {
        ItemVectorCache c = new ItemVectorCache(3, 2);
        c.put("a", new float[] {1, 0});
        c.put("b", new float[] {2, 0});
        c.put("c", new float[] {3, 0});
        assertArrayEquals(new float[] {1, 0}, c.get("a")); // a is now the most recent
        c.put("d", new float[] {4, 0});                     // evicts b
        assertNull(c.get("b"));
        assertEquals(List.of("c", "a", "d"), c.idsByRecency());
        assertEquals(3, c.size());
        // Read-only look-ups do not count as a use.
        assertTrue(c.contains("c"));
        c.rankOf(new float[] {1, 0}, "c", Set.of());
        c.put("e", new float[] {5, 0});                     // evicts c
        assertFalse(c.contains("c"));
    }

    @Test
    void peekAndAddScaledReadWithoutCountingAUse() {
        ItemVectorCache c = new ItemVectorCache(3, 3);
        c.put("a", new float[] {1, 2, 3});
        c.put("b", new float[] {4, 5, 6});
        float[] acc = {10, 10, 10};
        int slot = c.peekSlot("a");
        assertTrue(c.holds(slot, "a"));
        c.addScaledAt(slot, 0.5f, acc, 2);
        assertArrayEquals(new float[] {10.5f, 11, 10}, acc, "the first n coordinates only");
        assertEquals(-1, c.peekSlot("zz"));
        assertEquals(List.of("a", "b"), c.idsByRecency(), "a read is not a use");
        c.put("c", new float[3]);
        c.put("d", new float[3]);
        assertFalse(c.contains("a"), "still the least recently used, so evicted first");
    }

    @Test
    void putOverwritesInPlace() {
        ItemVectorCache c = new ItemVectorCache(2, 2);
        c.put("a", new float[] {1, 1});
        c.put("a", new float[] {2, 2});
        assertEquals(1, c.size());
        assertArrayEquals(new float[] {2, 2}, c.get("a"));
        assertThrows(IllegalArgumentException.class, () -> c.put("x", new float[] {1}));
    }

    @Test
    void ranksCountHigherOrEqualNonExcludedItems() {
        ItemVectorCache c = new ItemVectorCache(10, 1);
        for (int i = 1; i <= 5; i++) {
            c.put("s" + i, new float[] {i});
        }
        c.put("tie", new float[] {3});
        float[] q = {1};
        assertEquals(0, c.rankOf(q, "s5", Set.of()));
        assertEquals(3, c.rankOf(q, "s3", Set.of()));        // s5, s4 and the tie
        assertEquals(1, c.rankOf(q, "s3", Set.of("s5", "tie")));
        assertEquals(2, c.rankOf(q, "s1", Set.of(), 2));    // capped
        assertEquals(-1, c.rankOf(q, "unknown", Set.of()));
    }

    @Test
    void snapshotRestoreKeepsContentsAndRecency() {
        ItemVectorCache c = new ItemVectorCache(4, 3);
        for (int i = 0; i < 6; i++) {
            c.put("i" + i, new float[] {i, -i, 0.5f * i});
        }
        c.get("i3");
        ItemVectorCache r = ItemVectorCache.fromBytes(c.toBytes());
        assertEquals(c.idsByRecency(), r.idsByRecency());
        for (String id : c.idsByRecency()) {
            assertArrayEquals(c.get(id), r.get(id));
        }
        r.put("new", new float[] {0, 0, 0});
        c.put("new", new float[] {0, 0, 0});
        assertEquals(c.idsByRecency(), r.idsByRecency());
    }

    /**
     * The capped, block-by-block rank equals the capped brute-force rank: every item scored in the kernel's order of
     * operations (sequential sums, the last n mod 4 items by the 4-lane dot), ties and exclusions included, over
     * several blocks and a slab length that is no multiple of 4.
     */
    @Test
    void cappedRankEqualsBruteForce() {
        int n = 2_503;
        int len = 7;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        ItemVectorCache c = new ItemVectorCache(n, len);
        float[][] v = new float[n][len];
        for (int j = 0; j < n; j++) {
            for (int d = 0; d < len; d++) {
                v[j][d] = (float) rnd.nextGaussian();
            }
            if (j % 97 == 5) {
                v[j] = v[j - 1].clone(); // exact ties
            }
            c.put("i" + j, v[j]);
        }
        java.util.Set<String> exclude = new java.util.HashSet<>();
        for (int j = 0; j < n; j += 13) {
            exclude.add("i" + j);
        }
        for (int trial = 0; trial < 200; trial++) {
            float[] q = new float[len];
            for (int d = 0; d < len; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            int t = trial < 4 ? n - 1 - trial : rnd.nextInt(n); // targets in the tail too
            float[] s = new float[n];
            for (int j = 0; j < n; j++) {
                if (j >= (n & ~3)) {
                    s[j] = Vectors.dot(q, v[j]);
                } else {
                    float sum = 0f;
                    for (int d = 0; d < len; d++) {
                        sum += q[d] * v[j][d];
                    }
                    s[j] = sum;
                }
            }
            int rank = 0;
            for (int j = 0; j < n; j++) {
                if (j != t && s[j] >= s[t] && !exclude.contains("i" + j)) {
                    rank++;
                }
            }
            for (int limit : new int[] {1, 10, 100, 1_000, Integer.MAX_VALUE}) {
                assertEquals(Math.min(rank, limit), c.rankOf(q, "i" + t, exclude, limit),
                        "trial " + trial + " target " + t + " limit " + limit);
            }
        }
    }

    /**
     * Items ranked with a popularity prior score {@code query . vector + prior}: rank and top-k equal a brute force
     * over those scores, also after a removal moved the last slot into the freed one; the vector itself (what
     * training reads) never includes the prior, and a plain put clears it.
     */
    @Test
    void ranksWithThePriorButVectorsStayWithoutIt() {
        int n = 301;
        int len = 5;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
        ItemVectorCache c = new ItemVectorCache(n, len);
        java.util.Map<String, float[]> v = new java.util.HashMap<>();
        java.util.Map<String, Float> prior = new java.util.HashMap<>();
        for (int j = 0; j < n; j++) {
            float[] x = new float[len];
            for (int d = 0; d < len; d++) {
                x[d] = (float) rnd.nextGaussian();
            }
            float p = j % 3 == 0 ? 0f : (float) (0.3 * Math.log1p(j));
            v.put("i" + j, x);
            prior.put("i" + j, p);
            c.putItem("i" + j, x, io.streamrec.schema.features.ItemFeatures.NONE, p);
        }
        assertTrue(c.remove("i7"));
        v.remove("i7");
        prior.remove("i7");
        c.put("i8", v.get("i8")); // a put without a prior clears the old one
        prior.put("i8", 0f);
        assertEquals(0f, c.priorOf("i8"));
        assertEquals(prior.get("i300"), c.priorOf("i300"));
        assertArrayEquals(v.get("i300"), c.get("i300"), "the vector has no prior in it");
        for (int trial = 0; trial < 50; trial++) {
            float[] q = new float[len];
            for (int d = 0; d < len; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            String target = "i" + (trial == 0 ? 300 : 1 + rnd.nextInt(n - 1));
            if (target.equals("i7")) {
                continue;
            }
            double ts = Vectors.dot(q, v.get(target)) + prior.get(target);
            int rank = 0;
            String best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (java.util.Map.Entry<String, float[]> e : v.entrySet()) {
                double s = Vectors.dot(q, e.getValue()) + prior.get(e.getKey());
                if (!e.getKey().equals(target) && s >= ts) {
                    rank++;
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = e.getKey();
                }
            }
            assertEquals(rank, c.rankOf(q, target, java.util.Set.of()), target);
            assertEquals(best, c.topK(q, 1, java.util.Set.of()).get(0));
        }
    }
}
