package io.streamrec.job.sink;

import io.streamrec.job.rank.RankerPublication;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/** A published ranker as a Kafka record: key {@code ranker} (one record, compacted), value the model's bytes. */
public final class RankerModelSerializer implements KafkaRecordSerializationSchema<RankerPublication> {
    private static final long serialVersionUID = 1L;
    public static final byte[] KEY = "ranker".getBytes(StandardCharsets.UTF_8);

    private final String topic;

    public RankerModelSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RankerPublication p, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, KEY, p.bytes);
    }
}
