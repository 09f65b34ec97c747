package io.streamrec.serving.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The serving node's one RocksDB database (WAL on): a column family per kind of state, plus the consumer offsets
 * that the state covers. Every ingest loop writes its data and its next offsets in the same batch, so after a
 * crash the state and the position in each topic agree: nothing is lost and nothing is applied twice.
 *
 * <p>Column families: {@code seen} (user+item -> types, time; 8-byte user-hash prefix extractor so a user's scan
 * is one prefix seek), {@code seen_counts} (user -> number of seen items, for the cap), {@code user_vectors},
 * {@code popularity}, {@code items} (the served item snapshot), {@code item_pending} (item records not yet in a
 * complete snapshot), {@code offsets} (topic/partition -> next offset) and {@code meta}.
 *
 * <p>Thread-safe (RocksDB is); each column family has a single writer thread by design.
 */
public final class StateStore implements AutoCloseable {
    public static final String CF_SEEN = "seen";
    public static final String CF_SEEN_COUNTS = "seen_counts";
    public static final String CF_USER_VECTORS = "user_vectors";
    public static final String CF_POPULARITY = "popularity";
    public static final String CF_ITEMS = "items";
    public static final String CF_ITEM_PENDING = "item_pending";
    public static final String CF_OFFSETS = "offsets";
    public static final String CF_META = "meta";
    private static final List<String> FAMILIES = List.of(CF_SEEN, CF_SEEN_COUNTS, CF_USER_VECTORS, CF_POPULARITY,
            CF_ITEMS, CF_ITEM_PENDING, CF_OFFSETS, CF_META);

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    private final Map<String, ColumnFamilyHandle> handles = new HashMap<>();
    private final WriteOptions writeOptions;
    private volatile boolean closed;

    private StateStore(Path dir, boolean syncWrites) throws RocksDBException {
        this.dir = dir;
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, newCfOptions(false)));
        for (String name : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8),
                    newCfOptions(name.equals(CF_SEEN))));
        }
        List<ColumnFamilyHandle> hs = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, hs);
        for (int i = 1; i < hs.size(); i++) {
            handles.put(FAMILIES.get(i - 1), hs.get(i));
        }
        handles.put("default", hs.get(0));
        this.writeOptions = new WriteOptions().setSync(syncWrites);
    }

    private ColumnFamilyOptions newCfOptions(boolean userPrefix) {
        ColumnFamilyOptions o = new ColumnFamilyOptions();
        if (userPrefix) {
            // 8-byte hash of the user id leads every seen key: prefix bloom filters make a user's scan cheap.
            o.useFixedLengthPrefixExtractor(SeenItemsStore.PREFIX_BYTES);
            o.setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10))
                    .setWholeKeyFiltering(true));
            o.setMemtablePrefixBloomSizeRatio(0.05);
        }
        cfOptions.add(o);
        return o;
    }

    /** Opens (creating if needed) the database in {@code dir}. */
    public static StateStore open(Path dir, boolean syncWrites) {
        try {
            Files.createDirectories(dir);
            return new StateStore(dir, syncWrites);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create state directory " + dir, e);
        } catch (RocksDBException e) {
            throw new StoreException("could not open RocksDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public RocksDB db() {
        return db;
    }

    public ColumnFamilyHandle cf(String name) {
        ColumnFamilyHandle h = handles.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no column family " + name);
        }
        return h;
    }

    /** A batch that can read its own uncommitted writes (read-modify-write within one poll). */
    public WriteBatchWithIndex newBatch() {
        return new WriteBatchWithIndex(true);
    }

    /** Writes a batch atomically (WAL on). */
    public void write(WriteBatchWithIndex batch) {
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB write failed: " + e.getMessage(), e);
        }
    }

    public void write(WriteBatch batch) {
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB write failed: " + e.getMessage(), e);
        }
    }

    public byte[] get(String cf, byte[] key) {
        try {
            return db.get(cf(cf), key);
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB read failed: " + e.getMessage(), e);
        }
    }

    // ---- consumer offsets ----

    private static byte[] offsetKey(String topic, int partition) {
        return (topic + "/" + partition).getBytes(StandardCharsets.UTF_8);
    }

    /** Adds "next offset to read" for a partition to the batch that holds the data up to it. */
    public void putOffset(WriteBatchWithIndex batch, TopicPartition tp, long nextOffset) {
        try {
            batch.put(cf(CF_OFFSETS), offsetKey(tp.topic(), tp.partition()),
                    ByteBuffer.allocate(8).putLong(nextOffset).array());
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    /** Adds the deletion of every stored offset of a topic to the batch (its consumer then starts over). */
    public void deleteOffsets(WriteBatchWithIndex batch, String topic) {
        try {
            for (TopicPartition tp : offsets(topic).keySet()) {
                batch.delete(cf(CF_OFFSETS), offsetKey(tp.topic(), tp.partition()));
            }
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch delete failed: " + e.getMessage(), e);
        }
    }

    /** The stored next offsets of a topic's partitions (partitions never written are absent). */
    public Map<TopicPartition, Long> offsets(String topic) {
        Map<TopicPartition, Long> out = new HashMap<>();
        byte[] prefix = (topic + "/").getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = db.newIterator(cf(CF_OFFSETS))) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                String p = new String(it.key(), prefix.length, it.key().length - prefix.length,
                        StandardCharsets.UTF_8);
                try {
                    out.put(new TopicPartition(topic, Integer.parseInt(p)), ByteBuffer.wrap(it.value()).getLong());
                } catch (NumberFormatException e) {
                    // "<topic>/<partition>" of a longer topic name that shares this prefix: not ours
                }
            }
        }
        return out;
    }

    // ---- meta ----

    public byte[] meta(String key) {
        return get(CF_META, key.getBytes(StandardCharsets.UTF_8));
    }

    public void putMeta(WriteBatchWithIndex batch, String key, byte[] value) {
        try {
            batch.put(cf(CF_META), key.getBytes(StandardCharsets.UTF_8), value);
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    /** Approximate bytes on disk and in memtables over all column families. */
    public synchronized long sizeBytes() {
        if (closed) {
            return 0;
        }
        long total = 0;
        for (ColumnFamilyHandle h : handles.values()) {
            try {
                total += db.getLongProperty(h, "rocksdb.total-sst-files-size");
                total += db.getLongProperty(h, "rocksdb.size-all-mem-tables");
            } catch (RocksDBException e) {
                // a property that cannot be read right now only makes the gauge smaller for one scrape
            }
        }
        return total;
    }

    /** Approximate number of keys in a column family. */
    public synchronized long estimatedKeys(String cf) {
        if (closed) {
            return 0;
        }
        try {
            return db.getLongProperty(cf(cf), "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            return 0;
        }
    }

    static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Closes handles and the database (flushing nothing extra: the WAL already holds every write). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        handles.values().forEach(ColumnFamilyHandle::close);
        db.close();
        writeOptions.close();
        dbOptions.close();
        cfOptions.forEach(ColumnFamilyOptions::close);
    }

    public boolean isClosed() {
        return closed;
    }
}
