package io.streamrec.job.learn;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tower's bounded write-back cache of keyed states on the heap, in front of its RocksDB keyed state (the way
 * Flink's own mini-batch operators keep a heap bundle in front of keyed state): a hit costs no RocksDB access and
 * no (de)serialization; the least recently used entry is handed to the owner for writing back when the cache is
 * over capacity; the owner writes every changed entry back before each checkpoint ({@link #forEachUnpersisted}),
 * so that a checkpoint holds every applied change.
 *
 * <p>Size: at most {@code capacity} entries and, when the owner weighs its entries ({@link #reweigh}, e.g. a
 * user's history length, which grows while the user is cached), at most {@code maxWeight} in total: whichever
 * bound is reached first evicts from the least recently used end.
 *
 * <p>Expiry: an entry not used for {@code ttlMs} (processing time) is dropped on its next access, so that the
 * state is read back from RocksDB, whose TTL (counted from the last write, at most one checkpoint interval after
 * the last use) has then usually dropped it too. 0 disables it.
 *
 * <p>Not thread-safe; one per operator subtask. Keys are the operator's keys.
 *
 * @param <E> the owner's entry type (its state and what of it RocksDB or readers have not seen yet)
 */
final class HotStates<E extends HotStates.Entry> {

    /** What every entry carries; owners extend it. */
    abstract static class Entry {
        /** Changed since it was last written to RocksDB. */
        boolean unpersisted;
        long lastUseMs;
        /** The owner's measure of the entry's size ({@link #reweigh}); 0 unless set. */
        long weight;
    }

    /** Writes an entry back; called with the entry's key, which the owner must make current to write it. */
    interface WriteBack<E> {
        void write(String key, E entry) throws Exception;
    }

    /** Makes the entry of a key not cached: from the state backend (the key is current), or a new one. */
    interface Load<E> {
        E load(String key) throws Exception;
    }

    private final int capacity;
    private final long maxWeight;
    private long totalWeight;
    private final long ttlMs;
    private final Load<E> load;
    private final WriteBack<E> onEvict;
    /** Access order: iteration (and eviction) starts at the least recently used entry. */
    private final LinkedHashMap<String, E> entries = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param capacity most entries kept (at least 1)
     * @param maxWeight most total weight kept ({@link #reweigh}); Long.MAX_VALUE for no bound
     * @param ttlMs drop entries unused this long on their next access; 0 never
     * @param load makes the entry of a key not cached, while that key is the operator's current key
     * @param onEvict receives every evicted entry, changed or not (it may still have to flag it, e.g. unpublished)
     */
    HotStates(int capacity, long maxWeight, long ttlMs, Load<E> load, WriteBack<E> onEvict) {
        if (capacity < 1 || maxWeight < 0) {
            throw new IllegalArgumentException("capacity must be at least 1 and maxWeight at least 0, got " + capacity
                    + ", " + maxWeight);
        }
        this.capacity = capacity;
        this.maxWeight = maxWeight;
        this.ttlMs = ttlMs;
        this.load = load;
        this.onEvict = onEvict;
    }

    /**
     * The entry of {@code key}, the operator's current key, counting as a use at {@code nowMs}; loaded (and the least
     * recently used entry evicted if over capacity) when not cached, or when unused for the TTL: then it is dropped
     * unwritten and read back like a cold key.
     */
    E get(String key, long nowMs) throws Exception {
        E e = entries.get(key);
        if (e != null && ttlMs > 0 && nowMs - e.lastUseMs >= ttlMs) {
            entries.remove(key);
            totalWeight -= e.weight;
            e = null;
        }
        if (e == null) {
            e = load.load(key);
            entries.put(key, e);
            totalWeight += e.weight;
            evictOverBounds();
        }
        e.lastUseMs = nowMs;
        return e;
    }

    /**
     * Sets a cached entry's weight (after its state grew or shrank), then evicts least recently used entries while
     * over the bounds; never the most recently used one (normally {@code entry} itself).
     */
    void reweigh(E entry, long weight) throws Exception {
        totalWeight += weight - entry.weight;
        entry.weight = weight;
        evictOverBounds();
    }

    private void evictOverBounds() throws Exception {
        while (entries.size() > 1 && (entries.size() > capacity || totalWeight > maxWeight)) {
            Iterator<Map.Entry<String, E>> it = entries.entrySet().iterator();
            Map.Entry<String, E> eldest = it.next();
            it.remove();
            totalWeight -= eldest.getValue().weight;
            onEvict.write(eldest.getKey(), eldest.getValue());
        }
    }

    /**
     * The entry of {@code key} without checking expiry or updating its last use (it still moves to the recent end);
     * null when not cached.
     */
    E peek(String key) {
        return entries.get(key);
    }

    /** Drops an entry without writing it back (its state expired); null when not cached. */
    E remove(String key) {
        E e = entries.remove(key);
        if (e != null) {
            totalWeight -= e.weight;
        }
        return e;
    }

    /** Whether an entry has gone unused for the TTL (it would be dropped on its next access). */
    boolean expired(E entry, long nowMs) {
        return ttlMs > 0 && nowMs - entry.lastUseMs >= ttlMs;
    }

    /** Hands every changed entry to {@code write} and marks it persisted; entries stay cached. */
    void forEachUnpersisted(WriteBack<E> write) throws Exception {
        for (Map.Entry<String, E> e : entries.entrySet()) {
            if (e.getValue().unpersisted) {
                write.write(e.getKey(), e.getValue());
                e.getValue().unpersisted = false;
            }
        }
    }

    /** Every cached entry, least recently used first; the caller must not add or remove entries meanwhile. */
    Iterable<Map.Entry<String, E>> entries() {
        return entries.entrySet();
    }

    int size() {
        return entries.size();
    }

    /** The sum of the cached entries' weights. */
    long totalWeight() {
        return totalWeight;
    }
}
