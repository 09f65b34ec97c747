package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Publishes event JSON to a Kafka topic keyed by the user id (UTF-8), so that all events of a user land in one
 * partition in the order they were sent. The producer is idempotent with {@code acks=all}: a retried batch is
 * neither duplicated nor reordered (up to 5 requests in flight keep order when idempotent). {@link #catalogSink}
 * publishes catalog records through the same producer.
 *
 * <p>Not thread-safe: one publishing thread; {@link #acknowledged()} may be read from any thread.
 */
public final class KafkaEventSink implements EventSink {

    private final KafkaProducer<byte[], byte[]> producer;
    private final TopicSender sender;

    private KafkaEventSink(KafkaTarget target, Map<String, Object> extraProducerConfig) {
        this.producer = Producers.idempotent(target.bootstrapServers(), extraProducerConfig);
        this.sender = new TopicSender(producer, target);
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

    /**
     * A sink for catalog records on {@code catalogTarget}'s topic that sends through this sink's producer (so a
     * catalog record flushed before an event is stored before it). Checks the topic first as
     * {@link KafkaCatalogSink#open} does; closing the returned sink leaves the producer open (this sink owns it).
     *
     * @param topicOption the option naming the topic, for the message when it is missing
     * @param onWarning receives a warning when the existing topic is not compacted
     * @throws PublishException when the check fails
     */
    public KafkaCatalogSink catalogSink(KafkaTarget catalogTarget, String topicOption, Consumer<String> onWarning) {
        String warning = KafkaPreflight.checkCatalogTopic(catalogTarget, topicOption);
        if (warning != null) {
            onWarning.accept(warning);
        }
        return new KafkaCatalogSink(producer, catalogTarget, false);
    }

    public KafkaTarget target() {
        return sender.target();
    }

    @Override
    public void publish(InteractionEvent event, byte[] json) {
        sender.send(event.userId.getBytes(StandardCharsets.UTF_8), json);
    }

    @Override
    public void flush() {
        sender.flush();
    }

    @Override
    public long acknowledged() {
        return sender.acknowledged();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
