package io.streamrec.job.sink;

import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link EmbeddingUpdate}s to a compacted embedding topic as Avro {@link EmbeddingRecord}s, keyed by entity
 * id (markers by {@code __snapshot__/<subtask>}, so compaction keeps each subtask's latest marker).
 *
 * <p>Partitioning: a subtask's embeddings and its marker must be read in order by a consumer, and Kafka orders
 * only within a partition. Every record of subtask s therefore goes to partition {@code s % partitions}; the
 * compaction key still dedupes per entity because an entity is always published by the same subtask (keyed
 * stream).
 */
public final class EmbeddingSerializer implements KafkaRecordSerializationSchema<EmbeddingUpdate> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final boolean partitionBySubtask;

    /**
     * @param partitionBySubtask true for snapshot topics with markers (records of subtask s go to partition
     *     s mod partitions, so that each marker follows its subtask's records); false to partition by key
     */
    public EmbeddingSerializer(String topic, boolean partitionBySubtask) {
        this.topic = topic;
        this.partitionBySubtask = partitionBySubtask;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EmbeddingUpdate u, KafkaSinkContext context, Long timestamp) {
        EmbeddingRecord record = u.toRecord(System.currentTimeMillis());
        Integer partition = null;
        if (partitionBySubtask) {
            int[] partitions = context.getPartitionsForTopic(topic);
            partition = partitions.length == 0 ? null : partitions[u.subtask % partitions.length];
        }
        return new ProducerRecord<>(topic, partition, null, EmbeddingCodec.key(record), EmbeddingCodec.encode(record));
    }
}
