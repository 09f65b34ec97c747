package io.streamrec.job.model;

import java.util.HashMap;
import java.util.Set;

/**
 * A UserTower subtask's bounded copy of item vectors: (item id, vector) pairs from the ItemTower's published
 * snapshots go in; vector look-ups and the rank of an item for a query (the prequential metric) come out. When full,
 * the least recently used item is evicted; a {@link #get} or {@link #put} counts as a use.
 *
 * <p>Vectors live in one contiguous float slab (slot i at {@code i * vectorLength}), so that ranking an item
 * against every cached item is a linear scan that stays in the CPU cache and allocates nothing, which matters
 * because it runs once per event. Evicted slots are reused. Recency is an intrusive doubly linked list over slot
 * numbers, so a use costs one hash look-up and four int writes, and read-only look-ups do not reorder anything.
 *
 * <p>Not thread-safe; one instance per subtask. Snapshot with {@link #toBytes} (ids and vectors in LRU order).
 */
public final class ItemVectorCache {
    private static final byte FORMAT = 1;

    private final int capacity;
    private final int vectorLength;
    private final float[] slab;
    private final String[] idOfSlot;
    private final HashMap<String, Integer> slots;
    /** Recency list over slots: prev/next slot, -1 at the ends; head = least recently used. */
    private final int[] prev;
    private final int[] next;
    private int head = -1;
    private int tail = -1;

    /**
     * @param capacity most items kept
     * @param vectorLength floats per vector (the model's serving vector length)
     */
    public ItemVectorCache(int capacity, int vectorLength) {
        if (capacity < 1 || vectorLength < 1) {
            throw new IllegalArgumentException(
                    "capacity and vectorLength must be >= 1, got " + capacity + ", " + vectorLength);
        }
        long floats = (long) capacity * vectorLength;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("capacity * vectorLength = " + floats + " floats does not fit one array");
        }
        this.capacity = capacity;
        this.vectorLength = vectorLength;
        this.slab = new float[(int) floats];
        this.idOfSlot = new String[capacity];
        this.slots = new HashMap<>(Math.min(capacity, 1 << 16));
        this.prev = new int[capacity];
        this.next = new int[capacity];
    }

    /** Stores (a copy of) {@code vector} for {@code itemId}, replacing an older one and evicting the LRU if full. */
    public void put(String itemId, float[] vector) {
        if (vector.length != vectorLength) {
            throw new IllegalArgumentException(
                    "vector of " + itemId + " has length " + vector.length + ", the cache holds " + vectorLength);
        }
        Integer slot = touch(itemId);
        if (slot == null) {
            if (slots.size() < capacity) {
                slot = slots.size();
            } else {
                slot = head;
                unlink(slot);
                slots.remove(idOfSlot[slot]);
            }
            slots.put(itemId, slot);
            idOfSlot[slot] = itemId;
            linkAtTail(slot);
        }
        System.arraycopy(vector, 0, slab, slot * vectorLength, vectorLength);
    }

    /** Copies the vector of {@code itemId} into {@code out}; false (out untouched) when not cached. */
    public boolean get(String itemId, float[] out) {
        Integer slot = touch(itemId);
        if (slot == null) {
            return false;
        }
        System.arraycopy(slab, slot * vectorLength, out, 0, vectorLength);
        return true;
    }

    /** A copy of the vector of {@code itemId}, or null when not cached. */
    public float[] get(String itemId) {
        float[] out = new float[vectorLength];
        return get(itemId, out) ? out : null;
    }

    /** Moves {@code itemId} to the most-recent end; returns its slot, or null when absent. */
    private Integer touch(String itemId) {
        Integer slot = slots.get(itemId);
        if (slot != null && slot != tail) {
            unlink(slot);
            linkAtTail(slot);
        }
        return slot;
    }

    private void unlink(int s) {
        int p = prev[s];
        int n = next[s];
        if (p >= 0) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
    }

    private void linkAtTail(int s) {
        prev[s] = tail;
        next[s] = -1;
        if (tail >= 0) {
            next[tail] = s;
        } else {
            head = s;
        }
        tail = s;
    }

    /** Whether {@code itemId} is cached; does not count as a use. */
    public boolean contains(String itemId) {
        return slots.containsKey(itemId);
    }

    /**
     * Rank of {@code targetId} for {@code query} among all cached items except those in {@code exclude}: the number
     * of other cached, non-excluded items scoring at least as high (ties count against the target, so the metric is
     * never flattered). -1 when the target is not cached. Does not count as a use.
     */
    public int rankOf(float[] query, String targetId, Set<String> exclude) {
        return rankOf(query, targetId, exclude, Integer.MAX_VALUE);
    }

    /**
     * {@link #rankOf(float[], String, Set)} capped at {@code limit}: returns {@code limit} as soon as that many
     * items are known to outrank the target. A metric that only asks "in the top k?" needs no more, and the scan
     * then usually stops early.
     */
    public int rankOf(float[] query, String targetId, Set<String> exclude, int limit) {
        Integer boxed = slots.get(targetId);
        if (boxed == null) {
            return -1;
        }
        int target = boxed;
        float ts = Vectors.dot(query, slab, target * vectorLength, vectorLength);
        int n = slots.size();
        int rank = 0;
        for (int j = 0, off = 0; j < n; j++, off += vectorLength) {
            // The exclusion set is consulted only for items that outrank the target: a few per event, not n.
            if (Vectors.dot(query, slab, off, vectorLength) >= ts && j != target
                    && !exclude.contains(idOfSlot[j]) && ++rank >= limit) {
                return limit;
            }
        }
        return rank;
    }

    public int size() {
        return slots.size();
    }

    public int capacity() {
        return capacity;
    }

    public int vectorLength() {
        return vectorLength;
    }

    /** Serializes capacity, vector length and the entries eldest first. */
    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(capacity);
            out.writeInt(vectorLength);
            out.writeInt(slots.size());
            for (int s = head; s >= 0; s = next[s]) {
                StateBytes.writeString(out, idOfSlot[s]);
                int off = s * vectorLength;
                for (int i = 0; i < vectorLength; i++) {
                    out.writeFloat(slab[off + i]);
                }
            }
        });
    }

    /** The cached ids, least recently used first. */
    public java.util.List<String> idsByRecency() {
        java.util.List<String> ids = new java.util.ArrayList<>(slots.size());
        for (int s = head; s >= 0; s = next[s]) {
            ids.add(idOfSlot[s]);
        }
        return ids;
    }

    /** Restores a cache written by {@link #toBytes}, with the same contents and LRU order. */
    public static ItemVectorCache fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "item vector cache", in -> {
            ItemVectorCache c = new ItemVectorCache(in.readInt(), in.readInt());
            int n = in.readInt();
            float[] v = new float[c.vectorLength];
            for (int k = 0; k < n; k++) {
                String id = StateBytes.readString(in);
                for (int i = 0; i < v.length; i++) {
                    v[i] = in.readFloat();
                }
                c.put(id, v);
            }
            return c;
        });
    }
}
