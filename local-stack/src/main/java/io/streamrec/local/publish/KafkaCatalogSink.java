package io.streamrec.local.publish;

import io.streamrec.schema.catalog.CatalogRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Publishes catalog record JSON to the catalog topic keyed by the item id (UTF-8): the newest record of an item is
 * the one a compacted topic keeps. Idempotent producer with {@code acks=all}, as {@link KafkaEventSink}. Either with
 * its own producer ({@link #open}) or sharing an event sink's ({@link KafkaEventSink#catalogSink}).
 *
 * <p>Not thread-safe: one publishing thread; {@link #acknowledged()} may be read from any thread.
 */
public final class KafkaCatalogSink implements CatalogSink {
    /** The default topic of catalog records. */
    public static final String DEFAULT_TOPIC = "catalog";

    private final KafkaProducer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final TopicSender sender;

    KafkaCatalogSink(KafkaProducer<byte[], byte[]> producer, KafkaTarget target, boolean ownsProducer) {
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.sender = new TopicSender(producer, target);
    }

    /**
     * Checks the target (reachable broker; the topic exists, or is created with {@code cleanup.policy=compact} when
     * the target asks for it) and opens a producer.
     *
     * @param topicOption the option naming the topic, for the message when it is missing
     * @param onWarning receives a warning when the existing topic is not compacted
     * @throws PublishException when the check fails
     */
    public static KafkaCatalogSink open(KafkaTarget target, String topicOption, Consumer<String> onWarning) {
        String warning = KafkaPreflight.checkCatalogTopic(target, topicOption);
        if (warning != null) {
            onWarning.accept(warning);
        }
        return new KafkaCatalogSink(Producers.idempotent(target.bootstrapServers(), Map.of()), target, true);
    }

    public KafkaTarget target() {
        return sender.target();
    }

    @Override
    public void publish(CatalogRecord record, byte[] json) {
        sender.send(record.itemId().getBytes(StandardCharsets.UTF_8), json);
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
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
