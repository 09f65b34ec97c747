package io.streamrec.local.publish;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The one producer configuration of the tools' sinks. */
final class Producers {
    private Producers() {}

    /**
     * An idempotent producer with {@code acks=all}: a retried batch is neither duplicated nor reordered (up to 5
     * requests in flight keep order when idempotent). Byte-array keys and values.
     */
    static KafkaProducer<byte[], byte[]> idempotent(String bootstrapServers, Map<String, Object> extraConfig) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Larger batches with a short linger: full-speed replay is throughput-bound, live events barely notice 10 ms.
        c.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        // A broker that vanishes mid-run should stop the tool within a minute, not the default two.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        c.putAll(extraConfig);
        return new KafkaProducer<>(c);
    }
}
