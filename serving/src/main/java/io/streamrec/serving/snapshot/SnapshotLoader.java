package io.streamrec.serving.snapshot;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import io.streamrec.serving.ingest.TopicConsumerLoop;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** While catching up, swap at most this often: each swap copies the matrix. */
    private static final long CATCH_UP_SWAP_INTERVAL_MS = 1000;

    private final SnapshotHolder holder;
    private final long recordWaitMs;
    private final ColumnFamilyHandle itemsCf;
    private final ColumnFamilyHandle pendingCf;
    private final SnapshotAssembler assembler;
    /** Whether matrices carry the bf16 copy that the bf16 kernel scans ({@link ItemMatrix#empty(int, boolean)}). */
    private final boolean bf16Rows;
    private ItemSnapshot staged;
    private long lastSwapAttemptMs;

    /** @param bf16Rows build each matrix with its bf16 copy (false for {@code topk.kernel=float}: a third less memory) */
    public SnapshotLoader(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                          SnapshotHolder holder, long recordWaitMs, boolean bf16Rows) {
        super("item-embeddings", bootstrapServers, topic, store, metrics);
        this.bf16Rows = bf16Rows;
        this.holder = holder;
        this.recordWaitMs = recordWaitMs;
        this.itemsCf = store.cf(StateStore.CF_ITEMS);
        this.pendingCf = store.cf(StateStore.CF_ITEM_PENDING);
        ItemSnapshot restored = restoreServed();
        if (restored != null) {
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

    private ItemSnapshot restoreServed() {
        byte[] v = store.meta(META_SERVED);
        if (v == null) {
            return null;
        }
        SnapshotVersion version = SnapshotVersion.fromBytes(v);
        Map<String, float[]> rows = new LinkedHashMap<>();
        try (RocksIterator it = store.db().newIterator(itemsCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                rows.put(new String(it.key(), StandardCharsets.UTF_8), unpack(it.value()));
            }
        }
        return new ItemSnapshot(ItemMatrix.empty(0, bf16Rows).withUpdates(rows), version);
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
                    r.getPublishedAt().toEpochMilli());
            return;
        }
        float[] v;
        try {
            v = EmbeddingCodec.unpackVector(r.getVector());
        } catch (IllegalArgumentException e) {
            metrics.recordsSkipped.labelValues(topic, "bad_vector").inc();
            return;
        }
        String reason = assembler.onEmbedding(r.getEntityId(), v, r.getSnapshotVersion(), r.getSubtask());
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
                ItemMatrix base = current == null ? ItemMatrix.empty(0, bf16Rows) : current.matrix;
                // Built off to the side; queries keep using the current matrix until afterWrite publishes this.
                ItemMatrix next = base.withUpdates(swap.updates);
                for (Map.Entry<String, float[]> u : swap.updates.entrySet()) {
                    batch.put(itemsCf, u.getKey().getBytes(StandardCharsets.UTF_8),
                            EmbeddingCodec.packVector(u.getValue()).array());
                }
                SnapshotVersion sv = new SnapshotVersion(swap.version, swap.publishedAtMs, now);
                store.putMeta(batch, META_SERVED, sv.toBytes());
                staged = new ItemSnapshot(next, sv);
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
            holder.set(staged); // the atomic swap: one volatile write
            publishMetrics(staged);
            LOG.info("serving item snapshot {} ({} items)", staged.version, staged.matrix.size());
            staged = null;
        }
    }

    private void publishMetrics(ItemSnapshot s) {
        metrics.snapshotVersion.set(s.version.version);
        metrics.snapshotItems.set(s.matrix.size());
    }

    private static float[] unpack(byte[] packed) {
        float[] v = new float[packed.length / Float.BYTES];
        ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
