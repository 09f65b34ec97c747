package io.streamrec.serving.retrieval;

/**
 * The same scan, heap and exclusion as {@link VectorTopK} with a plain scalar dot product: the baseline the
 * benchmark compares the Vector API against (on a shared machine, the ratio is more stable than either time), and
 * the kernel {@link ParallelTopK} falls back to on a JVM started without {@code --add-modules jdk.incubator.vector}.
 * Its scores may differ from {@link VectorTopK}'s in the last bits (another summation order); the ranking is the
 * exact top-k of its own scores.
 *
 * <p>Stateless and thread-safe.
 */
public final class ScalarTopK implements TopK, RangeTopK {

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        int n = matrix.size();
        return searchRange(matrix, query, Math.min(k, Math.max(n - excluded.count(), 0)), excluded, sim, 0, n);
    }

    @Override
    public TopKResult searchRange(ItemMatrix matrix, float[] query, int capacity, Exclusion excluded, Similarity sim,
                                  int from, int to) {
        int dim = matrix.dim();
        float[] data = matrix.data();
        float[] inv = sim == Similarity.COSINE ? matrix.invNorms() : null;
        float queryScale = sim == Similarity.COSINE ? ItemMatrix.inverseNorm(query) : 1f;
        ScoreHeap heap = new ScoreHeap(Math.max(0, Math.min(capacity, to - from)));
        if (heap.capacity() == 0) {
            return heap.toResult();
        }
        for (int i = from, off = from * dim; i < to; i++, off += dim) {
            float s = 0;
            for (int j = 0; j < dim; j++) {
                s += data[off + j] * query[j];
            }
            if (inv != null) {
                s *= inv[i] * queryScale;
            }
            if (heap.wouldAccept(s) && !excluded.contains(i)) {
                heap.push(s, i);
            }
        }
        return heap.toResult();
    }
}
