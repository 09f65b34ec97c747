package io.streamrec.serving.retrieval;

/**
 * The best candidates of one query, best first: item ordinals (into the {@link ItemMatrix} that was searched) and
 * their scores. Ties are ordered by ascending ordinal. Immutable by convention: the arrays are not copied.
 */
public final class TopKResult {
    private final int[] ordinals;
    private final float[] scores;

    public TopKResult(int[] ordinals, float[] scores) {
        if (ordinals.length != scores.length) {
            throw new IllegalArgumentException("ordinals and scores differ in length");
        }
        this.ordinals = ordinals;
        this.scores = scores;
    }

    public int size() {
        return ordinals.length;
    }

    public int ordinal(int rank) {
        return ordinals[rank];
    }

    public float score(int rank) {
        return scores[rank];
    }
}
