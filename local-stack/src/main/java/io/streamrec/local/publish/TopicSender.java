package io.streamrec.local.publish;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Sends records to one topic through a producer that may be shared with other topics: counts what Kafka
 * acknowledged and keeps the first failure, which every later call reports as a {@link PublishException} naming
 * the topic and broker. The common part of {@link KafkaEventSink} and {@link KafkaCatalogSink}.
 *
 * <p>One sending thread; {@link #acknowledged()} may be read from any thread.
 */
final class TopicSender {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaTarget target;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    TopicSender(KafkaProducer<byte[], byte[]> producer, KafkaTarget target) {
        this.producer = producer;
        this.target = target;
    }

    /** @throws PublishException when an earlier record could not be published */
    void send(byte[] key, byte[] value) {
        throwIfFailed();
        try {
            producer.send(new ProducerRecord<>(target.topic(), key, value), (metadata, e) -> {
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

    /** Waits for everything the producer holds (of every topic) to be stored. */
    void flush() {
        producer.flush();
        throwIfFailed();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    KafkaTarget target() {
        return target;
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new PublishException("publishing to topic '" + target.topic() + "' at " + target.bootstrapServers()
                    + " failed: " + KafkaPreflight.rootMessage(e), e);
        }
    }
}
