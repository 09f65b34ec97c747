package io.streamrec.local.publish;

import io.streamrec.kafka.admin.PartitionReadiness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
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

    /**
     * @return the number of partitions of the topic
     * @throws PublishException when the broker cannot be reached or the topic is missing and not to be created
     */
    public static int check(KafkaTarget target) {
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
            return describeOrCreate(admin, target, timeoutMs);
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

    private static int describeOrCreate(Admin admin, KafkaTarget target, long timeoutMs)
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
                    + " (--topic); create it, or pass --create-topic to create it with " + target.partitions()
                    + " partitions");
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(target.partitions()), Optional.empty())))
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
        return new PublishException("cannot reach Kafka at " + target.bootstrapServers() + " (--bootstrap-servers): "
                + why, cause);
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
