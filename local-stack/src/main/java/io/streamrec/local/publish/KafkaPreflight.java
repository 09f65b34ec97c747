package io.streamrec.local.publish;

import io.streamrec.kafka.admin.PartitionReadiness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks a {@link KafkaTarget} before anything is read or sent: the broker answers within the connect timeout and
 * the topic exists (or is created when the target asks for it). Turns the Kafka client's retries and stack traces
 * into one sentence naming the option to fix.
 *
 * <p>Why up front: a producer pointed at a missing broker does not fail, it blocks in {@code send()} for
 * {@code max.block.ms} and then times out per record, long after the tool has started reading a large file.
 */
public final class KafkaPreflight {

    private KafkaPreflight() {}

    /** Topic settings of a created catalog topic: the newest record per item survives compaction. */
    public static final Map<String, String> COMPACTED = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT);

    /**
     * @return the number of partitions of the topic
     * @throws PublishException when the broker cannot be reached or the topic is missing and not to be created
     */
    public static int check(KafkaTarget target) {
        return check(target, "--topics.interactions", Map.of(), null);
    }

    /**
     * Checks a catalog topic: as {@link #check(KafkaTarget)}, but a created topic is compacted
     * ({@link #COMPACTED}).
     *
     * @param topicOption the option that names the topic, for the message when it is missing
     * @return null, or a warning when the existing topic is not compacted (an item's older records are then deleted
     *     by retention, not replaced, and a consumer starting later misses items)
     * @throws PublishException when the broker cannot be reached or the topic is missing and not to be created
     */
    public static String checkCatalogTopic(KafkaTarget target, String topicOption) {
        String[] policy = new String[1];
        check(target, topicOption, COMPACTED, policy);
        if (policy[0] != null && !policy[0].contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            return "topic '" + target.topic() + "' has cleanup.policy=" + policy[0] + "; a catalog topic should be"
                    + " compacted (kafka-configs --alter --entity-type topics --entity-name " + target.topic()
                    + " --add-config cleanup.policy=compact), or older items are lost to retention";
        }
        return null;
    }

    /**
     * @param topicOption the option that names the topic, for the message when it is missing
     * @param createConfigs settings of a topic created here
     * @param cleanupPolicy when not null, gets the topic's cleanup.policy in its first element
     */
    private static int check(KafkaTarget target, String topicOption, Map<String, String> createConfigs,
                             String[] cleanupPolicy) {
        long timeoutMs = Math.max(1, target.connectTimeout().toMillis());
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs),
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5_000L),
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(timeoutMs, 5_000L),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500L);
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            // e.g. "No resolvable bootstrap urls given in bootstrap.servers"
            throw unreachable(target, rootMessage(e), e);
        }
        try {
            admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            int partitions = describeOrCreate(admin, target, topicOption, timeoutMs, createConfigs);
            if (cleanupPolicy != null) {
                cleanupPolicy[0] = cleanupPolicy(admin, target, timeoutMs);
            }
            return partitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while connecting to Kafka at " + target.bootstrapServers(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(target, "no answer within " + timeoutMs + " ms; is the broker running?", e.getCause());
            }
            throw unreachable(target, rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(target, "no answer within " + timeoutMs + " ms; is the broker running?", e);
        } finally {
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }

    private static String cleanupPolicy(Admin admin, KafkaTarget target, long timeoutMs)
            throws InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, target.topic());
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return entry == null ? null : entry.value();
        } catch (ExecutionException e) {
            return null; // not allowed to describe configs (ACLs): nothing to warn about
        }
    }

    private static int describeOrCreate(Admin admin, KafkaTarget target, String topicOption, long timeoutMs,
                                        Map<String, String> createConfigs)
            throws InterruptedException, TimeoutException {
        String topic = target.topic();
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new PublishException("cannot describe topic '" + topic + "' at " + target.bootstrapServers()
                        + ": " + rootMessage(e.getCause()), e.getCause());
            }
        }
        if (!target.createTopic()) {
            throw new PublishException("topic '" + topic + "' does not exist at " + target.bootstrapServers()
                    + " (" + topicOption + "); create it, or pass --create-topic to create it with "
                    + target.partitions() + " partitions" + (createConfigs.isEmpty() ? "" : " and "
                    + createConfigs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(", "))));
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(target.partitions()), Optional.empty())
                            .configs(createConfigs)))
                    .all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // created concurrently: fine
                throw new PublishException("cannot create topic '" + topic + "' at " + target.bootstrapServers()
                        + ": " + rootMessage(e.getCause()), e.getCause());
            }
        }
        try {
            // Producing before every partition has a leader can lose the first batch (KAFKA-15591).
            PartitionReadiness.awaitLeaders(admin, topic, Duration.ofMillis(timeoutMs));
        } catch (ExecutionException e) {
            throw new PublishException("cannot describe topic '" + topic + "' at " + target.bootstrapServers()
                    + ": " + rootMessage(e.getCause()), e.getCause());
        }
        return target.partitions();
    }

    private static PublishException unreachable(KafkaTarget target, String why, Throwable cause) {
        return new PublishException("cannot reach Kafka at " + target.bootstrapServers()
                + " (--kafka.bootstrap.servers): " + why, cause);
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
