package io.streamrec.local.publish;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the tools publish: bootstrap servers, topic, whether to create a missing topic (and with how many
 * partitions), and how long to wait for the broker before giving up. Immutable.
 *
 * <p>Defaults are the demo's: {@code localhost:9092}, topic {@code interactions}, no topic creation, 4 partitions
 * (the trainer's {@code kafka.topic-partitions} default), 10 s connect timeout.
 */
public record KafkaTarget(String bootstrapServers, String topic, boolean createTopic, int partitions,
                          Duration connectTimeout) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_TOPIC = "interactions";
    public static final int DEFAULT_PARTITIONS = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public KafkaTarget {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty");
        }
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    public static KafkaTarget defaults() {
        return new KafkaTarget(DEFAULT_BOOTSTRAP_SERVERS, DEFAULT_TOPIC, false, DEFAULT_PARTITIONS,
                DEFAULT_CONNECT_TIMEOUT);
    }

    public static KafkaTarget of(String bootstrapServers, String topic) {
        return new KafkaTarget(bootstrapServers, topic, false, DEFAULT_PARTITIONS, DEFAULT_CONNECT_TIMEOUT);
    }

    public KafkaTarget withCreateTopic(boolean create, int partitions) {
        return new KafkaTarget(bootstrapServers, topic, create, partitions, connectTimeout);
    }

    public KafkaTarget withTopic(String name) {
        return new KafkaTarget(bootstrapServers, name, createTopic, partitions, connectTimeout);
    }

    public KafkaTarget withConnectTimeout(Duration timeout) {
        return new KafkaTarget(bootstrapServers, topic, createTopic, partitions, timeout);
    }
}
