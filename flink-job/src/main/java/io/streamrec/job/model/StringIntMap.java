package io.streamrec.job.model;

import java.util.Arrays;

/**
 * A map from string ids to non-negative ints (cache slots, bundle rows), asked tens of times per training step: open
 * addressing with linear probing, the keys' hash codes beside them, deletion by backward shift (no tombstones). A
 * look-up costs a probe or two over ints and one {@code equals} on a hash match (none when the caller holds the
 * key's own instance), with no boxed value and no entry object to follow, and a put allocates nothing. Not
 * thread-safe.
 */
final class StringIntMap {
    /** What {@link #get} returns for an absent key. */
    static final int ABSENT = -1;

    private String[] keys;
    private int[] hashes;
    private int[] values;
    private int mask;
    private int size;

    StringIntMap() {
        this(8);
    }

    /** A map sized for about {@code expected} keys without growing. */
    StringIntMap(int expected) {
        allocate(Integer.highestOneBit(Math.max(1, expected) * 2 - 1) << 1);
    }

    private void allocate(int buckets) {
        keys = new String[buckets];
        hashes = new int[buckets];
        values = new int[buckets];
        mask = buckets - 1;
    }

    int size() {
        return size;
    }

    /** The value of {@code key}, or {@link #ABSENT}. */
    int get(String key) {
        int h = key.hashCode();
        for (int b = spread(h) & mask; keys[b] != null; b = (b + 1) & mask) {
            if (hashes[b] == h && (keys[b] == key || keys[b].equals(key))) {
                return values[b];
            }
        }
        return ABSENT;
    }

    boolean containsKey(String key) {
        return get(key) != ABSENT;
    }

    /** Sets {@code key} to {@code value} (>= 0), replacing an existing value. */
    void put(String key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values must be >= 0, got " + value);
        }
        int h = key.hashCode();
        int b = spread(h) & mask;
        while (keys[b] != null) {
            if (hashes[b] == h && (keys[b] == key || keys[b].equals(key))) {
                values[b] = value;
                return;
            }
            b = (b + 1) & mask;
        }
        if (2 * (size + 1) > keys.length) { // at most half full: short probe runs
            grow();
            put(key, value);
            return;
        }
        keys[b] = key;
        hashes[b] = h;
        values[b] = value;
        size++;
    }

    private void grow() {
        String[] oldKeys = keys;
        int[] oldValues = values;
        allocate(2 * oldKeys.length);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Removes {@code key} if present; the entries after it in its probe run move back. */
    void remove(String key) {
        int h = key.hashCode();
        int b = spread(h) & mask;
        while (keys[b] != null && !(hashes[b] == h && (keys[b] == key || keys[b].equals(key)))) {
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
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = null;
        hashes[hole] = 0;
        values[hole] = 0;
    }

    /** Removes every key; keeps the table's size (it is refilled to about the same size, e.g. per bundle). */
    void clear() {
        if (size > 0) {
            Arrays.fill(keys, null);
            size = 0;
        }
    }

    private static int spread(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }
}
