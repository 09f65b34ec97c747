package io.streamrec.serving.retrieval;

/**
 * The same scan, heap and exclusion as {@link VectorTopK} with a plain scalar dot product: the baseline the
 * benchmark compares the Vector API against (on a shared machine, the ratio is more stable than either time).
 *
 * <p>Stateless and thread-safe.
 */
public final class ScalarTopK implements TopK {

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        int n = matrix.size();
        int dim = matrix.dim();
        float[] data = matrix.data();
        float[] inv = sim == Similarity.COSINE ? matrix.invNorms() : null;
        float queryScale = sim == Similarity.COSINE ? ItemMatrix.inverseNorm(query) : 1f;
        ScoreHeap heap = new ScoreHeap(Math.min(k, Math.max(n - excluded.count(), 0)));
        if (heap.capacity() == 0) {
            return heap.toResult();
        }
        for (int i = 0, off = 0; i < n; i++, off += dim) {
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
