package io.streamrec.job.sink;

import io.streamrec.job.config.JobConfig;
import io.streamrec.kafka.admin.PartitionReadiness;
import io.streamrec.ranker.RankerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the job's topics when they are missing (at start, in the client, never inside an operator): the input
 * and dead-letter topics with {@code kafka.topic-partitions} partitions and the embedding topics compacted, so that
 * they hold the latest vector per key. Existing topics are left alone. A created topic is waited for until its
 * partitions are served ({@link PartitionReadiness}), so that the job's idempotent sinks cannot lose a first batch.
 */
public final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {}

    /**
     * The ranker's topic: one partition (one record, the newest model), compacted, and room for a model of up to
     * {@link RankerConfig#MAX_PUBLISHED_BYTES}.
     */
    public static NewTopic rankerModelTopic(String name) {
        return new NewTopic(name, 1, (short) -1).configs(Map.of(
                "cleanup.policy", "compact",
                "min.compaction.lag.ms", "60000",
                "segment.ms", "3600000",
                "max.message.bytes", Long.toString(RankerConfig.MAX_PUBLISHED_BYTES + 1024)));
    }

    public static void ensure(JobConfig c) {
        Map<String, String> compacted = Map.of(
                "cleanup.policy", "compact",
                "min.compaction.lag.ms", "60000",
                "segment.ms", "3600000");
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(c.interactionsTopic, c.topicPartitions, (short) -1));
        wanted.add(new NewTopic(c.dlqTopic, c.topicPartitions, (short) -1));
        wanted.add(new NewTopic(c.itemEmbeddingsTopic, c.topicPartitions, (short) -1).configs(compacted));
        wanted.add(new NewTopic(c.userEmbeddingsTopic, c.topicPartitions, (short) -1).configs(compacted));
        wanted.add(new NewTopic(c.catalogTopic, c.topicPartitions, (short) -1).configs(compacted));
        wanted.add(new NewTopic(c.catalogDlqTopic, c.topicPartitions, (short) -1));
        if (c.ranker.enabled) {
            wanted.add(rankerModelTopic(c.rankerModelTopic));
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            for (NewTopic t : missing) {
                try {
                    admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions{})", t.name(), t.numPartitions(),
                            t.configs() == null ? "" : ", " + t.configs());
                    PartitionReadiness.awaitLeaders(admin, t.name(), Duration.ofSeconds(30));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic '" + t.name() + "' on "
                                + c.bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + c.bootstrapServers
                    + " (kafka.bootstrap.servers) to check the topics: " + e.getMessage(), e);
        }
    }
}
