package io.streamrec.serving.retrieval;

/**
 * Exact top-k retrieval over an {@link ItemMatrix}: the {@code min(k, available)} best-scoring candidates for a
 * query vector, never an excluded one ("available" = items not excluded). The vocabulary follows TFRS
 * {@code TopK.query_with_exclusions}; unlike its {@code k + |exclusions|} over-fetch, implementations filter while
 * scanning, so the result size is exact.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface TopK {

    /**
     * @param matrix    the candidates
     * @param query     a vector of {@code matrix.dim()} floats
     * @param k         at least 1
     * @param excluded  ordinals to skip
     * @param sim       dot or cosine
     * @return best first, ties by ascending ordinal
     */
    TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim);

    /** Checks the arguments every implementation rejects the same way. */
    static void checkArgs(ItemMatrix matrix, float[] query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (matrix.size() > 0 && query.length != matrix.dim()) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", items have "
                    + matrix.dim());
        }
    }
}
