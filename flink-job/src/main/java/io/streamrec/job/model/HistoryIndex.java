package io.streamrec.job.model;

import java.util.List;

/**
 * Membership in a user's history: "is this drawn negative one of the user's items?", asked a few dozen times per
 * training step, and "is this positive already in the history?", once per event, against up to
 * {@code model.history.max} ids. A {@link StringIntMap} used as a set (open addressing, hash codes beside the ids), so
 * that a question costs a probe or two over ints and one {@code equals} on a hash match.
 *
 * <p>{@link UserState} keeps one per user while the user is in memory (a UserTower's hot user lives across many
 * events) and updates it as the history changes ({@link UserState#remember}): a step costs a few probes instead of
 * rebuilding a table of the whole history, and remembering an item scans the history list only when the item is in
 * it. Not serialized (built again from the list after a read from RocksDB). Not thread-safe.
 */
final class HistoryIndex {
    /** Always empty (for steps that do not mask the history); must not be modified. */
    static final HistoryIndex EMPTY = new HistoryIndex(0);

    private final StringIntMap ids;

    private HistoryIndex(int expected) {
        ids = new StringIntMap(expected);
    }

    /** An index of every id in {@code history}. */
    static HistoryIndex of(List<String> history) {
        HistoryIndex index = new HistoryIndex(history.size());
        for (String id : history) {
            index.ids.put(id, 0);
        }
        return index;
    }

    int size() {
        return ids.size();
    }

    boolean contains(String id) {
        return ids.containsKey(id);
    }

    /** Adds an id that is not in the set. */
    void add(String id) {
        ids.put(id, 0);
    }

    /** Removes {@code id} if present. */
    void remove(String id) {
        ids.remove(id);
    }
}
