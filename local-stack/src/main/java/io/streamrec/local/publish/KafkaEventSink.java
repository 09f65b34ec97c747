package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes event JSON to a Kafka topic keyed by the user id (UTF-8), so that all events of a user land in one
 * partition in the order they were sent. The producer is idempotent with {@code acks=all}: a retried batch is
 * neither duplicated nor reordered (up to 5 requests in flight keep order when idempotent).
 *
 * <p>Not thread-safe: one publishing thread; {@link #acknowledged()} may be read from any thread.
 */
public final class KafkaEventSink implements EventSink {

    private final KafkaTarget target;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private KafkaEventSink(KafkaTarget target, Map<String, Object> extraProducerConfig) {
        this.target = target;
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
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
        c.putAll(extraProducerConfig);
        this.producer = new KafkaProducer<>(c);
    }

    /**
     * Checks the target with {@link KafkaPreflight} (reachable broker, existing or created topic) and opens a
     * producer.
     *
     * @throws PublishException when the check fails
     */
    public static KafkaEventSink open(KafkaTarget target) {
        return open(target, Map.of());
    }

    /** As {@link #open(KafkaTarget)}, with producer settings overriding the defaults. */
    public static KafkaEventSink open(KafkaTarget target, Map<String, Object> extraProducerConfig) {
        KafkaPreflight.check(target);
        return new KafkaEventSink(target, extraProducerConfig);
    }

    public KafkaTarget target() {
        return target;
    }

    @Override
    public void publish(InteractionEvent event, byte[] json) {
        throwIfFailed();
        byte[] key = event.userId.getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(target.topic(), key, json), (metadata, e) -> {
                if (e == null) {
                    acknowledged.incrementAndGet();
                } else {
                    failure.compareAndSet(null, e);
                }
            });
        } catch (KafkaException e) {
            // send() itself throws when metadata cannot be fetched within max.block.ms, e.g. the broker went away.
            failure.compareAndSet(null, e);
            throwIfFailed();
        }
    }

    @Override
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    @Override
    public long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new PublishException("publishing to topic '" + target.topic() + "' at " + target.bootstrapServers()
                    + " failed: " + KafkaPreflight.rootMessage(e), e);
        }
    }
}
