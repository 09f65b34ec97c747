package io.streamrec.serving.retrieval;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact top-k in two passes: a scan of the matrix's bfloat16 copy (half the bytes of the float rows; the scan is
 * memory-bound) with a proven error bound per item, then exact re-scoring of the few items that can still make the
 * top-k. The result is identical to {@link VectorTopK}'s: same items, same order (score, then ascending ordinal),
 * same float scores bit for bit, never an excluded item.
 *
 * <p><b>Pass 1.</b> For item i the approximate dot product {@code a_i} uses bf16(v) (round to nearest even, see
 * {@link ItemMatrix#bf16}) and the float query. With {@code u = 2^-24}, {@code S = sum_d |q_d v_d| <= ||q|| ||v_i||}
 * (Cauchy-Schwarz) and {@code n = dim}:
 * <ul>
 *   <li>bf16 rounding: {@code |v_d - bf16(v_d)| <= 2^-8 |v_d| + 2^-134} (the absolute part for subnormal floats),
 *       so the exact sums over v and over bf16(v) differ by at most {@code 2^-8 S + 2^-134 ||q||_1};</li>
 *   <li>float rounding: any evaluation order of a sum of n products (fma or not, lanes then a reduction then a
 *       scalar tail; at most n + 16 roundings along any term's path, zero-initialised lanes included) is within
 *       {@code gamma S} of the real sum, {@code gamma = (n+16)u / (1-(n+16)u) <= 1.01 (n+16)u} for n <= 65536; this
 *       holds for both {@link VectorTopK#dot}'s float score and {@code a_i}, plus at most {@code 2^-150} per
 *       operation that underflows.</li>
 * </ul>
 * So {@code |float score - a_i| <= (2^-8 + 2.03 (n+16) u) S + 2^-133 ||q||_1 + (4n+20) 2^-150}. The code uses the
 * larger {@code e_i = (2^-8 + (4n+64) u) ||q||^ ||v_i||^ + (||q||_1 2^-132 + (n+8) 2^-144)} where {@code ^} means
 * rounded up to a float; the slack ({@code >= 8u S} relative, 2x and 8x absolute) covers the float rounding of
 * {@code e_i} itself and of {@code a_i - e_i} and {@code a_i + e_i}. Overflow would void the analysis, so an item
 * with {@code e_i > 2^100} (or NaN, i.e. a non-finite vector) gets no bound: it is always re-scored exactly. For
 * cosine both bounds go through the same float operations as the score ({@code x * inv_i * invQ}), which are monotone
 * in x because both factors are non-negative.
 *
 * <p>The pass keeps a heap of the k best lower bounds {@code a_i - e_i} of items that are not excluded; its minimum
 * T never exceeds the k-th best exact score (k distinct available items each score at least their lower bound), and
 * only rises. Every item whose upper bound {@code a_i + e_i} is at least the current T is kept as a candidate, so no
 * item of the exact top-k (score >= k-th best >= T) is dropped, ties included ({@code >=}).
 *
 * <p><b>Pass 2.</b> The candidates whose upper bound reaches the final T are re-scored with {@link VectorTopK#dot}
 * (the same arithmetic, hence the same bits) and offered in ascending ordinal order to the same {@link ScoreHeap}
 * as the float scan, so ties break the same way. If more than {@code max(4096, 16k)} candidates pile up (e.g. many
 * near-equal scores) the range falls back to the plain float scan; so does a query with a non-finite norm.
 *
 * <p>Stateless and thread-safe; each call allocates its heaps, the candidate list and two half-queries.
 */
public final class Bf16TopK implements TopK, RangeTopK {
    /* Static final species, as in VectorTopK: C2 only turns the loop into plain AVX instructions with constants. */
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final int LANES = INTS.length();
    private static final int HI_MASK = 0xFFFF0000;
    private static final float NO_BOUND_ABOVE = 0x1p100f;
    /** The error analysis above assumes (n+16)u stays small. */
    static final int MAX_DIM = 65536;
    private static final int MIN_CANDIDATE_LIMIT = 4096;

    private final VectorTopK exact = new VectorTopK();

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        int n = matrix.size();
        return searchRange(matrix, query, Math.min(k, Math.max(n - excluded.count(), 0)), excluded, sim, 0, n);
    }

    /** The relative factor of the error bound for vectors of {@code dim} coordinates (see the class comment). */
    static double relativeError(int dim) {
        return 0x1p-8 + (4.0 * dim + 64) * 0x1p-24;
    }

    /** The absolute term of the error bound for a query with this L1 norm (see the class comment). */
    static double absoluteError(int dim, double queryL1) {
        return queryL1 * 0x1p-132 + (dim + 8) * 0x1p-144;
    }

    @Override
    public TopKResult searchRange(ItemMatrix matrix, float[] query, int capacity, Exclusion excluded, Similarity sim,
                                  int from, int to) {
        int cap = Math.max(0, Math.min(capacity, to - from));
        int dim = matrix.dim();
        if (cap == 0 || dim > MAX_DIM || !matrix.hasBf16()) {
            return exact.searchRange(matrix, query, cap, excluded, sim, from, to);
        }
        double sq = 0;
        double l1 = 0;
        for (float x : query) {
            sq += (double) x * x;
            l1 += Math.abs(x);
        }
        float queryNorm = ItemMatrix.roundUp(Math.sqrt(sq));
        float scale = ItemMatrix.roundUp(relativeError(dim) * queryNorm);
        float absErr = ItemMatrix.roundUp(absoluteError(dim, l1));
        if (!(scale <= Float.MAX_VALUE) || !(absErr <= NO_BOUND_ABOVE)) {
            return exact.searchRange(matrix, query, cap, excluded, sim, from, to); // an infinite or NaN query
        }
        int stride = matrix.packedStride();
        // The de-interleaved query: qHi[j] multiplies a row's int j upper half, qLo[j] its lower half.
        float[] qHi = Arrays.copyOf(query, stride);
        float[] qLo = new float[stride];
        System.arraycopy(query, stride, qLo, 0, dim - stride);
        Pass p = new Pass(matrix, cap, Math.max(MIN_CANDIDATE_LIMIT, 16 * cap), excluded, sim, query, scale, absErr);
        if (!scan(p, matrix.packed(), stride, qHi, qLo, from, to)) {
            return exact.searchRange(matrix, query, cap, excluded, sim, from, to);
        }
        return p.rescore(matrix.data(), dim, query, cap);
    }

    /** Pass 1 over {@code [from, to)}; false if the candidate list overflowed. */
    private static boolean scan(Pass p, int[] packed, int stride, float[] qHi, float[] qLo, int from, int to) {
        int bound = INTS.loopBound(stride);
        int i = from;
        // Four rows per step, as in VectorTopK: shared query loads, four independent fma chains.
        for (; i + 4 <= to; i += 4) {
            int o0 = i * stride;
            int o1 = o0 + stride;
            int o2 = o1 + stride;
            int o3 = o2 + stride;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector h = FloatVector.fromArray(FLOATS, qHi, j);
                FloatVector l = FloatVector.fromArray(FLOATS, qLo, j);
                IntVector x0 = IntVector.fromArray(INTS, packed, o0 + j);
                IntVector x1 = IntVector.fromArray(INTS, packed, o1 + j);
                IntVector x2 = IntVector.fromArray(INTS, packed, o2 + j);
                IntVector x3 = IntVector.fromArray(INTS, packed, o3 + j);
                a0 = hi(x0).fma(h, a0);
                a1 = hi(x1).fma(h, a1);
                a2 = hi(x2).fma(h, a2);
                a3 = hi(x3).fma(h, a3);
                a0 = lo(x0).fma(l, a0);
                a1 = lo(x1).fma(l, a1);
                a2 = lo(x2).fma(l, a2);
                a3 = lo(x3).fma(l, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; j < stride; j++) {
                s0 += tail(packed[o0 + j], qHi[j], qLo[j]);
                s1 += tail(packed[o1 + j], qHi[j], qLo[j]);
                s2 += tail(packed[o2 + j], qHi[j], qLo[j]);
                s3 += tail(packed[o3 + j], qHi[j], qLo[j]);
            }
            if (!p.offer(s0, i) || !p.offer(s1, i + 1) || !p.offer(s2, i + 2) || !p.offer(s3, i + 3)) {
                return false;
            }
        }
        for (; i < to; i++) {
            int o = i * stride;
            float s = 0;
            for (int j = 0; j < stride; j++) {
                s += tail(packed[o + j], qHi[j], qLo[j]);
            }
            if (!p.offer(s, i)) {
                return false;
            }
        }
        return true;
    }

    /** The upper-half coordinates: pure bit operations, no lane conversion (slow on JDK 17). */
    private static FloatVector hi(IntVector x) {
        return x.lanewise(VectorOperators.AND, HI_MASK).reinterpretAsFloats();
    }

    private static FloatVector lo(IntVector x) {
        return x.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float tail(int x, float qHi, float qLo) {
        return Float.intBitsToFloat(x & HI_MASK) * qHi + Float.intBitsToFloat(x << 16) * qLo;
    }

    /** One call's state: the lower-bound heap, its threshold, the candidates (ascending ordinals). */
    private static final class Pass {
        private final float[] norms;
        private final float[] inv;
        private final float queryScale;
        private final float scale;
        private final float absErr;
        private final Exclusion excluded;
        private final ScoreHeap lowers;
        private final int limit;
        private float threshold = Float.NEGATIVE_INFINITY;
        private int[] candidates;
        private float[] uppers;
        private int count;

        Pass(ItemMatrix m, int cap, int limit, Exclusion excluded, Similarity sim, float[] query, float scale,
             float absErr) {
            this.norms = m.norms();
            this.inv = sim == Similarity.COSINE ? m.invNorms() : null;
            this.queryScale = sim == Similarity.COSINE ? ItemMatrix.inverseNorm(query) : 1f;
            this.scale = scale;
            this.absErr = absErr;
            this.excluded = excluded;
            this.lowers = new ScoreHeap(cap);
            this.limit = limit;
            int initial = Math.min(limit, 1024);
            this.candidates = new int[initial];
            this.uppers = new float[initial];
        }

        /** Bounds item i's score from its approximate dot product; false if the candidate list is full. */
        boolean offer(float approx, int i) {
            float e = scale * norms[i] + absErr;
            if (e <= NO_BOUND_ABOVE) {
                float up = VectorTopK.score(approx + e, i, inv, queryScale);
                if (up >= threshold && !excluded.contains(i)) {
                    float low = VectorTopK.score(approx - e, i, inv, queryScale);
                    if (lowers.wouldAccept(low)) {
                        lowers.push(low, i);
                        threshold = lowers.threshold();
                    }
                    return add(i, up);
                }
                return true;
            }
            // No usable bound (huge or non-finite vector): let the exact pass decide.
            return excluded.contains(i) || add(i, Float.POSITIVE_INFINITY);
        }

        private boolean add(int i, float up) {
            if (count == candidates.length) {
                if (count >= limit) {
                    return false;
                }
                int grown = Math.min(limit, count * 2);
                candidates = Arrays.copyOf(candidates, grown);
                uppers = Arrays.copyOf(uppers, grown);
            }
            candidates[count] = i;
            uppers[count] = up;
            count++;
            return true;
        }

        /** Pass 2: exact scores of the candidates that can still make it, into the float scan's heap. */
        TopKResult rescore(float[] data, int dim, float[] query, int cap) {
            float t = threshold;
            ScoreHeap heap = new ScoreHeap(cap);
            for (int c = 0; c < count; c++) {
                if (uppers[c] >= t) {
                    int i = candidates[c];
                    float s = VectorTopK.score(VectorTopK.dot(data, i * dim, query, dim), i, inv, queryScale);
                    if (heap.wouldAccept(s)) {
                        heap.push(s, i);
                    }
                }
            }
            return heap.toResult();
        }
    }
}
