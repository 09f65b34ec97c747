package io.streamrec.serving.snapshot;

/**
 * The currently served {@link ItemSnapshot}, swapped atomically by the loader and read by every request.
 * Thread-safe: a volatile reference to an immutable snapshot.
 */
public final class SnapshotHolder {
    private volatile ItemSnapshot current;

    /** The served snapshot, or null before the first complete one. */
    public ItemSnapshot get() {
        return current;
    }

    public void set(ItemSnapshot snapshot) {
        this.current = snapshot;
    }

    /** The served matrix's dimension, 0 before the first snapshot. */
    public int dim() {
        ItemSnapshot s = current;
        return s == null ? 0 : s.matrix.dim();
    }
}
