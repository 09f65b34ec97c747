package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamrec.local.evaluate.TopKAccuracy.Pair;
import io.streamrec.local.evaluate.TopKAccuracy.Result;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TopKAccuracyTest {

    /**
     * Two users, four items in 2-D, worked out by hand.
     *
     * <pre>
     * items: a=(1,0) b=(0,1) c=(1,1) d=(-1,0)
     * u1=(2,1):  scores a=2 b=1 c=3 d=-2  -> order c, a, b, d
     * u2=(0,1):  scores a=0 b=1 c=1 d=0   -> b and c tie at 1; a and d tie at 0
     * pairs: (u1,a) rank 1 (c above)          (u1,d) rank 3
     *        (u2,b) rank 1 (c ties, counts against b)   (u2,a) rank 3 (b, c above, d ties)
     *        (u3,a) no user vector: miss       (u1,z) item not a candidate: miss
     * top-1: 0/6; top-2: (u1,a),(u2,b) = 2/6; top-4: the four rankable pairs = 4/6.
     * With u1's training items {c} and u2's {c, a} excluded:
     *        (u1,a) rank 0  (u1,d) rank 2  (u2,b) rank 0  (u2,a) rank 2 (b above, d ties; a itself is the target)
     * top-1: 2/6; top-3: 4/6.
     * </pre>
     */
    @Test
    void matchesHandComputedExample() {
        List<String> items = List.of("a", "b", "c", "d");
        List<float[]> vectors = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1},
                new float[] {-1, 0});
        Map<String, float[]> users = Map.of("u1", new float[] {2, 1}, "u2", new float[] {0, 1});
        List<Pair> pairs = List.of(new Pair("u1", "a"), new Pair("u1", "d"), new Pair("u2", "b"),
                new Pair("u2", "a"), new Pair("u3", "a"), new Pair("u1", "z"));
        TopKAccuracy.Scorer model = TopKAccuracy.dotProduct(vectors, users);

        Result plain = TopKAccuracy.evaluate(items, model, pairs, null, 1, 2, 3, 4);
        assertEquals(6, plain.pairs());
        assertEquals(1, plain.missingUser());
        assertEquals(1, plain.missingItem());
        assertEquals(0, plain.hits(1));
        assertEquals(2, plain.hits(2));
        assertEquals(2, plain.hits(3));
        assertEquals(4, plain.hits(4));
        assertEquals(2.0 / 6, plain.accuracy(2), 1e-12);

        Map<String, Set<String>> seen = Map.of("u1", Set.of("c"), "u2", Set.of("c", "a"));
        Result excluding = TopKAccuracy.evaluate(items, model, pairs, seen, 1, 2, 3, 4);
        assertEquals(2, excluding.hits(1));
        assertEquals(2, excluding.hits(2));
        assertEquals(4, excluding.hits(3));
        assertEquals(4, excluding.hits(4));
    }

    @Test
    void popularityTiesCountAgainstTheTarget() {
        // Counts: a=5, b=3, c=3, d=0. Target b: a is above and c ties: rank 2 (and so is c's); d: rank 3.
        List<String> items = List.of("a", "b", "c", "d");
        TopKAccuracy.Scorer pop = TopKAccuracy.sameForEveryone(new double[] {5, 3, 3, 0});
        Result r = TopKAccuracy.evaluate(items, pop, List.of(new Pair("x", "a"), new Pair("x", "b"),
                new Pair("y", "c"), new Pair("y", "d")), null, 1, 2, 3, 4);
        assertEquals(1, r.hits(1)); // a
        assertEquals(1, r.hits(2)); // b and c tie for the second place: neither gets it
        assertEquals(3, r.hits(3)); // a, b, c
        assertEquals(4, r.hits(4));
        // A scorer that gives everything the same score gets no credit at all.
        Result flat = TopKAccuracy.evaluate(items, TopKAccuracy.sameForEveryone(new double[4]),
                List.of(new Pair("x", "a"), new Pair("x", "d")), null, 1, 3);
        assertEquals(0, flat.hits(3));
    }

    /** Random vectors, pairs and exclusions, against a reference that sorts every candidate list. */
    @ParameterizedTest(name = "items={0} users={1} dim={2} seed={3}")
    @CsvSource({"1, 3, 2, 1", "7, 5, 3, 2", "50, 20, 4, 3", "200, 30, 8, 4", "120, 10, 1, 5"})
    void matchesBruteForceReference(int nItems, int nUsers, int dim, long seed) {
        Random rnd = new Random(seed);
        List<String> items = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < nItems; i++) {
            items.add("i" + i);
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                // Coarse values so that ties happen.
                v[d] = rnd.nextInt(5) - 2;
            }
            vectors.add(v);
        }
        Map<String, float[]> users = new HashMap<>();
        Map<String, Set<String>> seen = new HashMap<>();
        List<Pair> pairs = new ArrayList<>();
        for (int u = 0; u < nUsers; u++) {
            String id = "u" + u;
            if (u % 7 != 6) { // some users without a vector
                float[] v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = rnd.nextInt(7) - 3;
                }
                users.put(id, v);
            }
            Set<String> s = new HashSet<>();
            for (int j = 0; j < rnd.nextInt(Math.max(1, nItems / 3)); j++) {
                s.add("i" + rnd.nextInt(nItems));
            }
            seen.put(id, s);
            for (int j = 0; j < 1 + rnd.nextInt(6); j++) {
                // Now and then an unknown item, or an item the user has "seen".
                pairs.add(new Pair(id, rnd.nextInt(15) == 0 ? "unknown" : "i" + rnd.nextInt(nItems)));
            }
        }
        int[] ks = TopKAccuracy.DEFAULT_KS;
        for (Map<String, Set<String>> exclusions : java.util.Arrays.asList(null, seen)) {
            Result r = TopKAccuracy.evaluate(items, TopKAccuracy.dotProduct(vectors, users), pairs, exclusions, ks);
            long[] expected = new long[ks.length];
            for (Pair p : pairs) {
                int rank = bruteForceRank(items, vectors, users.get(p.userId()), p.itemId(),
                        exclusions == null ? Set.of() : exclusions.get(p.userId()));
                for (int i = 0; i < ks.length; i++) {
                    if (rank >= 0 && rank < ks[i]) {
                        expected[i]++;
                    }
                }
            }
            for (int i = 0; i < ks.length; i++) {
                assertEquals(expected[i], r.hits(ks[i]), "top-" + ks[i] + " exclusions=" + (exclusions != null));
            }
            assertEquals(pairs.size(), r.pairs());
        }
    }

    /**
     * The reference: score every candidate in double precision, drop the excluded ones (never the target), sort by
     * score descending with the target after every candidate of equal score, and return the target's position; -1
     * when it cannot be ranked.
     */
    private static int bruteForceRank(List<String> items, List<float[]> vectors, float[] user, String target,
                                      Set<String> excluded) {
        if (user == null || !items.contains(target)) {
            return -1;
        }
        record Scored(String id, double score) {}
        List<Scored> list = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String id = items.get(i);
            if (!id.equals(target) && excluded.contains(id)) {
                continue;
            }
            double s = 0;
            for (int d = 0; d < user.length; d++) {
                s += (double) user[d] * vectors.get(i)[d];
            }
            list.add(new Scored(id, s));
        }
        list.sort(Comparator.comparingDouble((Scored s) -> -s.score())
                .thenComparing(s -> s.id().equals(target) ? 1 : 0));
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).id().equals(target)) {
                return i;
            }
        }
        throw new AssertionError("target vanished");
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> TopKAccuracy.evaluate(List.of("a", "a"),
                TopKAccuracy.sameForEveryone(new double[2]), List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> TopKAccuracy.evaluate(List.of("a"),
                TopKAccuracy.sameForEveryone(new double[1]), List.of(), null, 0));
        Result r = TopKAccuracy.evaluate(List.of("a"), TopKAccuracy.sameForEveryone(new double[1]), List.of(), null);
        assertEquals(0.0, r.accuracy(100));
        assertThrows(IllegalArgumentException.class, () -> r.accuracy(7));
    }
}
