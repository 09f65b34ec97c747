package io.streamrec.serving.retrieval;

/**
 * A bounded min-heap of (score, ordinal) on primitive arrays: the root is the worst kept candidate. Candidates must
 * be offered in ascending ordinal order, so a tie with the root loses and ties come out by ascending ordinal.
 *
 * <p>Not thread-safe: one per query.
 */
final class ScoreHeap {
    private final float[] scores;
    private final int[] ords;
    private int size;

    ScoreHeap(int capacity) {
        scores = new float[capacity];
        ords = new int[capacity];
    }

    int capacity() {
        return scores.length;
    }

    int size() {
        return size;
    }

    /**
     * The score a candidate must beat to be kept: the root's score once the heap is full, negative infinity before
     * (a capacity-0 heap is always "full").
     */
    float threshold() {
        return size < scores.length ? Float.NEGATIVE_INFINITY : size == 0 ? Float.POSITIVE_INFINITY : scores[0];
    }

    /** True if a candidate with this score would be kept (NaN never is). */
    boolean wouldAccept(float score) {
        return size < scores.length ? score == score : score > scores[0];
    }

    /** Adds a candidate that {@link #wouldAccept} approved, evicting the root when full. */
    void push(float score, int ord) {
        if (size < scores.length) {
            int i = size++;
            // sift up
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!worse(score, ord, scores[p], ords[p])) {
                    break;
                }
                scores[i] = scores[p];
                ords[i] = ords[p];
                i = p;
            }
            scores[i] = score;
            ords[i] = ord;
        } else {
            siftDown(0, score, ord, size);
        }
    }

    private void siftDown(int i, float score, int ord, int n) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                break;
            }
            int c = l;
            int r = l + 1;
            if (r < n && worse(scores[r], ords[r], scores[l], ords[l])) {
                c = r;
            }
            if (!worse(scores[c], ords[c], score, ord)) {
                break;
            }
            scores[i] = scores[c];
            ords[i] = ords[c];
            i = c;
        }
        scores[i] = score;
        ords[i] = ord;
    }

    /** Ranking order: higher score first, then lower ordinal; "worse" is the opposite. */
    private static boolean worse(float s1, int o1, float s2, int o2) {
        return s1 < s2 || (s1 == s2 && o1 > o2);
    }

    /** Empties the heap into a result, best first. */
    TopKResult toResult() {
        int n = size;
        int[] outOrd = new int[n];
        float[] outScore = new float[n];
        for (int pos = n - 1; pos >= 0; pos--) {
            outScore[pos] = scores[0];
            outOrd[pos] = ords[0];
            size--;
            if (size > 0) {
                siftDown(0, scores[size], ords[size], size);
            }
        }
        return new TopKResult(outOrd, outScore);
    }
}
