package io.streamrec.job.sink;

import io.streamrec.job.config.JobConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the job's topics when they are missing (at start, in the client, never inside an operator): the input
 * and dead-letter topics with {@code kafka.topic-partitions} partitions and the embedding topics compacted, so that
 * they hold the latest vector per key. Existing topics are left alone.
 */
public final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {}

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
                    awaitLeaders(admin, t.name());
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

    /**
     * Until every partition of a just-created topic has a leader that serves it: an idempotent producer (the job's
     * sinks) that writes earlier can lose its first batch (KAFKA-15591).
     */
    private static void awaitLeaders(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                List<TopicPartitionInfo> info = admin.describeTopics(List.of(topic))
                        .allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions();
                if (!info.isEmpty() && info.stream().allMatch(p -> p.leader() != null)) {
                    // A leader in the metadata is not yet a partition its broker serves: ask each leader for the
                    // end offset, which it answers only once the partition's log is open (the admin client retries
                    // NOT_LEADER_OR_FOLLOWER until then). Seen in CI: a first batch rejected, the next accepted,
                    // and the first then refused as out of order until it expired.
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (TopicPartitionInfo p : info) {
                        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    }
                    admin.listOffsets(latest).all().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                            TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topic '" + topic + "' has no leader for every partition after 30 s");
            }
            Thread.sleep(50);
        }
    }
}
