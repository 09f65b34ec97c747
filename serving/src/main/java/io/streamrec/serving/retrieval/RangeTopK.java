package io.streamrec.serving.retrieval;

/**
 * A kernel that finds the exact top-k of one contiguous range of a matrix: what {@link ParallelTopK} runs on each
 * part of a split scan before merging. Implementations are stateless and thread-safe.
 */
interface RangeTopK {

    /**
     * The best {@code capacity} candidates among ordinals {@code [from, to)} (fewer when the range holds fewer that
     * are not excluded), best first, ties by ascending ordinal, with the scores {@link VectorTopK} computes (the
     * scalar fallback, {@link ScalarTopK}, its own scalar sums).
     * {@code from} is a multiple of 4 (the kernels score four rows per step).
     */
    TopKResult searchRange(ItemMatrix matrix, float[] query, int capacity, Exclusion excluded, Similarity sim,
                           int from, int to);
}
