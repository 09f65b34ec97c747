package io.streamrec.kafka.admin;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Waits until every partition of a topic is served by its leader: the one implementation used by the trainer's
 * topic creation ({@code KafkaTopics}), the embedded broker's {@code createTopic} and the CLI's preflight.
 *
 * <p>Why: producing to a just-created topic too early risks KAFKA-15591: an idempotent producer's first request
 * fails NOT_LEADER_OR_FOLLOWER while a later one is accepted, and the first one's records are then refused as out
 * of order until they expire, i.e. lost (seen once in CI: incoming sequence 0 after 428). A leader named in the
 * metadata is not yet enough; the wait therefore also asks each leader for its end offset, which it answers only
 * once the partition's log is open (the admin client retries NOT_LEADER_OR_FOLLOWER until then).
 *
 * <p>Stateless and thread-safe (as thread-safe as the {@link Admin} given).
 */
public final class PartitionReadiness {

    private PartitionReadiness() {}

    /**
     * Returns once every partition of {@code topic} has a leader that answers ListOffsets.
     *
     * @throws TimeoutException when that has not happened within {@code timeout}
     * @throws ExecutionException when the admin client fails for another reason than the topic not being known yet
     */
    public static void awaitLeaders(Admin admin, String topic, Duration timeout)
            throws InterruptedException, TimeoutException, ExecutionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                List<TopicPartitionInfo> info = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions();
                if (!info.isEmpty() && info.stream().allMatch(p -> p.leader() != null)) {
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
                throw new TimeoutException("topic '" + topic + "' has no leader for every partition after "
                        + timeout.toMillis() + " ms");
            }
            Thread.sleep(50);
        }
    }
}
