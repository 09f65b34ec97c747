package io.streamrec.serving.ingest;

import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerModel;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.rank.RankerHolder;
import io.streamrec.serving.store.StateStore;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.rocksdb.WriteBatchWithIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the compacted {@code ranker-model} topic (key {@code ranker}, value {@link RankerModel#toPublishedBytes})
 * into the {@link RankerHolder}. The newest record's model replaces the one in use (see {@link RankerHolder} for why
 * the newest, not the highest version) once it has scored one row (which starts the DJL engine, and unpacks its native library on a machine's first use, on this thread rather
 * than on a request's) and once it is written to RocksDB ({@code meta}) in the batch that holds the topic's offsets:
 * a restart then serves it at once instead of waiting for the trainer's next publication.
 *
 * <p>Records that give no usable model are counted in {@code streamrec_records_skipped_total} by reason and logged:
 * {@code tombstone}, {@code unknown_key}, {@code undecodable} (not a ranker model, or a format this build does not
 * read) and {@code unusable} (decoded but it cannot score here). None stops the consumer or changes the model in use.
 *
 * <p>Runs on its own thread; see {@link TopicConsumerLoop} for thread-safety.
 */
public final class RankerModelIngestor extends TopicConsumerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RankerModelIngestor.class);
    /** The record key the trainer publishes its model under. */
    public static final String KEY = "ranker";
    /** Where the model in use is kept in the state store's {@code meta} column family. */
    static final String META_KEY = "ranker_model";

    private final RankerHolder holder;
    /** The newest model of the poll being applied; in use once its batch is durable ({@link #afterWrite}). */
    private RankerModel pending;

    public RankerModelIngestor(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                               RankerHolder holder) {
        super("ranker-model", bootstrapServers, topic, store, metrics);
        this.holder = holder;
    }

    @Override
    protected void onStart() {
        byte[] stored = store.meta(META_KEY);
        if (stored == null) {
            return;
        }
        RankerModel m = decode(stored, "the state store");
        if (m != null && usable(m, "the state store")) {
            holder.offer(m);
            LOG.info("ranker model version {} (vector length {}) restored from the state store", m.version(),
                    m.vectorLength());
        }
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> record, WriteBatchWithIndex batch) {
        String where = "record " + record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            metrics.recordsSkipped.labelValues(topic, "tombstone").inc();
            return;
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (!KEY.equals(key)) {
            metrics.recordsSkipped.labelValues(topic, "unknown_key").inc();
            LOG.warn("{}: key {} is not '{}'; skipped", where, key == null ? "null" : "'" + key + "'", KEY);
            return;
        }
        RankerModel m = decode(record.value(), where);
        if (m == null) {
            metrics.recordsSkipped.labelValues(topic, "undecodable").inc();
            return;
        }
        if (!usable(m, where)) {
            metrics.recordsSkipped.labelValues(topic, "unusable").inc();
            return;
        }
        store.putMeta(batch, META_KEY, record.value());
        pending = m;
    }

    @Override
    protected void afterWrite(boolean caughtUp) {
        if (pending != null) {
            RankerModel m = pending;
            pending = null;
            long before = holder.version();
            holder.offer(m);
            if (m.version() != before) {
                LOG.info("ranker model version {} (vector length {}, {} examples) in use", m.version(),
                        m.vectorLength(), m.examples());
            }
        }
    }

    /** The model in {@code bytes}, or null (logged) when they are not one this build reads. */
    private static RankerModel decode(byte[] bytes, String where) {
        try {
            return RankerModel.fromBytes(bytes);
        } catch (IllegalArgumentException | BufferUnderflowException | NegativeArraySizeException e) {
            // fromBytes says what it rejects (magic, format, config); a truncated record underflows the buffer.
            LOG.warn("{}: not a ranker model this node can read ({} bytes): {}", where, bytes.length, e.toString());
            return null;
        }
    }

    /**
     * Whether the model scores one row (of zeros): the first call starts the engine, so a node that cannot load
     * PyTorch's native library says so here, once per model, instead of falling back on every request.
     */
    private static boolean usable(RankerModel m, String where) {
        try {
            RankerBatch one = new RankerBatch(m.vectorLength(), 1);
            one.add("", new float[m.vectorLength()], "", new float[m.vectorLength()], 0f);
            m.score(one);
            return true;
        } catch (RuntimeException | LinkageError e) {
            // LinkageError too: a native library that cannot be loaded surfaces as UnsatisfiedLinkError (or as the
            // ExceptionInInitializerError of the class that loads it). Nothing is cleaned up or retried: the
            // model is not used, and requests keep the previous one or retrieval order.
            LOG.error("{}: ranker model version {} cannot score on this node; not used", where, m.version(), e);
            return false;
        }
    }
}
