package io.streamrec.job.model;

import java.util.List;

/**
 * Membership in a user's history for one training step: "is this drawn negative one of the user's items?" asked
 * a few dozen times against a history of up to {@code model.history.max} ids. Built once per step as an
 * open-addressing table of (hash code, position) pairs, so that a question costs a probe or two over ints and one
 * {@code equals} on a hash match, and building it allocates two int arrays instead of a {@code HashSet} of
 * hundreds of entries. Not thread-safe; not kept.
 */
final class HistoryIndex {
    static final HistoryIndex EMPTY = new HistoryIndex(List.of());

    private final List<String> history;
    private final int[] hashes;
    /** Position in the history plus one; 0 marks an empty bucket. */
    private final int[] positions;
    private final int mask;

    private HistoryIndex(List<String> history) {
        this.history = history;
        int buckets = Integer.highestOneBit(Math.max(1, history.size()) * 2 - 1) << 1;
        hashes = new int[buckets];
        positions = new int[buckets];
        mask = buckets - 1;
        for (int i = 0; i < history.size(); i++) {
            int h = history.get(i).hashCode();
            int b = spread(h) & mask;
            while (positions[b] != 0) {
                b = (b + 1) & mask;
            }
            hashes[b] = h;
            positions[b] = i + 1;
        }
    }

    static HistoryIndex of(List<String> history) {
        return history.isEmpty() ? EMPTY : new HistoryIndex(history);
    }

    boolean contains(String id) {
        int h = id.hashCode();
        for (int b = spread(h) & mask; positions[b] != 0; b = (b + 1) & mask) {
            if (hashes[b] == h && history.get(positions[b] - 1).equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }
}
