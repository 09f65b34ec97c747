package io.streamrec.job.testing;

import io.streamrec.job.config.JobConfig;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
        c.put("job.parallelism", "2");
        c.put("checkpoint.dir", checkpoints.toUri().toString());
        c.put("checkpoint.interval", "2 s");
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            c.put(overrides[i], overrides[i + 1]);
        }
        return c;
    }

    /** Cancels the job and waits until it has reached a terminal state (so its files are no longer written). */
    public static void cancel(org.apache.flink.core.execution.JobClient job) throws Exception {
        job.cancel().get();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!isTerminal(job) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** Whether the job has finished, failed or been cancelled (or its per-job MiniCluster is gone). */
    public static boolean isTerminal(org.apache.flink.core.execution.JobClient job) throws Exception {
        try {
            return job.getJobStatus().get().isGloballyTerminalState();
        } catch (IllegalStateException | java.util.concurrent.ExecutionException e) {
            return true; // a per-job MiniCluster shuts down with its job
        }
    }

    public static JobConfig jobConfig(EmbeddedKafkaBroker broker, Path checkpoints, int partitions,
                                      String... overrides) {
        return JobConfig.fromMap(config(broker, checkpoints, partitions, overrides));
    }
}
