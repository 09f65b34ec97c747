package io.streamrec.job.model;

/**
 * A UserTower subtask's copy of the published feature and context vectors ({@code genre=comedy}, {@code ctx:hour=13};
 * see {@link io.streamrec.schema.features.FeatureKeys}), by key. Items are composed from these
 * ({@link ItemVectorCache#putItem}); queries add the context ones. Bounded: when full, the least recently
 * published key is dropped (it then counts as zero, as an unpublished one does, until it is published again; active
 * features are republished with every snapshot that changes them).
 *
 * <p>Rows of one float slab, found through an open-addressing map; a row stays valid while it holds the same key
 * ({@link #holds}), so callers may keep row hints. Not thread-safe; one per subtask.
 */
public final class FeatureTable {
    private final int capacity;
    private final int length;
    private final StringIntMap rows = new StringIntMap();
    private String[] keyOfRow;
    private float[] slab;
    /** Recency by publication: a ring of rows in the order they were last put (the oldest evicted first). */
    private long[] putAt;
    private long clock;

    public FeatureTable(int capacity, int length) {
        if (capacity < 1 || length < 1) {
            throw new IllegalArgumentException("capacity and length must be >= 1, got " + capacity + ", " + length);
        }
        this.capacity = capacity;
        this.length = length;
        int initial = Math.min(capacity, 256);
        keyOfRow = new String[initial];
        slab = new float[initial * length];
        putAt = new long[initial];
    }

    /** Stores (a copy of) the key's vector. */
    public void put(String key, float[] vector) {
        int row = rows.get(key);
        if (row < 0) {
            if (rows.size() < capacity) {
                row = rows.size();
                if (row == keyOfRow.length) {
                    grow();
                }
            } else {
                row = oldestRow();
                rows.remove(keyOfRow[row]);
            }
            rows.put(key, row);
            keyOfRow[row] = key;
        }
        System.arraycopy(vector, 0, slab, row * length, length);
        putAt[row] = ++clock;
    }

    private void grow() {
        int n = (int) Math.min(capacity, 2L * keyOfRow.length);
        keyOfRow = java.util.Arrays.copyOf(keyOfRow, n);
        slab = java.util.Arrays.copyOf(slab, n * length);
        putAt = java.util.Arrays.copyOf(putAt, n);
    }

    /** A scan: eviction happens only when more distinct keys than the capacity were ever published. */
    private int oldestRow() {
        int best = 0;
        for (int r = 1; r < rows.size(); r++) {
            if (putAt[r] < putAt[best]) {
                best = r;
            }
        }
        return best;
    }

    /** The key's vector (a copy), or null when none is held. */
    public float[] get(String key) {
        int row = rows.get(key);
        return row < 0 ? null : java.util.Arrays.copyOfRange(slab, row * length, (row + 1) * length);
    }

    /** The row of a key, -1 when none is held. */
    int rowOf(String key) {
        return rows.get(key);
    }

    /** Whether {@code row} holds {@code key}. */
    boolean holds(int row, String key) {
        if (row < 0 || row >= rows.size()) {
            return false;
        }
        String k = keyOfRow[row];
        return k == key || key.equals(k);
    }

    /** {@code out[offset + d] += w * vector(row)[d]} over the whole vector (bias coordinate included). */
    void addScaledTo(int row, float w, float[] out, int offset) {
        int base = row * length;
        for (int d = 0; d < length; d++) {
            out[offset + d] += w * slab[base + d];
        }
    }

    /** {@code out[d] += w * vector(row)[d]} for d below n. */
    void addScaledTo(int row, float w, float[] out, int offset, int n) {
        int base = row * length;
        for (int d = 0; d < n; d++) {
            out[offset + d] += w * slab[base + d];
        }
    }

    /** Drops a key (its state expired at the ItemTower); the last row moves into its place. */
    public boolean remove(String key) {
        int row = rows.get(key);
        if (row < 0) {
            return false;
        }
        rows.remove(key);
        int last = rows.size();
        if (row != last) {
            String moved = keyOfRow[last];
            System.arraycopy(slab, last * length, slab, row * length, length);
            putAt[row] = putAt[last];
            keyOfRow[row] = moved;
            rows.put(moved, row);
        }
        keyOfRow[last] = null;
        return true;
    }

    public boolean contains(String key) {
        return rows.containsKey(key);
    }

    public int size() {
        return rows.size();
    }

    public int capacity() {
        return capacity;
    }
}
