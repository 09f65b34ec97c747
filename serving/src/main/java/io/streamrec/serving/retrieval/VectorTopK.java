package io.streamrec.serving.retrieval;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact top-k by a SIMD dot-product scan (the JDK Vector API) over the contiguous item rows, a bounded min-heap of
 * size k, and the exclusion bitset consulted only when a candidate would enter the heap.
 *
 * <p>Stateless and thread-safe; each call allocates only its heap.
 */
public final class VectorTopK implements TopK, RangeTopK {
    /*
     * A static final species lets C2 turn the loop into plain AVX instructions; a species held in a field or
     * captured by a lambda ran 3x slower than scalar code here (docs/platform.md). 256-bit lanes were as fast as 512.
     */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;
    private static final int LANES = SPECIES.length();

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        int n = matrix.size();
        return searchRange(matrix, query, Math.min(k, Math.max(n - excluded.count(), 0)), excluded, sim, 0, n);
    }

    @Override
    public TopKResult searchRange(ItemMatrix matrix, float[] query, int capacity, Exclusion excluded, Similarity sim,
                                  int from, int to) {
        int n = to;
        int dim = matrix.dim();
        float[] data = matrix.data();
        float[] inv = sim == Similarity.COSINE ? matrix.invNorms() : null;
        float queryScale = sim == Similarity.COSINE ? ItemMatrix.inverseNorm(query) : 1f;
        ScoreHeap heap = new ScoreHeap(Math.max(0, Math.min(capacity, to - from)));
        if (heap.capacity() == 0) {
            return heap.toResult();
        }
        float[] s = new float[4];
        int i = from;
        for (; i + 4 <= n; i += 4) {
            RowDots.four(data, i * dim, dim, query, s);
            offer(heap, s[0], i, inv, queryScale, excluded);
            offer(heap, s[1], i + 1, inv, queryScale, excluded);
            offer(heap, s[2], i + 2, inv, queryScale, excluded);
            offer(heap, s[3], i + 3, inv, queryScale, excluded);
        }
        for (; i < n; i++) {
            offer(heap, dot(data, i * dim, query, dim), i, inv, queryScale, excluded);
        }
        return heap.toResult();
    }

    /**
     * One row's dot product with exactly the arithmetic of the four-row loop above (per-lane fma over the SIMD
     * part in the same order, one lane reduction, then the scalar tail), so that it returns the same bits: the
     * exact pass of {@link Bf16TopK} re-scores its candidates with it.
     */
    static float dot(float[] data, int off, float[] query, int dim) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(dim);
        int j = 0;
        for (; j < bound; j += LANES) {
            acc = FloatVector.fromArray(SPECIES, data, off + j).fma(FloatVector.fromArray(SPECIES, query, j), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < dim; j++) {
            s += data[off + j] * query[j];
        }
        return s;
    }

    /** The score {@link #offer} ranks by: the dot product, or for cosine the dot product times both inverse norms. */
    static float score(float dot, int ordinal, float[] inv, float queryScale) {
        return inv == null ? dot : dot * inv[ordinal] * queryScale;
    }

    /** Ordinals must be offered in ascending order (the heap's tie rule relies on it). */
    private static void offer(ScoreHeap heap, float dot, int ordinal, float[] inv, float queryScale,
                              Exclusion excluded) {
        float s = score(dot, ordinal, inv, queryScale);
        if (heap.wouldAccept(s) && !excluded.contains(ordinal)) {
            heap.push(s, ordinal);
        }
    }
}
