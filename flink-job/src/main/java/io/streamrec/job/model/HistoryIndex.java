package io.streamrec.job.model;

import java.util.List;

/**
 * Membership in a user's history: "is this drawn negative one of the user's items?", asked a few dozen times per
 * training step, and "is this positive already in the history?", once per event, against up to
 * {@code model.history.max} ids. An open-addressing set of the ids with their hash codes beside them, so that a
 * question costs a probe or two over ints and one {@code equals} on a hash match.
 *
 * <p>{@link UserState} keeps one per user while the user is in memory (a UserTower's hot user lives across many
 * events) and updates it as the history changes ({@link UserState#remember}): a step costs a few probes instead of
 * rebuilding a table of the whole history, and remembering an item scans the history list only when the item is in
 * it. Not serialized (built again from the list after a read from RocksDB). Not thread-safe.
 */
final class HistoryIndex {
    /** Always empty (for steps that do not mask the history); must not be modified. */
    static final HistoryIndex EMPTY = new HistoryIndex(0);

    private String[] keys;
    private int[] hashes;
    private int mask;
    private int size;

    private HistoryIndex(int expected) {
        allocate(Integer.highestOneBit(Math.max(1, expected) * 2 - 1) << 1);
    }

    /** An index of every id in {@code history}. */
    static HistoryIndex of(List<String> history) {
        HistoryIndex index = new HistoryIndex(history.size());
        for (String id : history) {
            if (!index.contains(id)) {
                index.add(id);
            }
        }
        return index;
    }

    private void allocate(int buckets) {
        keys = new String[buckets];
        hashes = new int[buckets];
        mask = buckets - 1;
    }

    int size() {
        return size;
    }

    boolean contains(String id) {
        int h = id.hashCode();
        for (int b = spread(h) & mask; keys[b] != null; b = (b + 1) & mask) {
            if (hashes[b] == h && (keys[b] == id || keys[b].equals(id))) {
                return true;
            }
        }
        return false;
    }

    /** Adds an id that is not in the set. */
    void add(String id) {
        if (2 * (size + 1) > keys.length) {
            String[] old = keys;
            allocate(2 * keys.length);
            size = 0;
            for (String k : old) {
                if (k != null) {
                    add(k);
                }
            }
        }
        int h = id.hashCode();
        int b = spread(h) & mask;
        while (keys[b] != null) {
            b = (b + 1) & mask;
        }
        keys[b] = id;
        hashes[b] = h;
        size++;
    }

    /** Removes {@code id} if present; the entries after it in its probe run move back (no tombstones). */
    void remove(String id) {
        int h = id.hashCode();
        int b = spread(h) & mask;
        while (keys[b] != null && !(hashes[b] == h && (keys[b] == id || keys[b].equals(id)))) {
            b = (b + 1) & mask;
        }
        if (keys[b] == null) {
            return;
        }
        size--;
        int hole = b;
        for (int j = (hole + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = spread(hashes[j]) & mask;
            // Move j into the hole unless its home lies cyclically in (hole, j]: then it must stay.
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                keys[hole] = keys[j];
                hashes[hole] = hashes[j];
                hole = j;
            }
        }
        keys[hole] = null;
        hashes[hole] = 0;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }
}
