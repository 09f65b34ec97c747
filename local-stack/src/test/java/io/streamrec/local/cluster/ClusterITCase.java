package io.streamrec.local.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.model.Learner;
import io.streamrec.local.generator.ClickstreamGenerator;
import io.streamrec.local.generator.GeneratorConfig;
import io.streamrec.local.stack.FlinkRest;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on a real standalone cluster: Kafka, a Flink JobManager and TaskManager as separate OS processes
 * (from the Maven-built classpaths), the shaded job jar submitted over REST, a serving node. Events flow; the
 * TaskManager is killed with SIGKILL while events keep arriving; a new TaskManager is started and the job recovers
 * from its last checkpoint; then the job is stopped with a savepoint and resubmitted from it.
 *
 * <p>"No lost updates" is checked through state, not metrics (counters restart with every task): every user's
 * published {@code update_count} is the number of events the user's vector was trained on, in the lineage of
 * state the job continues from. It must equal the number of events Kafka acknowledged for that user, exactly:
 * fewer would be lost events, more would be events applied twice (a replay on top of state that already had them).
 * A last event for every user after each restore makes every user republish from the restored lineage.
 *
 * <p>Tagged slow (about three minutes on two cores); {@code ./mvnw -B verify} runs it, {@code -DexcludedGroups=slow}
 * skips it.
 */
