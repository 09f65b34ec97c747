package io.streamrec.serving.snapshot;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.serving.ingest.TopicConsumerLoop;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.streamrec.serving.retrieval.AnnIndexer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds item snapshots from the {@code item-embeddings} topic in the background and swaps each complete one into
 * the {@link SnapshotHolder} atomically (see {@link SnapshotAssembler} for when a snapshot is complete).
 *
 * <p>Persistence: the served matrix lives in the {@code items} column family with its version in {@code meta};
 * records of not-yet-complete snapshots in {@code item_pending}; both in the same batch as the topic offsets. A
 * restart therefore serves the last complete snapshot at once (so {@code /ready} is 200 without re-reading the
 * topic) and continues reading right after the last record it had taken.
 *
 * <p>Runs on its own thread; {@link #holder()} is what other threads read.
 */
public final class SnapshotLoader extends TopicConsumerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotLoader.class);
    private static final String META_SERVED = "items.served";
    private static final String META_ASSEMBLER = "items.assembler";
    private static final String META_QUERY_SPEC = "items.query-spec";
    /** Layout of the items column family: 2 = features with every row, feature vectors as rows of their own. */
    private static final String META_FORMAT = "items.format";
    private static final byte[] FORMAT = {2};
    /** While catching up, swap at most this often: each swap copies the matrix. */
    private static final long CATCH_UP_SWAP_INTERVAL_MS = 1000;

    private final SnapshotHolder holder;
    private final long recordWaitMs;
    private final ColumnFamilyHandle itemsCf;
    private final ColumnFamilyHandle pendingCf;
    private final SnapshotAssembler assembler;
    /** Whether matrices carry the bf16 copy that the bf16 kernel scans ({@link ItemMatrix#empty(int, boolean)}). */
    private final boolean bf16Rows;
    /** Builds each matrix's approximate index (if it gets one) before the swap, on this thread. */
    private final AnnIndexer indexer;
    private ItemSnapshot staged;
    private long lastSwapAttemptMs;

    /** @param bf16Rows build each matrix with its bf16 copy (false for {@code topk.kernel=float}: a third less memory) */
    public SnapshotLoader(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                          SnapshotHolder holder, long recordWaitMs, boolean bf16Rows) {
        this(bootstrapServers, topic, store, metrics, holder, recordWaitMs, bf16Rows, AnnIndexer.exact());
    }

    /**
     * @param bf16Rows build each matrix with its bf16 copy (false for {@code topk.kernel=float}: a third less memory)
     * @param indexer  decides and builds each served matrix's approximate index, before its snapshot is swapped in
     */
    public SnapshotLoader(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                          SnapshotHolder holder, long recordWaitMs, boolean bf16Rows, AnnIndexer indexer) {
        super("item-embeddings", bootstrapServers, topic, store, metrics);
        this.bf16Rows = bf16Rows;
        this.indexer = indexer;
        this.holder = holder;
        this.recordWaitMs = recordWaitMs;
        this.itemsCf = store.cf(StateStore.CF_ITEMS);
        this.pendingCf = store.cf(StateStore.CF_ITEM_PENDING);
        migrate();
        ItemSnapshot restored = restoreServed();
        if (restored != null) {
            indexer.prepare(restored.matrix, null);
            holder.set(restored);
            publishMetrics(restored);
            LOG.info("restored item snapshot {} with {} items", restored.version, restored.matrix.size());
        }
        byte[] state = store.meta(META_ASSEMBLER);
        this.assembler = state != null ? SnapshotAssembler.fromStateBytes(state)
                : new SnapshotAssembler(restored == null ? -1 : restored.version.version,
                        restored == null ? 0 : restored.matrix.dim());
        try (RocksIterator it = store.db().newIterator(pendingCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                assembler.restorePending(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
        }
        assembler.drainDirty();
    }

    /**
     * A store written before items had features keeps rows without them: forget the served snapshot and read the
     * compacted topic again from its beginning (it holds every entity's latest record).
     */
    private void migrate() {
        byte[] format = store.meta(META_FORMAT);
        if (format != null && format.length == 1 && format[0] == FORMAT[0]) {
            return;
        }
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex()) {
            deleteAll(batch, itemsCf);
            deleteAll(batch, pendingCf);
            batch.delete(store.cf(StateStore.CF_META), META_SERVED.getBytes(StandardCharsets.UTF_8));
            batch.delete(store.cf(StateStore.CF_META), META_ASSEMBLER.getBytes(StandardCharsets.UTF_8));
            store.deleteOffsets(batch, topic);
            store.putMeta(batch, META_FORMAT, FORMAT);
            store.write(batch);
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch failed: " + e.getMessage(), e);
        }
    }

    private void deleteAll(WriteBatchWithIndex batch, ColumnFamilyHandle cf) throws RocksDBException {
        try (RocksIterator it = store.db().newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.delete(cf, it.key());
            }
        }
    }

    private ItemSnapshot restoreServed() {
        byte[] v = store.meta(META_SERVED);
        if (v == null) {
            return null;
        }
        SnapshotVersion version = SnapshotVersion.fromBytes(v);
        Map<String, SnapshotAssembler.Update> rows = new LinkedHashMap<>();
        try (RocksIterator it = store.db().newIterator(itemsCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                rows.put(new String(it.key(), StandardCharsets.UTF_8), decodeRow(it.value()));
            }
        }
        byte[] spec = store.meta(META_QUERY_SPEC);
        return ItemSnapshot.empty(bf16Rows).apply(rows, version,
                spec == null ? "" : new String(spec, StandardCharsets.UTF_8));
    }

    /** Leads a row that carries a popularity; rows written before start with their feature count (>= 0). */
    private static final int ROW_WITH_POPULARITY = -1;

    /**
     * A served row: {@link #ROW_WITH_POPULARITY} and the popularity, the number of features, each key and weight,
     * then the vector (little-endian floats).
     */
    static byte[] encodeRow(SnapshotAssembler.Update u) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(24 + u.vector.length * 4);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(ROW_WITH_POPULARITY);
            out.writeFloat(u.popularity);
            out.writeInt(u.features.size());
            for (int i = 0; i < u.features.size(); i++) {
                out.writeUTF(u.features.key(i));
                out.writeFloat(u.features.weight(i));
            }
            out.write(EmbeddingCodec.packVector(u.vector).array());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static SnapshotAssembler.Update decodeRow(byte[] row) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(row))) {
            int n = in.readInt();
            float popularity = 0f;
            if (n == ROW_WITH_POPULARITY) {
                popularity = in.readFloat();
                n = in.readInt();
            }
            String[] keys = new String[n];
            float[] weights = new float[n];
            for (int i = 0; i < n; i++) {
                keys[i] = in.readUTF();
                weights[i] = in.readFloat();
            }
            byte[] rest = in.readAllBytes();
            return SnapshotAssembler.Update.of(unpack(rest), ItemFeatures.of(keys, weights), popularity);
        } catch (IOException e) {
            throw new StoreException("unreadable served item row: " + e.getMessage(), e);
        }
    }

    public SnapshotHolder holder() {
        return holder;
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> record, WriteBatchWithIndex batch) {
        if (record.value() == null) {
            metrics.recordsSkipped.labelValues(topic, "tombstone").inc();
            return;
        }
        EmbeddingRecord r;
        try {
            r = EmbeddingCodec.decode(record.value());
        } catch (IOException e) {
            metrics.recordsSkipped.labelValues(topic, "undecodable").inc();
            return;
        }
        if (r.getKind() == RecordKind.SNAPSHOT_COMPLETE) {
            assembler.onMarker(r.getSnapshotVersion(), r.getSubtask(), r.getSubtasks(), r.getRecordCount(),
                    r.getPublishedAt().toEpochMilli(), r.getQuerySpec());
            return;
        }
        if (r.getKind() == RecordKind.REMOVED) {
            assembler.onRemoval(r.getEntityId(), r.getSnapshotVersion(), r.getSubtask());
            return;
        }
        float[] v;
        try {
            v = EmbeddingCodec.unpackVector(r.getVector());
        } catch (IllegalArgumentException e) {
            metrics.recordsSkipped.labelValues(topic, "bad_vector").inc();
            return;
        }
        ItemFeatures features;
        try {
            features = EmbeddingCodec.features(r);
        } catch (IllegalArgumentException e) {
            metrics.recordsSkipped.labelValues(topic, "bad_features").inc();
            return;
        }
        String reason = assembler.onEmbedding(r.getEntityId(), v, features, EmbeddingCodec.popularity(r),
                r.getSnapshotVersion(), r.getSubtask());
        if (reason != null) {
            metrics.recordsSkipped.labelValues(topic, reason).inc();
        }
    }

    @Override
    protected void beforeWrite(WriteBatchWithIndex batch, boolean caughtUp) {
        long now = System.currentTimeMillis();
        SnapshotAssembler.Swap swap = null;
        if (caughtUp || now - lastSwapAttemptMs >= CATCH_UP_SWAP_INTERVAL_MS) {
            lastSwapAttemptMs = now;
            swap = assembler.trySwap(now, recordWaitMs);
        }
        try {
            if (swap != null) {
                ItemSnapshot current = holder.get();
                ItemSnapshot base = current == null ? ItemSnapshot.empty(bf16Rows) : current;
                SnapshotVersion sv = new SnapshotVersion(swap.version, swap.publishedAtMs, now);
                // Built off to the side; queries keep using the current snapshot until afterWrite publishes this.
                ItemSnapshot next = base.apply(swap.updates, sv, swap.querySpec);
                for (Map.Entry<String, SnapshotAssembler.Update> u : swap.updates.entrySet()) {
                    byte[] key = u.getKey().getBytes(StandardCharsets.UTF_8);
                    if (u.getValue().removed()) {
                        batch.delete(itemsCf, key);
                    } else {
                        batch.put(itemsCf, key, encodeRow(u.getValue()));
                    }
                }
                store.putMeta(batch, META_SERVED, sv.toBytes());
                if (!swap.querySpec.isEmpty()) {
                    store.putMeta(batch, META_QUERY_SPEC, swap.querySpec.getBytes(StandardCharsets.UTF_8));
                }
                staged = next;
                metrics.snapshotSwaps.labelValues(Boolean.toString(swap.verified)).inc();
                if (!swap.verified) {
                    LOG.warn("swapped in item snapshot {} before every record its markers counted had arrived "
                            + "(waited {} ms)", swap.version, recordWaitMs);
                }
            }
            for (String id : assembler.drainDirty()) {
                byte[] p = assembler.pendingBytes(id);
                byte[] key = id.getBytes(StandardCharsets.UTF_8);
                if (p == null) {
                    batch.delete(pendingCf, key);
                } else {
                    batch.put(pendingCf, key, p);
                }
            }
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch failed: " + e.getMessage(), e);
        }
        if (batch.count() > 0) {
            store.putMeta(batch, META_ASSEMBLER, assembler.stateBytes());
        }
    }

    @Override
    protected void afterWrite(boolean caughtUp) {
        if (staged != null) {
            // The new matrix's index is built here, off the query path: queries keep using the served snapshot
            // and its index until the swap below.
            ItemSnapshot served = holder.get();
            indexer.prepare(staged.matrix, served == null ? null : served.matrix);
            holder.set(staged); // the atomic swap: one volatile write
            publishMetrics(staged);
            LOG.info("serving item snapshot {} ({} items)", staged.version, staged.matrix.size());
            staged = null;
        }
    }

    private void publishMetrics(ItemSnapshot s) {
        metrics.snapshotVersion.set(s.version.version);
        metrics.snapshotItems.set(s.matrix.size());
        metrics.snapshotFeatures.set(s.featureCount());
    }

    private static float[] unpack(byte[] packed) {
        float[] v = new float[packed.length / Float.BYTES];
        ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
