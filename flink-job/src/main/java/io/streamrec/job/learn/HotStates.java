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
    private final long ttlMs;
    private final Load<E> load;
    private final WriteBack<E> onEvict;
    /** Access order: iteration (and eviction) starts at the least recently used entry. */
    private final LinkedHashMap<String, E> entries = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param capacity most entries kept (at least 1)
     * @param ttlMs drop entries unused this long on their next access; 0 never
     * @param load makes the entry of a key not cached, while that key is the operator's current key
     * @param onEvict receives every evicted entry, changed or not (it may still have to flag it, e.g. unpublished)
     */
    HotStates(int capacity, long ttlMs, Load<E> load, WriteBack<E> onEvict) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
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
            e = null;
        }
        if (e == null) {
            e = load.load(key);
            entries.put(key, e);
            if (entries.size() > capacity) {
                Iterator<Map.Entry<String, E>> it = entries.entrySet().iterator();
                Map.Entry<String, E> eldest = it.next();
                it.remove();
                onEvict.write(eldest.getKey(), eldest.getValue());
            }
        }
        e.lastUseMs = nowMs;
        return e;
    }

    /**
     * The entry of {@code key} without checking expiry or updating its last use (it still moves to the recent end);
     * null when not cached.
     */
    E peek(String key) {
        return entries.get(key);
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
}