@Tag("slow")
class ClusterITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration LONG = Duration.ofMinutes(3);

    private static final List<String> TRAINER_ARGS = List.of(
            "--job.name", "streamrec-trainer (cluster test)",
            "--snapshot.interval", "1 s",
            "--checkpoint.interval", "2 s",
            "--metrics.prequential.sample", "0",
            // Every event a ranker example and the ranker out every second: its DJL runs in each job, and the
            // resubmitted one runs in the same TaskManager as the one before it (a JNI library loads once per JVM).
            "--ranker.sample", "1.0",
            "--ranker.publish-interval", "1 s");

    @Test
    void trainerRecoversFromTaskManagerKillAndResumesFromSavepoint(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        BuildLayout build = BuildLayout.fromSystemProperty();
        int servingPort = FreePorts.pick();
        ClusterSettings settings = ClusterSettings.builder(dir)
                .kafkaPort(FreePorts.pick()).kafkaControllerPort(FreePorts.pick())
                .restPort(FreePorts.pick()).jobManagerRpcPort(FreePorts.pick()).servingPort(servingPort)
                .build();
        StandaloneCluster cluster = new StandaloneCluster(settings, build);
        FlinkRest rest = cluster.rest();
        Thread emergency = new Thread(() -> {
            try {
                cluster.killAll();
            } catch (Exception e) {
                // the JVM is exiting: nothing more to do
            }
        }, "cluster-itcase-kill");
        Runtime.getRuntime().addShutdownHook(emergency);

        AckedEvents acked = new AckedEvents();
        try (KafkaProducer<byte[], byte[]> producer = producer(settings.bootstrapServers())) {
            cluster.start(false);
            step(t0, "Kafka, JobManager, TaskManager up as separate processes: " + cluster.processes());
            assertEquals(3, cluster.processes().size());
            assertEquals(1, rest.overview().path("taskmanagers").asInt());

            // A bad trainer flag submitted straight over REST is an error answer, not a dead JobManager.
            String jarId = rest.uploadJar(build.jobJar());
            IOException bad = assertThrows(IOException.class,
                    () -> rest.runJar(jarId, List.of("--no.such.key", "1"), null));
            assertTrue(bad.getMessage().contains("no.such.key"), bad.getMessage());
            rest.deleteJar(jarId);
            assertTrue(rest.isUp() && cluster.process(StandaloneCluster.JOBMANAGER).isPresent(),
                    "the JobManager survives a failing main()");

            String job = cluster.submit(TRAINER_ARGS, null);
            cluster.awaitRunning(job, LONG);
            step(t0, "job " + job + " submitted over REST and running");
            ManagedProcess serving = cluster.startServing(servingPort, List.of());
            URI servingUri = URI.create("http://localhost:" + servingPort);

            // ---- phase 1: events, training, checkpoints, a complete snapshot in serving
            ClickstreamGenerator events = new ClickstreamGenerator(GeneratorConfig.builder()
                    .users(150).items(300).topics(10).seed(11).liveClock(System::currentTimeMillis).build());
            for (int i = 0; i < 4_000; i++) {
                acked.send(producer, events.next());
            }
            producer.flush();
            acked.assertNoFailures();
            String userTower = rest.vertexId(job, "UserTower");
            awaitTrue(() -> rest.sums(job, userTower, "UserTower", List.of("eventsTrained"))
                    .getOrDefault("eventsTrained", 0.0) >= 4_000, LONG, "the first 4,000 events are trained");
            long checkpointsBefore = rest.completedCheckpoints(job);
            awaitTrue(() -> rest.completedCheckpoints(job) >= checkpointsBefore + 2, LONG, "two more checkpoints");
            awaitTrue(() -> readyVersion(servingUri) > 0, LONG, "serving has a complete snapshot");
            String someUser = acked.users().iterator().next();
            assertEquals("model", recommend(servingUri, someUser).path("strategy").asText());
            step(t0, "phase 1 trained and checkpointed; serving answers from snapshot v" + readyVersion(servingUri));

            // ---- kill -9 the TaskManager while events keep arriving
            long ackedBeforeFeed = acked.total();
            BackgroundFeed feed = new BackgroundFeed(producer, events, acked, 100);
            awaitTrue(() -> acked.total() >= ackedBeforeFeed + 300, LONG, "300 events fed before the kill");
            ManagedProcess tm = cluster.taskManagers().get(0);
            long killedAt = System.currentTimeMillis();
            tm.kill();
            assertFalse(tm.isAlive());
            step(t0, "killed " + tm + " with SIGKILL");
            Thread.sleep(2_000); // not a synchronization: the outage lasts a while, and serving answers during it
            JsonNode during = recommend(servingUri, someUser);
            assertEquals("model", during.path("strategy").asText(), "serving keeps answering: " + during);

            cluster.startTaskManager();
            awaitTrue(() -> rest.restoredFrom(job).isPresent() && rest.allTasksRunning(job), LONG,
                    "the job runs again, restored from a checkpoint");
            FlinkRest.CheckpointRef restored = rest.restoredFrom(job).orElseThrow();
            assertFalse(restored.savepoint());
            step(t0, "new TaskManager; job restored from checkpoint " + restored.id() + " (" + restored.externalPath()
                    + ")");
            long ackedAtRestore = acked.total();
            awaitTrue(() -> acked.total() >= ackedAtRestore + 400, LONG, "400 more events fed after the restore");
            feed.stop();
            acked.assertNoFailures();
            // The last event of every user comes after the restore: its published count is from the restored state.
            long probeAt = System.currentTimeMillis();
            for (String user : acked.users()) {
                acked.send(producer, new InteractionEvent(user, "i-0", EventType.CLICK, System.currentTimeMillis()));
            }
            producer.flush();
            acked.assertNoFailures();

            Map<String, Long> expected = acked.snapshot();
            awaitUserCountsEqual(settings.bootstrapServers(), expected, probeAt, "after the TaskManager kill");
            step(t0, "no lost or doubled update: all " + expected.size() + " users' update_count equal their "
                    + expected.values().stream().mapToLong(Long::longValue).sum() + " acknowledged events");

            RestoreCheck afterKill = checkItemsRestored(settings.bootstrapServers(), killedAt, false);
            step(t0, "item-embeddings: restored job republished " + afterKill.republished + " items at v"
                    + afterKill.firstVersionAfter + " (last before the kill v" + afterKill.lastVersionBefore
                    + "), counts not reset, versions without gaps");
            awaitTrue(() -> readyVersion(servingUri) > afterKill.lastVersionBefore
                            && recommend(servingUri, someUser).path("snapshot_version").asLong()
                            > afterKill.lastVersionBefore, LONG,
                    "serving answers from snapshots newer than any before the kill");

            // ---- stop with a savepoint, events while stopped, resubmit from the savepoint
            String savepoint = rest.stopWithSavepoint(job, settings.savepointDir().toUri().toString(), LONG);
            long stoppedAt = System.currentTimeMillis();
            awaitTrue(() -> rest.jobState(job).equals("FINISHED"), LONG, "the stopped job finishes");
            step(t0, "stopped with savepoint " + savepoint);
            for (int i = 0; i < 1_000; i++) {
                acked.send(producer, events.next());
            }
            producer.flush();

            String resumed = cluster.submit(TRAINER_ARGS, savepoint);
            cluster.awaitRunning(resumed, LONG);
            FlinkRest.CheckpointRef fromSavepoint = rest.restoredFrom(resumed).orElseThrow();
            assertTrue(fromSavepoint.savepoint(), "restored from the savepoint: " + fromSavepoint);
            step(t0, "resubmitted as " + resumed + " from the savepoint");
            long probe2At = System.currentTimeMillis();
            for (String user : acked.users()) {
                acked.send(producer, new InteractionEvent(user, "i-1", EventType.CLICK, System.currentTimeMillis()));
            }
            producer.flush();
            acked.assertNoFailures();
            Map<String, Long> expected2 = acked.snapshot();
            awaitUserCountsEqual(settings.bootstrapServers(), expected2, probe2At, "after the savepoint restart");
            RestoreCheck afterStop = checkItemsRestored(settings.bootstrapServers(), stoppedAt, true);
            awaitTrue(() -> readyVersion(servingUri) > afterStop.lastVersionBefore, LONG,
                    "serving moves past the snapshot versions before the stop");
            long resumedAt = probe2At;
            awaitTrue(() -> newestRankerRecordTime(settings.bootstrapServers()) > resumedAt, LONG,
                    "the resubmitted job, in the same TaskManager, publishes a ranker");
            awaitTrue(() -> recommend(servingUri, acked.users().iterator().next()).path("ranker_version").isNumber(),
                    LONG, "serving re-ranks with the trainer's ranker");
            step(t0, "the resubmitted job's ranker (DJL in the same TaskManager) published and used by serving");
            step(t0, "resumed from the savepoint: " + expected2.values().stream().mapToLong(Long::longValue).sum()
                    + " events counted exactly, " + afterStop.republished + " items republished at v"
                    + afterStop.firstVersionAfter + " right after v" + afterStop.lastVersionBefore);
            assertTrue(serving.isAlive());
        } finally {
            cluster.stop(false);
            Runtime.getRuntime().removeShutdownHook(emergency);
            step(t0, "stopped");
        }
    }

    // ------------------------------------------------------------------------------------------ checks

    /** What a restore did to the item-embeddings topic. */
    private record RestoreCheck(long lastVersionBefore, long firstVersionAfter, int republished) {}

    /**
     * Reads item-embeddings from the start until both subtasks have published a marker two versions past the
     * first one after {@code cut}, then checks: snapshot versions continue without a gap (and without restarting at
     * 1); the first version after the restore republishes every item the restored state had (each item published
     * at a version the checkpoint covered), with an update count at least the one published then and a learned,
     * not re-initialized, vector.
     */
    private static RestoreCheck checkItemsRestored(String bootstrap, long cut, boolean savepoint) throws Exception {
        AtomicReference<List<EmbeddingRecord>> all = new AtomicReference<>();
        awaitTrue(() -> {
            List<EmbeddingRecord> records = readTopic(bootstrap, "item-embeddings");
            all.set(records);
            long first = records.stream().filter(r -> r.getPublishedAt().toEpochMilli() > cut)
                    .mapToLong(EmbeddingRecord::getSnapshotVersion).min().orElse(Long.MAX_VALUE);
            return first != Long.MAX_VALUE && records.stream()
                    .filter(r -> r.getKind() == RecordKind.SNAPSHOT_COMPLETE && r.getSnapshotVersion() >= first + 2)
                    .map(EmbeddingRecord::getSubtask).distinct().count() == 2;
        }, LONG, "snapshots after the restore");
        List<EmbeddingRecord> records = all.get();
        List<EmbeddingRecord> before = records.stream().filter(r -> r.getPublishedAt().toEpochMilli() <= cut).toList();
        List<EmbeddingRecord> after = records.stream().filter(r -> r.getPublishedAt().toEpochMilli() > cut).toList();
        long lastBefore = before.stream().filter(r -> r.getKind() == RecordKind.SNAPSHOT_COMPLETE)
                .mapToLong(EmbeddingRecord::getSnapshotVersion).max().orElseThrow();
        long firstAfter = after.stream().mapToLong(EmbeddingRecord::getSnapshotVersion).min().orElseThrow();

        TreeSet<Long> versions = records.stream().filter(r -> r.getKind() == RecordKind.SNAPSHOT_COMPLETE)
                .map(EmbeddingRecord::getSnapshotVersion).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(1L, versions.first());
        assertEquals(versions.last() - versions.first() + 1, versions.size(), "versions without gaps: " + versions);
        assertTrue(firstAfter > 1, "versions did not restart from 1");
        if (savepoint) {
            // Sources stop right after the savepoint barrier: no tick after it, so the next version is the next one.
            assertEquals(lastBefore + 1, firstAfter, "versions continue right after the savepoint");
        } else {
            // Ticks after the restored checkpoint (and before the kill) are published again with the same numbers.
            assertTrue(firstAfter <= lastBefore + 1, "continues from the checkpoint's version: " + firstAfter
                    + " vs last before " + lastBefore);
        }

        // The state the job continued from covers every version before firstAfter.
        Map<String, EmbeddingRecord> lastCovered = new HashMap<>();
        for (EmbeddingRecord r : before) {
            if (r.getKind() == RecordKind.EMBEDDING && r.getSnapshotVersion() < firstAfter) {
                lastCovered.merge(r.getEntityId(), r,
                        (a, b) -> b.getSnapshotVersion() >= a.getSnapshotVersion() ? b : a);
            }
        }
        Map<String, EmbeddingRecord> republished = new HashMap<>();
        for (EmbeddingRecord r : after) {
            if (r.getKind() == RecordKind.EMBEDDING && r.getSnapshotVersion() == firstAfter) {
                republished.put(r.getEntityId(), r);
            }
        }
        assertTrue(lastCovered.size() > 100, "items learned before: " + lastCovered.size());
        assertTrue(republished.keySet().containsAll(lastCovered.keySet()), "the first snapshot after the restore "
                + "republishes every item of the restored state; missing: "
                + lastCovered.keySet().stream().filter(k -> !republished.containsKey(k)).limit(10).toList());
        Learner fresh = new Learner(JobConfig.defaults().model);
        for (Map.Entry<String, EmbeddingRecord> e : lastCovered.entrySet()) {
            EmbeddingRecord now = republished.get(e.getKey());
            assertTrue(now.getUpdateCount() > 0 && now.getUpdateCount() >= e.getValue().getUpdateCount(),
                    e.getKey() + ": update_count " + now.getUpdateCount() + " after the restore, "
                            + e.getValue().getUpdateCount() + " at v" + e.getValue().getSnapshotVersion());
            assertFalse(Arrays.equals(fresh.initialItemVector(e.getKey()), EmbeddingCodec.unpackVector(now.getVector())),
                    e.getKey() + "'s vector was re-initialized");
        }
        return new RestoreCheck(lastBefore, firstAfter, republished.size());
    }

    /**
     * Waits until every user's newest user-embeddings record was published after {@code since} and counts exactly
     * the acknowledged events.
     */
    private static void awaitUserCountsEqual(String bootstrap, Map<String, Long> expected, long since, String when)
            throws Exception {
        AtomicReference<Map<String, String>> mismatches = new AtomicReference<>(Map.of());
        try {
            awaitTrue(() -> {
                Map<String, EmbeddingRecord> newest = new HashMap<>();
                for (EmbeddingRecord r : readTopic(bootstrap, "user-embeddings")) {
                    if (r.getKind() == RecordKind.EMBEDDING) {
                        newest.put(r.getEntityId(), r); // topic order per partition = per user (keyed by user)
                    }
                }
                Map<String, String> wrong = new TreeMap<>();
                expected.forEach((user, n) -> {
                    EmbeddingRecord r = newest.get(user);
                    if (r == null || r.getPublishedAt().toEpochMilli() <= since || r.getUpdateCount() != n) {
                        wrong.put(user, "expected " + n + ", published "
                                + (r == null ? "nothing" : r.getUpdateCount() + " at " + r.getPublishedAt()));
                    }
                });
                mismatches.set(wrong);
                return wrong.isEmpty();
            }, LONG, "user update counts " + when);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + mismatches.get().size() + " users differ, e.g. "
                    + mismatches.get().entrySet().stream().limit(10).toList(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ plumbing

    /** Events Kafka acknowledged (acks=all), per user; failed sends are remembered, never counted. */
    private static final class AckedEvents {
        private final Map<String, AtomicLong> perUser = new ConcurrentHashMap<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        void send(KafkaProducer<byte[], byte[]> producer, InteractionEvent e) {
            producer.send(new ProducerRecord<>("interactions", e.userId.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(e)), (meta, error) -> {
                        if (error == null) {
                            perUser.computeIfAbsent(e.userId, u -> new AtomicLong()).incrementAndGet();
                        } else {
                            failure.compareAndSet(null, error);
                        }
                    });
        }

        Set<String> users() {
            return new TreeSet<>(perUser.keySet());
        }

        long total() {
            return perUser.values().stream().mapToLong(AtomicLong::get).sum();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> out = new TreeMap<>();
            perUser.forEach((u, n) -> out.put(u, n.get()));
            return out;
        }

        void assertNoFailures() {
            if (failure.get() != null) {
                throw new AssertionError("a send failed", failure.get());
            }
        }
    }

    /** Keeps publishing generator events at a steady rate until stopped. */
    private static final class BackgroundFeed {
        private final Thread thread;
        private volatile boolean running = true;

        BackgroundFeed(KafkaProducer<byte[], byte[]> producer, ClickstreamGenerator events, AckedEvents acked,
                       int perSecond) {
            thread = new Thread(() -> {
                long next = System.nanoTime();
                while (running) {
                    acked.send(producer, events.next());
                    next += 1_000_000_000L / perSecond;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "cluster-itcase-feed");
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    /** Every record of the topic up to its current end, decoded, in partition order. */
    private static List<EmbeddingRecord> readTopic(String bootstrap, String topic) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<EmbeddingRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.add(EmbeddingCodec.decode(r.value()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static long readyVersion(URI serving) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(serving.resolve("/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("snapshot_version").asLong() : 0;
    }

    /** The timestamp of the newest record on the ranker-model topic, 0 when there is none. */
    private static long newestRankerRecordTime(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(io.streamrec.job.config.RankerOptions.TOPIC.defaultText(), 0);
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            if (end == 0) {
                return 0;
            }
            consumer.seek(tp, end - 1);
            long newest = 0;
            for (int i = 0; i < 10 && newest == 0; i++) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    newest = Math.max(newest, r.timestamp());
                }
            }
            return newest;
        }
    }

    private static JsonNode recommend(URI serving, String user) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(serving.resolve("/v1/users/" + user
                + "/recommendations?k=5")).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition c, Duration timeout, String what) {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .until(c::holds);
    }

    private static void step(long t0, String what) {
        System.out.printf("[cluster %5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, what);
    }
}
