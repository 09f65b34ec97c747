package io.streamrec.serving.store;

import io.streamrec.schema.EventType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Per user, the items they interacted with and which event types (so "purchased" can be told from "clicked"), in
 * RocksDB. Key: 8-byte hash of the user id (the prefix extractor's unit), 2-byte user id length, user id, item id;
 * value: 1-byte type bitmask and the newest event time. At most {@code maxPerUser} items are kept per user; beyond
 * that the least recently seen are dropped.
 *
 * <p>Thread-safe for concurrent readers; {@link #record} must be called from one writer thread (the interactions
 * consumer), which owns the batch.
 */
public final class SeenItemsStore {
    static final int PREFIX_BYTES = 8;
    /** Values written before the sequence number existed: mask and time. */
    private static final int OLD_VALUE_BYTES = 1 + 8;
    /** Mask, newest event time, and the user's interaction sequence number when the item was last touched. */
    private static final int VALUE_BYTES = 1 + 8 + 8;

    private final StateStore store;
    private final ColumnFamilyHandle seen;
    private final ColumnFamilyHandle counts;
    private final int maxPerUser;

    public SeenItemsStore(StateStore store, int maxPerUser) {
        this.store = store;
        this.seen = store.cf(StateStore.CF_SEEN);
        this.counts = store.cf(StateStore.CF_SEEN_COUNTS);
        this.maxPerUser = maxPerUser;
    }

    /** Receives one seen item of a scan. */
    @FunctionalInterface
    public interface SeenConsumer {
        void accept(String itemId, int typeMask, long lastTimestamp);
    }

    /**
     * Receives one seen item of a scan with its recency: {@code sequence} numbers a user's interactions in the order
     * they were read from the topic (the order the trainer learns them in); the item carries the number of the
     * latest interaction with it (0 for items recorded before sequence numbers existed).
     */
    @FunctionalInterface
    public interface SeenWithSequence {
        void accept(String itemId, int typeMask, long lastTimestamp, long sequence);
    }

    public static int bit(EventType type) {
        return 1 << type.ordinal();
    }

    /** True if the mask contains the type. */
    public static boolean has(int mask, EventType type) {
        return (mask & bit(type)) != 0;
    }

    /**
     * Adds an interaction to the batch: merges the type into the item's mask and keeps the newest timestamp. If the
     * user now has more than the cap, the least recently seen items are deleted in the same batch.
     */
    public void record(WriteBatchWithIndex batch, String userId, String itemId, EventType type, long timestamp) {
        byte[] userPrefix = userPrefix(userId);
        byte[] key = concat(userPrefix, itemId.getBytes(StandardCharsets.UTF_8));
        try (ReadOptions ro = new ReadOptions()) {
            byte[] old = batch.getFromBatchAndDB(store.db(), seen, ro, key);
            int mask = bit(type);
            long ts = timestamp;
            if (old != null && old.length >= OLD_VALUE_BYTES) {
                ByteBuffer b = ByteBuffer.wrap(old);
                mask |= b.get();
                ts = Math.max(ts, b.getLong());
            }
            byte[] userKey = userId.getBytes(StandardCharsets.UTF_8);
            byte[] c = batch.getFromBatchAndDB(store.db(), counts, ro, userKey);
            int count = c == null ? 0 : ByteBuffer.wrap(c).getInt();
            long sequence = (c != null && c.length >= 12 ? ByteBuffer.wrap(c).getLong(4) : 0) + 1;
            batch.put(seen, key, ByteBuffer.allocate(VALUE_BYTES).put((byte) mask).putLong(ts).putLong(sequence)
                    .array());
            if (old == null) {
                count++;
                if (count > maxPerUser) {
                    count = evictOldest(batch, userPrefix, count);
                }
            }
            batch.put(counts, userKey, ByteBuffer.allocate(12).putInt(count).putLong(sequence).array());
        } catch (RocksDBException e) {
            throw new StoreException("recording a seen item failed: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the least recently seen items down to 90% of the cap: evicting a batch at a time keeps the cost of the
     * scan amortized instead of paying it on every new item of a heavy user. Returns the new count.
     */
    private int evictOldest(WriteBatchWithIndex batch, byte[] userPrefix, int count) throws RocksDBException {
        List<long[]> byTime = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        try (ReadOptions ro = new ReadOptions().setPrefixSameAsStart(true);
             RocksIterator base = store.db().newIterator(seen, ro);
             RocksIterator it = batch.newIteratorWithBase(seen, base)) {
            for (it.seek(userPrefix); it.isValid() && StateStore.startsWith(it.key(), userPrefix); it.next()) {
                byte[] v = it.value();
                long ts = v.length >= OLD_VALUE_BYTES ? ByteBuffer.wrap(v).getLong(1) : Long.MIN_VALUE;
                byTime.add(new long[] {ts, keys.size()});
                keys.add(it.key());
            }
        }
        byTime.sort((a, b) -> Long.compare(a[0], b[0]));
        int keep = Math.max(1, (int) (maxPerUser * 0.9));
        int drop = Math.max(0, keys.size() - keep);
        for (int i = 0; i < drop; i++) {
            batch.delete(seen, keys.get((int) byTime.get(i)[1]));
        }
        return keys.size() - drop;
    }

    /** Calls {@code consumer} for each item the user has seen (any order); returns how many there were. */
    public int forEach(String userId, SeenConsumer consumer) {
        return forEach(userId, (item, mask, ts, seq) -> consumer.accept(item, mask, ts));
    }

    /** Calls {@code consumer} for each item the user has seen (any order), with its recency; returns how many. */
    public int forEach(String userId, SeenWithSequence consumer) {
        byte[] prefix = userPrefix(userId);
        int n = 0;
        try (ReadOptions ro = new ReadOptions().setPrefixSameAsStart(true);
             RocksIterator it = store.db().newIterator(seen, ro)) {
            for (it.seek(prefix); it.isValid() && StateStore.startsWith(it.key(), prefix); it.next()) {
                byte[] k = it.key();
                byte[] v = it.value();
                if (v.length != VALUE_BYTES && v.length != OLD_VALUE_BYTES) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(v);
                int mask = b.get() & 0xff;
                long ts = b.getLong();
                long seq = v.length == VALUE_BYTES ? b.getLong() : 0;
                consumer.accept(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8),
                        mask, ts, seq);
                n++;
            }
        }
        return n;
    }

    /** The type mask of one (user, item), 0 if never seen. */
    public int mask(String userId, String itemId) {
        byte[] v = store.get(StateStore.CF_SEEN, concat(userPrefix(userId), itemId.getBytes(StandardCharsets.UTF_8)));
        return v == null || v.length < OLD_VALUE_BYTES ? 0 : v[0] & 0xff;
    }

    /** True if the user has at least one seen item. */
    public boolean hasAny(String userId) {
        byte[] c = store.get(StateStore.CF_SEEN_COUNTS, userId.getBytes(StandardCharsets.UTF_8));
        return c != null && ByteBuffer.wrap(c).getInt() > 0;
    }

    /** Hash prefix + length + user id: the exact scan prefix of one user (the hash alone may collide). */
    static byte[] userPrefix(String userId) {
        byte[] u = userId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(PREFIX_BYTES + 2 + u.length).putLong(hash64(u)).putShort((short) u.length).put(u)
                .array();
    }

    /** FNV-1a 64 with a murmur3 finalizer: fast, well spread, stable across JVMs and releases. */
    static long hash64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
