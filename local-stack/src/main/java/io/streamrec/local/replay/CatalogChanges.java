package io.streamrec.local.replay;

import java.util.HashMap;
import java.util.Map;

/**
 * Decides which catalog records a replay publishes: an item's record when the item is first seen, and again
 * whenever its attributes differ from the last record published for it. Records come in as their catalog JSON
 * (what would be published); the same JSON means the same attributes.
 *
 * <p>Memory: one map entry per item (the id and a 64-bit hash of its last published JSON, about 100 bytes), kept for
 * the whole run. That is fine for a command-line tool over a finite file (a million items take about 100 MB); a
 * long-running service would need an expiring or bounded map instead. A hash collision between an item's old and new
 * attributes (probability about 2^-64 per change) would only skip that one update.
 *
 * <p>Not thread-safe.
 */
public final class CatalogChanges {
    private final Map<String, Long> lastPublished = new HashMap<>();

    /** Whether the record for {@code itemId}, written as {@code json}, differs from the last one published. */
    public boolean isNew(String itemId, byte[] json) {
        Long before = lastPublished.get(itemId);
        return before == null || before != hash(json);
    }

    /** Remembers that this record was published for the item. */
    public void published(String itemId, byte[] json) {
        lastPublished.put(itemId, hash(json));
    }

    /** Items with a published record. */
    public int items() {
        return lastPublished.size();
    }

    /** 64-bit FNV-1a. */
    static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
