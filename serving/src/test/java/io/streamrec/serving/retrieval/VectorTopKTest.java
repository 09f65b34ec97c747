package io.streamrec.serving.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VectorTopK against the scalar brute-force oracle on seeded random data, over a grid of item counts, dimensions
 * (multiples of the SIMD width and not), k and exclusion sizes (none, a few, half, all but one, all). Float sums
 * in a different order differ in the last bits, so scores are compared with a tolerance and an item may differ
 * from the oracle's only at a near-tie.
 */
class VectorTopKTest {
    private static final TopK VECTOR = new VectorTopK();
    private static final TopK ORACLE = new BruteForceTopK();
    private static final TopK SCALAR = new ScalarTopK();
    /** Splits even tiny matrices (ranges of >= 4 items, up to 3 of them), so the merge is exercised everywhere. */
    private static final ParallelTopK PARALLEL = new ParallelTopK(3, 4);

    static Stream<Arguments> grid() {
        List<Arguments> out = new ArrayList<>();
        int[] ns = {1, 9, 257, 3000};
        int[] dims = {3, 8, 16, 64, 70};
        int[] ks = {1, 10, 100, 1000};
        double[] excludedFractions = {0, 0.01, 0.5, -1 /* all but one */, -2 /* all */};
        long seed = 1;
        for (int n : ns) {
            for (int dim : dims) {
                for (int k : ks) {
                    for (double ex : excludedFractions) {
                        if (n * dim > 3000 * 16 && k != 100) {
                            continue; // keep the big cases few: the test budget is seconds, not minutes
                        }
                        out.add(Arguments.of(n, dim, k, ex, seed++));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "n={0} dim={1} k={2} excluded={3}")
    @MethodSource("grid")
    void matchesBruteForce(int n, int dim, int k, double excludedFraction, long seed) {
        Random rnd = new Random(seed);
        ItemMatrix m = randomMatrix(rnd, n, dim);
        float[] q = randomVector(rnd, dim);
        Exclusion ex = exclusion(rnd, n, excludedFraction);
        for (Similarity sim : Similarity.values()) {
            TopKResult want = ORACLE.search(m, q, k, ex, sim);
            assertValidTopK(m, q, k, ex, sim, VECTOR.search(m, q, k, ex, sim), want);
            assertValidTopK(m, q, k, ex, sim, SCALAR.search(m, q, k, ex, sim), want);
            // The split scan sums each item exactly as the single scan does: identical result, ties included.
            assertIdentical(VECTOR.search(m, q, k, ex, sim), PARALLEL.search(m, q, k, ex, sim));
        }
    }

    @Test
    void splitScanUnderConcurrentQueriesEqualsSingleScan() throws Exception {
        Random rnd = new Random(99);
        ItemMatrix m = randomMatrix(rnd, 5000, 64);
        Exclusion ex = exclusion(rnd, 5000, 0.01);
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            queries.add(randomVector(rnd, 64));
        }
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (float[] q : queries) {
                done.add(clients.submit(() -> assertIdentical(VECTOR.search(m, q, 100, ex, Similarity.DOT),
                        PARALLEL.search(m, q, 100, ex, Similarity.DOT))));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(); // rethrows an assertion failure from a client thread
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void mergeKeepsScoreThenOrdinalOrder() {
        TopKResult a = new TopKResult(new int[] {7, 2}, new float[] {5f, 1f});
        TopKResult b = new TopKResult(new int[] {3, 9, 11}, new float[] {5f, 4f, 1f});
        TopKResult merged = ParallelTopK.merge(new TopKResult[] {a, b}, 4);
        assertEquals(4, merged.size());
        assertEquals(List.of(3, 7, 9, 2), List.of(merged.ordinal(0), merged.ordinal(1), merged.ordinal(2),
                merged.ordinal(3)));
    }

    private static void assertIdentical(TopKResult want, TopKResult got) {
        assertEquals(want.size(), got.size(), "result size");
        for (int r = 0; r < want.size(); r++) {
            assertEquals(want.ordinal(r), got.ordinal(r), "ordinal at rank " + r);
            assertEquals(want.score(r), got.score(r), "score at rank " + r);
        }
    }

    static void assertValidTopK(ItemMatrix m, float[] q, int k, Exclusion ex, Similarity sim, TopKResult got,
                                TopKResult want) {
        int available = m.size() - ex.count();
        assertEquals(Math.min(k, available), got.size(), "result size must be min(k, available)");
        assertEquals(want.size(), got.size());
        Set<Integer> seen = new HashSet<>();
        Set<Integer> oracleSet = new HashSet<>();
        for (int r = 0; r < want.size(); r++) {
            oracleSet.add(want.ordinal(r));
        }
        double last = want.size() == 0 ? 0 : want.score(want.size() - 1);
        for (int r = 0; r < got.size(); r++) {
            int o = got.ordinal(r);
            assertFalse(ex.contains(o), "excluded item returned at rank " + r);
            assertTrue(seen.add(o), "item returned twice");
            double exact = BruteForceTopK.score(m, q, o, sim);
            assertEquals(exact, got.score(r), tol(exact), "reported score is the item's score");
            assertEquals(want.score(r), got.score(r), tol(want.score(r)), "rank " + r + " score");
            if (r > 0) {
                assertTrue(got.score(r) <= got.score(r - 1), "scores must not increase");
            }
            if (!oracleSet.contains(o)) {
                assertEquals(last, exact, tol(last), "an item outside the oracle's top-k must be a near-tie");
            }
        }
    }

    private static double tol(double s) {
        return 1e-4 * (1 + Math.abs(s));
    }

    @Test
    void tiesComeOutByAscendingOrdinalLikeTheOracle() {
        int n = 50;
        float[][] v = new float[n][];
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            v[i] = new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9};
            ids[i] = "i" + i;
        }
        ItemMatrix m = ItemMatrix.of(ids, v);
        Exclusion ex = Exclusion.builder(n).add(0).add(3).add(7).build();
        float[] q = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        TopKResult got = VECTOR.search(m, q, 10, ex, Similarity.DOT);
        TopKResult want = ORACLE.search(m, q, 10, ex, Similarity.DOT);
        for (int r = 0; r < 10; r++) {
            assertEquals(want.ordinal(r), got.ordinal(r));
        }
        assertEquals(1, got.ordinal(0));
        assertEquals(2, got.ordinal(1));
        assertEquals(4, got.ordinal(2));
    }

    @Test
    void emptyMatrixAndBadArguments() {
        ItemMatrix empty = ItemMatrix.empty(0);
        assertEquals(0, VECTOR.search(empty, new float[4], 10, Exclusion.none(), Similarity.DOT).size());
        ItemMatrix m = randomMatrix(new Random(3), 10, 8);
        assertThrows(IllegalArgumentException.class,
                () -> VECTOR.search(m, new float[8], 0, Exclusion.none(), Similarity.DOT));
        assertThrows(IllegalArgumentException.class,
                () -> VECTOR.search(m, new float[7], 5, Exclusion.none(), Similarity.DOT));
    }

    @Test
    void withUpdatesKeepsOrdinalsAndAppendsNewItems() {
        ItemMatrix m = ItemMatrix.of(new String[] {"a", "b"}, new float[][] {{1, 0}, {0, 1}});
        ItemMatrix m2 = m.withUpdates(new java.util.LinkedHashMap<>(java.util.Map.of("b", new float[] {2, 2})));
        ItemMatrix m3 = m2.withUpdates(new java.util.LinkedHashMap<>(java.util.Map.of("c", new float[] {3, 3})));
        assertEquals(1, m3.ordinal("b"));
        assertEquals(2, m3.ordinal("c"));
        assertEquals(2f, m3.vector(1)[0]);
        assertEquals(0f, m.vector(1)[0], "the old matrix is unchanged (copy-on-write)");
        assertThrows(IllegalArgumentException.class,
                () -> m3.withUpdates(java.util.Map.of("d", new float[] {1, 2, 3})));
    }

    static ItemMatrix randomMatrix(Random rnd, int n, int dim) {
        String[] ids = new String[n];
        float[][] v = new float[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = "item-" + i;
            v[i] = randomVector(rnd, dim);
        }
        return ItemMatrix.of(ids, v);
    }

    static float[] randomVector(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }

    static Exclusion exclusion(Random rnd, int n, double fraction) {
        Exclusion.Builder b = Exclusion.builder(n);
        if (fraction == -2) {
            for (int i = 0; i < n; i++) {
                b.add(i);
            }
        } else if (fraction == -1) {
            int keep = rnd.nextInt(n);
            for (int i = 0; i < n; i++) {
                if (i != keep) {
                    b.add(i);
                }
            }
        } else {
            int count = (int) Math.ceil(n * fraction);
            for (int i = 0; i < count; i++) {
                b.add(rnd.nextInt(n));
            }
        }
        return b.build();
    }
}
