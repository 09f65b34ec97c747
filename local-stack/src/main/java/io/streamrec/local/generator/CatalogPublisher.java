package io.streamrec.local.generator;

import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.kafka.admin.PartitionReadiness;
import io.streamrec.local.publish.PublishException;
import io.streamrec.schema.catalog.CatalogRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes catalog records ({@link CatalogJson}) to the compacted {@code catalog} topic, keyed by item id (UTF-8),
 * with an idempotent {@code acks=all} producer, and waits for each to be stored: a record published here is in Kafka
 * before the caller goes on (so before the events that follow it). {@link #ensureTopic} creates the topic
 * compacted when it is missing.
 *
 * <p>Thread-safe (the Kafka producer is); {@link #published()} may be read from any thread.
 */
public final class CatalogPublisher implements AutoCloseable {
    public static final String DEFAULT_TOPIC = "catalog";
    /** A created catalog topic's settings: compacted, so a reader from the start gets every item's latest record. */
    public static final Map<String, String> TOPIC_CONFIG = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "60000",
            TopicConfig.SEGMENT_MS_CONFIG, "3600000");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

    /** What {@link #ensureTopic} found. */
    public enum TopicState {
        /** It was missing and is now created, compacted. */
        CREATED,
        /** It exists and is compacted. */
        COMPACTED,
        /** It exists with another cleanup policy: old records of an item are deleted by age, not replaced. */
        NOT_COMPACTED
    }

    private final String bootstrapServers;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong published = new AtomicLong();

    private CatalogPublisher(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ACK_TIMEOUT.toMillis());
        this.producer = new KafkaProducer<>(c);
    }

    /** A publisher to {@code topic}; call {@link #ensureTopic} first. */
    public static CatalogPublisher open(String bootstrapServers, String topic) {
        return new CatalogPublisher(bootstrapServers, topic);
    }

    /**
     * Creates {@code topic} compacted ({@link #TOPIC_CONFIG}) with {@code partitions} partitions when it is missing,
     * and waits until every partition serves; an existing topic is left as it is, and said whether it is compacted.
     *
     * @throws PublishException when the broker does not answer within {@code timeout} or refuses
     */
    public static TopicState ensureTopic(String bootstrapServers, String topic, int partitions, Duration timeout) {
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms))) {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get(ms, TimeUnit.MILLISECONDS)
                        .get(resource);
                String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG) == null ? ""
                        : config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                return policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) ? TopicState.COMPACTED
                        : TopicState.NOT_COMPACTED;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                        .configs(TOPIC_CONFIG))).all().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // created concurrently: fine
                    throw e;
                }
            }
            // Producing before every partition serves can lose an idempotent producer's first batch (KAFKA-15591).
            PartitionReadiness.awaitLeaders(admin, topic, timeout);
            return TopicState.CREATED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while creating the catalog topic '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PublishException("cannot create or describe the catalog topic '" + topic + "' at "
                    + bootstrapServers + " (--topics.catalog): " + cause.getMessage(), cause);
        }
    }

    public String topic() {
        return topic;
    }

    /** Records stored so far. */
    public long published() {
        return published.get();
    }

    /**
     * Publishes one record and waits until Kafka has stored it.
     *
     * @throws PublishException when it could not be stored
     */
    public void publish(CatalogRecord record) {
        publishAll(List.of(record));
    }

    /**
     * Publishes the records, in order, and waits until Kafka has stored every one.
     *
     * @throws PublishException when one could not be stored
     */
    public void publishAll(Collection<CatalogRecord> records) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        try {
            for (CatalogRecord r : records) {
                acks.add(producer.send(new ProducerRecord<>(topic, r.itemId().getBytes(StandardCharsets.UTF_8),
                        CatalogJson.toBytes(r))));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                published.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing to the catalog topic '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PublishException("publishing to the catalog topic '" + topic + "' at " + bootstrapServers
                    + " failed: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
