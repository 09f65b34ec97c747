package io.streamrec.serving.retrieval;

/**
 * Top-k that uses a matrix's approximate index when it has one ({@link ItemMatrix#annIndex}, attached by
 * {@link AnnIndexer}) and the exact scan otherwise. Thread-safe if the exact one is.
 */
public final class IndexedTopK implements TopK {
    private final TopK exact;

    public IndexedTopK(TopK exact) {
        this.exact = exact;
    }

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        IvfIndex index = matrix.annIndex();
        return index == null ? exact.search(matrix, query, k, excluded, sim)
                : index.search(matrix, query, k, excluded, sim);
    }
}
