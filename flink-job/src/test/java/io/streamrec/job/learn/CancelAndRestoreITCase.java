package io.streamrec.job.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.model.Learner;
import io.streamrec.job.testing.Embeddings;
import io.streamrec.job.testing.JobMetrics;
import io.streamrec.job.testing.SyntheticEvents;
import io.streamrec.job.testing.TestJobs;
import io.streamrec.job.testing.TestMiniCluster;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
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
 * Cancels the trainer mid-stream and starts it again from its last retained checkpoint (a new job restored from
 * that checkpoint, as {@code submit --resume} does after a crash): the learned item vectors come back (they are not
 * re-initialized), the restored job's first snapshot republishes every item published before the stop, training
 * continues on the events published while it was down, and snapshot versions continue without a gap.
 *
 * <p>A cancel, not a kill: the job's tasks end cleanly. A TaskManager killed with SIGKILL while events arrive, and
 * the job's own restart from its checkpoint, are {@code ClusterITCase}'s (local-stack), on a real cluster.
 */
class CancelAndRestoreITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestMiniCluster.withMetrics(METRICS);

    @Test
    void learnedStateAndSnapshotVersionsSurviveARestart(@TempDir Path checkpoints) throws Exception {
        JobConfig config = TestJobs.jobConfig(KAFKA.broker(), checkpoints, 2,
                "snapshot.interval", "1 s",
                "checkpoint.interval", "1 s",
                "metrics.prequential.sample", "0");
        List<InteractionEvent> events = SyntheticEvents.clustered(200, 300, 5, 20_000, 7, 1_714_564_800_000L);
        List<InteractionEvent> first = events.subList(0, 10_000);
        List<InteractionEvent> second = events.subList(10_000, events.size());

        // A catalog: every item has a category (the items' cluster), so features learn and must survive too.
        List<ProducerRecord<byte[], byte[]>> catalog = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            CatalogRecord r = CatalogRecord.of("item-" + i, java.util.Map.of("category", List.of("c" + i / 60)));
            catalog.add(new ProducerRecord<>(config.catalogTopic, r.itemId().getBytes(StandardCharsets.UTF_8),
                    CatalogJson.toBytes(r)));
        }
        KAFKA.broker().createTopic(config.catalogTopic, 2);
        KAFKA.broker().produce(catalog);
        JobClient job = start(config, null);
        // The catalog goes in first, as evaluate and the demo do: the events' gradients reach the features only
        // once the UserTowers have read the items back with them (a fast job could otherwise train and send every
        // bundle of the events before that, and the features would learn nothing to publish).
        long catalogItems = Embeddings.readUntil(KAFKA.broker(), config.itemEmbeddingsTopic,
                rs -> rs.stream().map(r -> r.getEntityId().toString()).filter(id -> id.startsWith("item-"))
                        .distinct().count() == 300, Duration.ofSeconds(60))
                .stream().map(r -> r.getEntityId().toString()).filter(id -> id.startsWith("item-")).distinct().count();
        assertEquals(300, catalogItems, "the catalog's items were published before any event");
        publish(config.interactionsTopic, first);
        awaitCounter(job, "eventsTrained", first.size());
        // A few snapshot versions out, with the features' vectors among them: features get gradients only once the
        // UserTower has read its items back with their features, so they may be created after the last event.
        Embeddings.readUntil(KAFKA.broker(), config.itemEmbeddingsTopic,
                rs -> rs.stream().anyMatch(r -> r.getSnapshotVersion() >= 3)
                        && rs.stream().map(r -> r.getEntityId().toString()).filter(FeatureKeys::isFeature)
                                .distinct().count() == 5,
                Duration.ofSeconds(30));
        // Then two more checkpoints: the second was triggered after every gradient so far reached the ItemTower, so
        // its state holds every item and feature that has been published (a bundle still pending at a barrier is
        // checkpointed with the UserTower, and sent after a restore, possibly after the first snapshot).
        long publishedAt = latestCheckpointId(checkpoints, job);
        Awaitility.await("two checkpoints after the features were published").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> latestCheckpointId(checkpoints, job) >= publishedAt + 2);
        TestJobs.cancel(job); // checkpoints are retained on cancellation
        long stoppedAt = System.currentTimeMillis();

        List<EmbeddingRecord> before = Embeddings.readUntil(KAFKA.broker(), config.itemEmbeddingsTopic,
                r -> false, Duration.ofSeconds(3));
        long maxVersionBefore = before.stream().mapToLong(EmbeddingRecord::getSnapshotVersion).max().orElse(0);
        assertTrue(maxVersionBefore >= 3, "snapshots were published before the stop: " + maxVersionBefore);
        Set<String> itemsBefore = before.stream().filter(r -> r.getKind() == RecordKind.EMBEDDING)
                .map(r -> r.getEntityId().toString()).collect(Collectors.toSet());
        assertTrue(itemsBefore.containsAll(List.of(FeatureKeys.item("category", "c0"),
                FeatureKeys.item("category", "c4"))), "feature vectors were published before the stop");

        // Events keep arriving while the job is down.
        publish(config.interactionsTopic, second);

        Path checkpoint = latestCheckpoint(checkpoints, job);
        JobClient restored = start(config, checkpoint);
        try {
            awaitCounter(restored, "eventsTrained", second.size());
            List<EmbeddingRecord> all = Embeddings.readUntil(KAFKA.broker(), config.itemEmbeddingsTopic,
                    // Both subtasks' markers of a later version: each partition has been read past the restart.
                    r -> r.stream().filter(x -> x.getKind() == RecordKind.SNAPSHOT_COMPLETE
                            && x.getPublishedAt().toEpochMilli() > stoppedAt
                            && x.getSnapshotVersion() > maxVersionBefore + 2)
                            .map(EmbeddingRecord::getSubtask).distinct().count() == 2,
                    Duration.ofSeconds(60));

            TreeSet<Long> versions = all.stream().filter(r -> r.getKind() == RecordKind.SNAPSHOT_COMPLETE)
                    .map(EmbeddingRecord::getSnapshotVersion).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(1L, versions.first());
            assertEquals(versions.last() - versions.first() + 1, versions.size(),
                    "snapshot versions continue without gaps: " + versions);

            List<EmbeddingRecord> afterRestart = all.stream()
                    .filter(r -> r.getPublishedAt().toEpochMilli() > stoppedAt).collect(Collectors.toList());
            long firstVersionAfter = afterRestart.stream().mapToLong(EmbeddingRecord::getSnapshotVersion).min()
                    .orElseThrow();
            assertTrue(firstVersionAfter <= maxVersionBefore + 1,
                    "the restored job continues from the checkpointed version, not from 1: " + firstVersionAfter);
            assertTrue(firstVersionAfter > 1, "versions did not restart from scratch");

            // The restored job's first snapshot republishes every item it had, with its learned vector.
            List<EmbeddingRecord> republished = afterRestart.stream()
                    .filter(r -> r.getKind() == RecordKind.EMBEDDING && r.getSnapshotVersion() == firstVersionAfter)
                    .collect(Collectors.toList());
            Set<String> missing = new TreeSet<>(itemsBefore);
            republished.forEach(r -> missing.remove(r.getEntityId().toString()));
            assertTrue(missing.isEmpty(), "every item published before the stop is republished by the restored job's "
                    + "first snapshot (v" + firstVersionAfter + "); missing " + missing.size() + " of "
                    + itemsBefore.size() + ": " + missing.stream().limit(20).collect(Collectors.toList()));
            Learner fresh = new Learner(config.model);
            for (EmbeddingRecord r : republished) {
                assertTrue(r.getUpdateCount() > 0, "restored, not re-initialized: " + r.getEntityId());
                assertFalse(Arrays.equals(fresh.initialItemVector(r.getEntityId()),
                        EmbeddingCodec.unpackVector(r.getVector())), "vector of " + r.getEntityId() + " was reset");
                String id = r.getEntityId().toString();
                if (!FeatureKeys.isFeature(id)) {
                    // Items keep their catalog features through the restore (they are in the ItemTower's state).
                    int cluster = Integer.parseInt(id.substring("item-".length())) / 60;
                    assertEquals(List.of(FeatureKeys.item("category", "c" + cluster)), featureKeys(r), id);
                }
            }
        } finally {
            TestJobs.cancel(restored);
        }
    }

    private static List<String> featureKeys(EmbeddingRecord r) {
        io.streamrec.schema.features.ItemFeatures f = EmbeddingCodec.features(r);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            keys.add(f.key(i));
        }
        return keys;
    }

    private static void publish(String topic, List<InteractionEvent> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (InteractionEvent e : events) {
            records.add(new ProducerRecord<>(topic, e.userId.getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e)));
        }
        KAFKA.broker().produce(records);
    }

    private static JobClient start(JobConfig config, Path restoreFrom) throws Exception {
        Configuration conf = TrainerJob.flinkConfiguration(config);
        if (restoreFrom != null) {
            conf.setString("execution.state-recovery.path", restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        TrainerJob.build(env, config);
        return env.executeAsync(restoreFrom == null ? "kill-restore-first" : "kill-restore-second");
    }

    private static void awaitCounter(JobClient job, String name, long atLeast) {
        Awaitility.await(name + " reaches " + atLeast).atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> JobMetrics.sumCounter(METRICS, job.getJobID(), name) >= atLeast);
    }

    /** The number of the newest completed checkpoint (one with a {@code _metadata} file), 0 when none. */
    private static long latestCheckpointId(Path dir, JobClient job) throws IOException {
        Path jobDir = dir.resolve(job.getJobID().toString());
        if (!Files.isDirectory(jobDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(jobDir)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .mapToLong(p -> Long.parseLong(p.getParent().getFileName().toString().substring(4)))
                    .max().orElse(0);
        }
    }

    private static Path latestCheckpoint(Path dir, JobClient job) throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve(job.getJobID().toString()))) {
            Optional<Path> latest = files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
            return latest.orElseThrow(() -> new AssertionError("no completed checkpoint under " + dir));
        }
    }
}
