package io.streamrec.job.source;

import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the job's own {@code item-embeddings} topic back (from the beginning on a fresh start: the compacted topic
 * is the current state of every item), so that the UserTower's item-vector caches follow the ItemTower's
 * authoritative vectors a few seconds behind. Records that are not readable EmbeddingRecords are counted
 * ({@code itemEmbeddingsUnreadable}) and skipped.
 */
public final class ItemEmbeddingSource {
    private ItemEmbeddingSource() {}

    public static KafkaSource<EmbeddingUpdate> kafkaSource(String bootstrapServers, String topic, String groupId) {
        return KafkaSource.<EmbeddingUpdate>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId + "-item-cache")
                .setClientIdPrefix(groupId + "-item-cache")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new Deserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    static final class Deserializer implements KafkaRecordDeserializationSchema<EmbeddingUpdate> {
        private static final long serialVersionUID = 1L;
        private transient Counter unreadable;

        @Override
        public void open(DeserializationSchema.InitializationContext context) {
            unreadable = context.getMetricGroup().counter("itemEmbeddingsUnreadable");
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<EmbeddingUpdate> out) {
            if (record.value() == null) {
                return; // a tombstone: nothing to cache
            }
            EmbeddingRecord r;
            try {
                r = EmbeddingCodec.decode(record.value());
            } catch (IOException e) {
                if (unreadable != null) {
                    unreadable.inc();
                }
                return;
            }
            EmbeddingUpdate u;
            try {
                switch (r.getKind()) {
                    case SNAPSHOT_COMPLETE:
                        u = EmbeddingUpdate.marker(r.getSnapshotVersion(), r.getSubtask(), r.getSubtasks(),
                                r.getRecordCount(), r.getEventTime().toEpochMilli(), r.getQuerySpec());
                        break;
                    case REMOVED:
                        u = EmbeddingUpdate.removal(r.getEntityId(), r.getSnapshotVersion(), r.getSubtask(),
                                r.getSubtasks(), r.getEventTime().toEpochMilli());
                        break;
                    default:
                        u = EmbeddingUpdate.item(r.getEntityId(), EmbeddingCodec.unpackVector(r.getVector()),
                                EmbeddingCodec.features(r), r.getSnapshotVersion(), r.getSubtask(), r.getSubtasks(),
                                r.getUpdateCount(), r.getEventTime().toEpochMilli());
                        u.popularity = EmbeddingCodec.popularity(r);
                }
            } catch (IllegalArgumentException e) { // a vector of odd length, or a bad feature key
                if (unreadable != null) {
                    unreadable.inc();
                }
                return;
            }
            out.collect(u);
        }

        @Override
        public TypeInformation<EmbeddingUpdate> getProducedType() {
            return Types.POJO(EmbeddingUpdate.class);
        }
    }
}
