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
 *
 * <p>Bf16TopK (and the split scan running it) must return exactly what VectorTopK returns, bit for bit: on the
 * same random grid, and on adversarial data where a wrong error bound or tie rule would show (exact ties, items
 * that differ only below bf16 precision, huge, tiny, subnormal, zero, negative and non-finite values).
 */
class VectorTopKTest {
    private static final TopK VECTOR = new VectorTopK();
    private static final TopK ORACLE = new BruteForceTopK();
    private static final TopK SCALAR = new ScalarTopK();
    /** Splits even tiny matrices (ranges of >= 4 items, up to 3 of them), so the merge is exercised everywhere. */
    private static final ParallelTopK PARALLEL = new ParallelTopK(3, 4);
    private static final TopK BF16 = new Bf16TopK();
    private static final ParallelTopK PARALLEL_BF16 = new ParallelTopK(3, 4, ParallelTopK.Kernel.BF16);

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
            TopKResult single = VECTOR.search(m, q, k, ex, sim);
            assertIdentical(single, PARALLEL.search(m, q, k, ex, sim));
            assertIdentical(single, BF16.search(m, q, k, ex, sim));
            assertIdentical(single, PARALLEL_BF16.search(m, q, k, ex, sim));
        }
    }

    /** Kinds of item data for the bf16 tests. */
    enum Data {
        /** Gaussian. */
        RANDOM,
        /** Gaussian with the last coordinate a bias of 1 (odd dims: 65 = 64 + bias). */
        BIAS,
        /** Only 3 distinct vectors: exact ties everywhere. */
        IDENTICAL,
        /** One vector plus noise in the last mantissa bits: equal in bf16, different in float. */
        BELOW_BF16,
        /** Norms spread over 6 orders of magnitude. */
        SKEWED,
        /** Around 1e18: some dot products overflow to infinity, some vectors round up past the largest bf16. */
        HUGE,
        /** Around 1e-22: products underflow to subnormals or zero. */
        TINY,
        /** Subnormal coordinates, whose bf16 rounding error is absolute, not relative. */
        SUBNORMAL,
        /** Half the items zero vectors, the rest non-positive. */
        ZEROS_AND_NEGATIVES,
        /** A few infinite and NaN coordinates (serving rejects them at ingest; the kernels must still agree). */
        NON_FINITE
    }

    static Stream<Arguments> bf16Grid() {
        List<Arguments> out = new ArrayList<>();
        long seed = 1000;
        for (Data data : Data.values()) {
            for (int dim : new int[] {1, 7, 64, 65}) {
                for (int n : new int[] {1, 9, 257, 5000}) {
                    for (int k : new int[] {1, 10, 100, 1000, n + 5}) {
                        for (int ex : new int[] {0, 200, -1 /* all but three */, -2 /* all */}) {
                            boolean few = n == 1 && k != 1 && k != n + 5 || n == 9 && data != Data.RANDOM
                                    || n == 5000 && data != Data.RANDOM && (dim == 65 || dim == 1 || k > 100);
                            if (few) {
                                continue; // the test budget is seconds
                            }
                            out.add(Arguments.of(data, dim, n, k, ex, seed++));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} dim={1} n={2} k={3} excluded={4}")
    @MethodSource("bf16Grid")
    void bf16IsIdenticalToTheFloatScan(Data data, int dim, int n, int k, int excludedCount, long seed) {
        Random rnd = new Random(seed);
        ItemMatrix m = matrix(rnd, data, n, dim);
        float[] q = data == Data.BIAS ? withBias(randomVector(rnd, dim)) : randomVector(rnd, dim);
        if (data == Data.ZEROS_AND_NEGATIVES) {
            for (int j = 0; j < dim; j++) {
                q[j] = Math.abs(q[j]);
            }
        }
        Exclusion ex = randomExclusion(rnd, n, excludedCount == -2 ? n : excludedCount == -1 ? n - 3
                : excludedCount);
        for (Similarity sim : Similarity.values()) {
            TopKResult want = VECTOR.search(m, q, k, ex, sim);
            assertIdentical(want, BF16.search(m, q, k, ex, sim));
            assertIdentical(want, PARALLEL_BF16.search(m, q, k, ex, sim));
            if (n <= 257 && data != Data.NON_FINITE && data != Data.HUGE && data != Data.TINY
                    && data != Data.SUBNORMAL) {
                // Where float sums neither overflow nor underflow, the float scan itself matches the (slow) oracle.
                assertValidTopK(m, q, k, ex, sim, want, ORACLE.search(m, q, k, ex, sim));
            }
            for (int r = 0; r < want.size(); r++) {
                assertFalse(ex.contains(want.ordinal(r)));
            }
        }
    }

    @Test
    void bf16WithManyQueriesOnTheBenchmarkShape() {
        // 20,000 x 64 with top-100 and 200 excluded: the first pass really filters (candidates << n) and the
        // candidate list never overflows, so this is the pass-1/pass-2 path, not the fallback.
        Random rnd = new Random(5);
        ItemMatrix m = randomMatrix(rnd, 20_000, 64);
        for (int i = 0; i < 100; i++) {
            float[] q = randomVector(rnd, 64);
            Exclusion ex = randomExclusion(rnd, m.size(), 200);
            for (int k : new int[] {1, 10, 100, 1000}) {
                TopKResult want = VECTOR.search(m, q, k, ex, Similarity.DOT);
                assertIdentical(want, BF16.search(m, q, k, ex, Similarity.DOT));
                assertIdentical(want, PARALLEL_BF16.search(m, q, k, ex, Similarity.DOT));
            }
        }
    }

    @Test
    void bf16CandidateOverflowFallsBackToTheFloatScan() {
        // 10,000 identical rows: every upper bound reaches the threshold, more than the candidate limit (4096 for
        // k = 10), so the bf16 scan gives up and the exact float scan answers: ties by ascending ordinal.
        int n = 10_000;
        String[] ids = new String[n];
        float[][] v = new float[n][];
        float[] row = randomVector(new Random(8), 64);
        for (int i = 0; i < n; i++) {
            ids[i] = "i" + i;
            v[i] = row.clone();
        }
        ItemMatrix m = ItemMatrix.of(ids, v);
        Exclusion ex = Exclusion.builder(n).add(0).add(2).build();
        TopKResult got = BF16.search(m, row, 10, ex, Similarity.DOT);
        assertIdentical(VECTOR.search(m, row, 10, ex, Similarity.DOT), got);
        assertEquals(List.of(1, 3, 4), List.of(got.ordinal(0), got.ordinal(1), got.ordinal(2)));
    }

    @Test
    void bf16CopyFollowsUpdates() {
        Random rnd = new Random(21);
        ItemMatrix m = randomMatrix(rnd, 3000, 65);
        float[] q = randomVector(rnd, 65);
        // Move the current top 20 to the bottom and append 10 new items that beat everything.
        TopKResult before = VECTOR.search(m, q, 20, Exclusion.none(), Similarity.DOT);
        java.util.Map<String, float[]> updates = new java.util.LinkedHashMap<>();
        for (int r = 0; r < before.size(); r++) {
            float[] v = m.vector(before.ordinal(r));
            for (int j = 0; j < v.length; j++) {
                v[j] = -v[j];
            }
            updates.put(m.id(before.ordinal(r)), v);
        }
        for (int i = 0; i < 10; i++) {
            float[] v = q.clone();
            v[i] *= 1.5f;
            updates.put("new-" + i, v);
        }
        ItemMatrix m2 = m.withUpdates(updates);
        for (int k : new int[] {5, 20, 100}) {
            TopKResult want = VECTOR.search(m2, q, k, Exclusion.none(), Similarity.DOT);
            assertIdentical(want, BF16.search(m2, q, k, Exclusion.none(), Similarity.DOT));
            assertTrue(m2.id(want.ordinal(0)).startsWith("new-"));
        }
        assertIdentical(VECTOR.search(m, q, 20, Exclusion.none(), Similarity.DOT),
                BF16.search(m, q, 20, Exclusion.none(), Similarity.DOT)); // the old matrix and its bf16 copy
    }

    /**
     * A matrix built for the float kernel has no bf16 copy (the float rows only, through updates too), ranks the same,
     * and the bf16 kernel given one scans its floats instead of failing.
     */
    @Test
    void matrixWithoutTheBf16CopyForTheFloatKernel() {
        Random rnd = new Random(23);
        ItemMatrix full = randomMatrix(rnd, 2000, 64);
        java.util.Map<String, float[]> rows = new java.util.LinkedHashMap<>();
        for (int i = 0; i < full.size(); i++) {
            rows.put(full.id(i), full.vector(i));
        }
        ItemMatrix lean = ItemMatrix.empty(0, false).withUpdates(rows);
        assertTrue(full.hasBf16());
        assertFalse(lean.hasBf16());
        assertEquals(full.size() * full.packedStride(), full.packed().length);
        assertEquals(0, lean.packed().length);
        ItemMatrix lean2 = lean.withUpdates(java.util.Map.of("extra", randomVector(rnd, 64)));
        assertFalse(lean2.hasBf16());
        assertEquals(0, lean2.packed().length);
        ItemMatrix full2 = full.withUpdates(java.util.Map.of("extra", lean2.vector(lean2.ordinal("extra"))));
        for (int t = 0; t < 20; t++) {
            float[] q = randomVector(rnd, 64);
            for (Similarity sim : Similarity.values()) {
                TopKResult want = VECTOR.search(full2, q, 50, Exclusion.none(), sim);
                assertIdentical(want, VECTOR.search(lean2, q, 50, Exclusion.none(), sim));
                assertIdentical(want, BF16.search(lean2, q, 50, Exclusion.none(), sim));
            }
        }
    }

    @Test
    void bf16RoundsToNearestEvenWithinTheStatedBound() {
        assertEquals(0x3F80, ItemMatrix.bf16(1f));
        assertEquals(0xBF80, ItemMatrix.bf16(-1f));
        assertEquals(0x3F80, ItemMatrix.bf16(Float.intBitsToFloat(0x3F808000)), "tie to even (down)");
        assertEquals(0x3F82, ItemMatrix.bf16(Float.intBitsToFloat(0x3F818000)), "tie to even (up)");
        assertEquals(0x3F81, ItemMatrix.bf16(Float.intBitsToFloat(0x3F808001)), "above the tie rounds up");
        assertEquals(0x7F7F, ItemMatrix.bf16(Float.MAX_VALUE), "clamped, not rounded to infinity");
        assertEquals(0xFF7F, ItemMatrix.bf16(-Float.MAX_VALUE));
        assertEquals(0x7F80, ItemMatrix.bf16(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Float.intBitsToFloat(ItemMatrix.bf16(Float.intBitsToFloat(0x7F800001)) << 16)),
                "a NaN whose payload is in the low bits stays NaN");
        assertEquals(0x8000, ItemMatrix.bf16(-0f));
        Random rnd = new Random(4);
        for (int i = 0; i < 1_000_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                continue;
            }
            double err = Math.abs((double) f - Float.intBitsToFloat(ItemMatrix.bf16(f) << 16));
            assertTrue(err <= Math.abs((double) f) * 0x1p-8 + 0x1p-134, () -> "bf16 error too large for " + f);
        }
    }

    @Test
    void bf16ErrorBoundHoldsAndIsNotVacuous() {
        // The bound the first pass relies on, checked directly: |float score - approximation| <= e_i, and the
        // worst case seen uses a fair part of it (a bound 10x too loose would make the pass useless).
        Random rnd = new Random(17);
        int dim = 64;
        ItemMatrix m = randomMatrix(rnd, 2000, dim);
        double worst = 0;
        for (int t = 0; t < 50; t++) {
            float[] q = randomVector(rnd, dim);
            double sq = 0;
            double l1 = 0;
            for (float x : q) {
                sq += (double) x * x;
                l1 += Math.abs(x);
            }
            float scale = ItemMatrix.roundUp(Bf16TopK.relativeError(dim) * ItemMatrix.roundUp(Math.sqrt(sq)));
            float abs = ItemMatrix.roundUp(Bf16TopK.absoluteError(dim, l1));
            int stride = m.packedStride();
            for (int i = 0; i < m.size(); i++) {
                float exact = VectorTopK.dot(m.data(), i * dim, q, dim);
                double approx = 0;
                for (int j = 0; j < stride; j++) {
                    int x = m.packed()[i * stride + j];
                    approx += (double) Float.intBitsToFloat(x & 0xFFFF0000) * q[j];
                    if (stride + j < dim) {
                        approx += (double) Float.intBitsToFloat(x << 16) * q[stride + j];
                    }
                }
                double e = scale * m.norms()[i] + abs;
                double err = Math.abs(exact - approx);
                assertTrue(err <= e, "item " + i);
                worst = Math.max(worst, err / e);
            }
        }
        assertTrue(worst > 0.05, "the bound is far looser than needed: worst error / bound = " + worst);
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
                done.add(clients.submit(() -> {
                    TopKResult want = VECTOR.search(m, q, 100, ex, Similarity.DOT);
                    assertIdentical(want, PARALLEL.search(m, q, 100, ex, Similarity.DOT));
                    assertIdentical(want, PARALLEL_BF16.search(m, q, 100, ex, Similarity.DOT));
                }));
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
            assertEquals(Float.floatToRawIntBits(want.score(r)), Float.floatToRawIntBits(got.score(r)),
                    "score bits at rank " + r);
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

    static ItemMatrix matrix(Random rnd, Data data, int n, int dim) {
        String[] ids = new String[n];
        float[][] v = new float[n][];
        float[][] distinct = {randomVector(rnd, dim), randomVector(rnd, dim), randomVector(rnd, dim)};
        for (int i = 0; i < n; i++) {
            ids[i] = "item-" + i;
            float[] x = randomVector(rnd, dim);
            switch (data) {
                case RANDOM:
                    break;
                case BIAS:
                    x = withBias(x);
                    break;
                case IDENTICAL:
                    x = distinct[rnd.nextInt(distinct.length)].clone();
                    break;
                case BELOW_BF16:
                    x = distinct[0].clone();
                    for (int j = 0; j < dim; j++) {
                        // +-0..255 ulps: the same bf16 for (almost) every item, different floats.
                        x[j] = Float.intBitsToFloat(Float.floatToRawIntBits(x[j]) + rnd.nextInt(511) - 255);
                    }
                    break;
                case SKEWED:
                    scale(x, (float) Math.pow(10, rnd.nextDouble() * 6 - 3));
                    break;
                case HUGE:
                    scale(x, rnd.nextInt(10) == 0 ? Float.MAX_VALUE / 4 : 1e18f);
                    break;
                case TINY:
                    scale(x, 1e-22f);
                    break;
                case SUBNORMAL:
                    scale(x, 1e-39f);
                    break;
                case ZEROS_AND_NEGATIVES:
                    if (rnd.nextBoolean()) {
                        scale(x, 0f);
                    } else {
                        for (int j = 0; j < dim; j++) {
                            x[j] = -Math.abs(x[j]);
                        }
                    }
                    break;
                case NON_FINITE:
                    int kind = rnd.nextInt(20);
                    if (kind == 0) {
                        x[rnd.nextInt(dim)] = Float.NaN;
                    } else if (kind == 1) {
                        x[rnd.nextInt(dim)] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                    }
                    break;
                default:
                    throw new AssertionError(data);
            }
            v[i] = x;
        }
        return ItemMatrix.of(ids, v);
    }

    private static float[] withBias(float[] x) {
        x[x.length - 1] = 1f;
        return x;
    }

    private static void scale(float[] x, float f) {
        for (int j = 0; j < x.length; j++) {
            x[j] *= f;
        }
    }

    /** Exactly {@code count} distinct ordinals (all of them when count >= n). */
    static Exclusion randomExclusion(Random rnd, int n, int count) {
        Exclusion.Builder b = Exclusion.builder(n);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, rnd);
        for (int i = 0; i < Math.min(count, n); i++) {
            b.add(all.get(i));
        }
        return b.build();
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
