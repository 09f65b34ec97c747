package io.streamrec.job.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.testing.JobMetrics;
import io.streamrec.job.testing.TestJobs;
import io.streamrec.job.testing.TestMiniCluster;
import io.streamrec.job.testing.TestData;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * MovieLens 100K through the real job: every rating published to a real broker in timestamp order, the trainer at
 * parallelism 2 with RocksDB and checkpoints, every event scored before it is learned from (prequential). The
 * job's own HR@10 must clear 0.10 and 1.3x the popularity baseline of the same run.
 */
class MovieLensTrainerITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestMiniCluster.withMetrics(METRICS);

    @Test
    void prequentialHitRateBeatsPopularity(@TempDir Path checkpoints) throws Exception {
        List<InteractionEvent> events = TestData.movieLens100k();
        JobConfig config = TestJobs.jobConfig(KAFKA.broker(), checkpoints, 4,
                "ingest.timestamp.earliest", "1995-01-01T00:00:00Z",
                "metrics.prequential.sample", "1.0",
                "snapshot.interval", "1 s",
                "checkpoint.interval", "5 s");
        String interactions = config.interactionsTopic;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        for (InteractionEvent e : events) {
            records.add(new ProducerRecord<>(interactions, e.userId.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(e)));
        }
        KAFKA.broker().produce(records);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(TrainerJob.flinkConfiguration(config));
        TrainerJob.build(env, config);
        JobClient job = env.executeAsync("movielens-it");
        long start = System.nanoTime();
        try {
            Awaitility.await("every rating trained on").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500)).until(() -> sum(job, "eventsTrained") >= events.size());
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(events.size(), sum(job, "eventsTrained"), "every rating trained on");
            long evaluated = sum(job, "prequentialEvaluated");
            double hr10 = (double) sum(job, "prequentialHits10") / evaluated;
            double hr100 = (double) sum(job, "prequentialHits100") / evaluated;
            double pop10 = (double) sum(job, "popularityHits10") / evaluated;
            double pop100 = (double) sum(job, "popularityHits100") / evaluated;
            System.out.printf("MovieLens 100K prequential over %d events in %.1f s: model HR@10 %.4f HR@100 %.4f, "
                    + "popularity HR@10 %.4f HR@100 %.4f (ratio %.2fx)%n", evaluated, seconds, hr10, hr100, pop10,
                    pop100, hr10 / pop10);
            assertEquals(events.size(), evaluated, "every event scored before learning");
            assertTrue(hr10 >= 0.10, "HR@10 " + hr10 + " below the 0.10 floor");
            assertTrue(hr10 >= 1.3 * pop10, "HR@10 " + hr10 + " not 1.3x popularity " + pop10);
        } finally {
            TestJobs.cancel(job);
        }
    }

    static long sum(JobClient job, String name) {
        return JobMetrics.sumCounter(METRICS, job.getJobID(), name);
    }
}
