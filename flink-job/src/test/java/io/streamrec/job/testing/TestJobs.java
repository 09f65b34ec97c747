package io.streamrec.job.testing;

import io.streamrec.job.config.JobConfig;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.awaitility.Awaitility;

/** Job configurations for tests: a fresh set of uniquely named topics on the test broker, created up front. */
public final class TestJobs {
    private TestJobs() {}

    /**
     * @param overrides extra key/value pairs, e.g. {@code "snapshot.interval", "1 s"}
     */
    public static Map<String, String> config(EmbeddedKafkaBroker broker, Path checkpoints, int partitions,
                                             String... overrides) {
        String interactions = EmbeddedKafkaBroker.uniqueTopic("interactions");
        broker.createTopic(interactions, partitions);
        String dlq = EmbeddedKafkaBroker.uniqueTopic("interactions-dlq");
        broker.createTopic(dlq, 1);
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("kafka.group.id", "test-" + interactions);
        c.put("topics.interactions", interactions);
        c.put("topics.dlq", dlq);
        c.put("topics.item-embeddings", EmbeddingTopics.create(broker, "item-embeddings"));
        c.put("topics.user-embeddings", EmbeddingTopics.create(broker, "user-embeddings"));
        c.put("topics.ranker-model", rankerTopic(broker));
        c.put("job.parallelism", "2");
        c.put("checkpoint.dir", checkpoints.toUri().toString());
        c.put("checkpoint.interval", "2 s");
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            c.put(overrides[i], overrides[i + 1]);
        }
        return c;
    }

    /** A fresh ranker-model topic, created as the job creates it (one partition, compacted, large records). */
    public static String rankerTopic(EmbeddedKafkaBroker broker) {
        org.apache.kafka.clients.admin.NewTopic t = io.streamrec.job.sink.KafkaTopics.rankerModelTopic(
                EmbeddedKafkaBroker.uniqueTopic("ranker-model"));
        broker.createTopic(t.name(), t.numPartitions(), t.configs());
        return t.name();
    }

    /**
     * Cancels the job and waits until it has reached a terminal state (so its files are no longer written). Fails
     * loudly, naming the job and its last status, when the cancellation is refused or the job is still not terminal
     * after 60 s: a test that goes on would share the broker and the slots with a job that is still running.
     */
    public static void cancel(JobClient job) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!isTerminal(job)) { // cancelling a job that has already ended is refused, and is fine
                throw new AssertionError("could not cancel job " + job.getJobID() + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new AssertionError("cancelling job " + job.getJobID() + " did not answer in 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while cancelling job " + job.getJobID(), e);
        }
        Awaitility.await("job " + job.getJobID() + " reaches a terminal state after cancel")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> isTerminal(job));
    }

    /** Whether the job has finished, failed or been cancelled (or its per-job MiniCluster is gone). */
    public static boolean isTerminal(JobClient job) {
        try {
            return job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (IllegalStateException | ExecutionException e) {
            return true; // a per-job MiniCluster shuts down with its job
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while asking for the status of job " + job.getJobID(), e);
        }
    }

    public static JobConfig jobConfig(EmbeddedKafkaBroker broker, Path checkpoints, int partitions,
                                      String... overrides) {
        return JobConfig.fromMap(config(broker, checkpoints, partitions, overrides));
    }
}
