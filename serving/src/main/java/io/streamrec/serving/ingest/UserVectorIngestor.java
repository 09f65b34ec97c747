package io.streamrec.serving.ingest;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.io.IOException;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Consumes the compacted {@code user-embeddings} topic into {@link UserVectorStore}: plain upserts, no snapshot
 * markers to wait for (markers, if any, are ignored). Unreadable records, non-finite vectors and vectors whose
 * dimension differs from the served item snapshot's are counted and skipped.
 *
 * <p>Runs on its own thread; see {@link TopicConsumerLoop} for thread-safety.
 */
public final class UserVectorIngestor extends TopicConsumerLoop {
    private final UserVectorStore users;
    private final IntSupplier servedDim;

    /** @param servedDim the served item matrix's dimension, 0 while unknown */
    public UserVectorIngestor(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                              UserVectorStore users, IntSupplier servedDim) {
        super("user-embeddings", bootstrapServers, topic, store, metrics);
        this.users = users;
        this.servedDim = servedDim;
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
        if (r.getKind() != RecordKind.EMBEDDING) {
            return; // completion markers carry no user data
        }
        float[] v;
        try {
            v = EmbeddingCodec.unpackVector(r.getVector());
        } catch (IllegalArgumentException e) {
            metrics.recordsSkipped.labelValues(topic, "bad_vector").inc();
            return;
        }
        String reason = VectorChecks.problem(r.getEntityId(), v, servedDim.getAsInt());
        if (reason != null) {
            metrics.recordsSkipped.labelValues(topic, reason).inc();
            return;
        }
        users.put(batch, r.getEntityId(), v, r.getSnapshotVersion(), r.getPublishedAt().toEpochMilli());
    }
}
