package io.streamrec.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.sink.KafkaTopics;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.local.generator.CatalogPublisher;
import io.streamrec.local.generator.ClickstreamGenerator;
import io.streamrec.local.generator.GeneratorConfig;
import io.streamrec.local.generator.GroundTruth;
import io.streamrec.local.publish.EventSink;
import io.streamrec.local.publish.KafkaEventSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.publish.Pacing;
import io.streamrec.local.publish.Publisher;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.local.replay.ReplaySummary;
import io.streamrec.local.replay.Replayer;
import io.streamrec.local.stack.FlinkRest;
import io.streamrec.local.stack.LocalFlink;
import io.streamrec.local.stack.ServingProcess;
import io.streamrec.schema.InteractionEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine, for real: a KRaft Kafka broker (in this JVM, from the kafka_2.13 jar), the
 * trainer job on a Flink MiniCluster with its dashboard and RocksDB state (in this JVM), the serving node (a
 * second JVM), and a feed of events (the synthetic generator or a replayed log).
 *
 * <p>The generator's catalog goes to the compacted {@code catalog} topic (created with the trainer's topics, also
 * when replaying, which publishes no catalog) before its events; new items are launched and items retired while it
 * runs, each announced on the notices. The serving node is supervised ({@link ServingSupervisor}): when it exits,
 * the notices say so at once and it is restarted with the same state directory, up to 5 times in a row.
 *
 * <p>Everything keeps its state under the state directory: the broker's log, Flink's checkpoints and savepoints,
 * the serving node's RocksDB. {@link #close()} stops the trainer with a savepoint and the serving node with
 * SIGTERM, so the next {@link #start()} with the same directory resumes where this one stopped (from the newest
 * savepoint or retained checkpoint). Not thread-safe, apart from the getters the status lines use.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** UserTower metrics the demo reports, summed over subtasks. */
    static final List<String> METRICS = List.of("eventsTrained", "prequentialEvaluated", "prequentialHits10",
            "popularityHits10", "prequentialHits100", "popularityHits100", "latestCompleteSnapshot");

    /** The catalog topic the demo creates (compacted) and the generator fills. */
    public static final String CATALOG_TOPIC = CatalogPublisher.DEFAULT_TOPIC;

    private final DemoSettings settings;
    private final Consumer<String> notices;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EmbeddedKafkaBroker broker;
    private LocalFlink flink;
    private FlinkRest rest;
    private JobID job;
    private String userTowerVertex;
    private ServingSupervisor serving;
    private Publisher publisher;
    private CatalogPublisher catalog;
    private GroundTruth groundTruth;
    private Thread replayThread;
    private Replayer replayer;
    private EventSink replaySink;
    private final AtomicReference<RuntimeException> replayFailure = new AtomicReference<>();
    private final AtomicReference<ReplaySummary> replaySummary = new AtomicReference<>();
    private final AtomicReference<String> lastUser = new AtomicReference<>();
    private String restoredFrom;
    private JobConfig jobConfig;

    public Demo(DemoSettings settings) {
        this(settings, line -> LOG.info("{}", line));
    }

    /**
     * @param notices gets one line for each thing a person watching should know at once: a new item launched, an
     *     item retired, the serving node exited or restarted (called from background threads)
     */
    public Demo(DemoSettings settings, Consumer<String> notices) {
        this.settings = settings;
        this.notices = notices;
    }

    public void start() throws Exception {
        Path state = settings.stateDir().toAbsolutePath();
        Files.createDirectories(state);

        broker = EmbeddedKafkaBroker.builder()
                .port(settings.kafkaPort())
                .controllerPort(settings.kafkaControllerPort())
                .logDir(state.resolve("kafka"))
                .start();
        LOG.info("Kafka broker on {}", broker.bootstrapServers());

        jobConfig = JobConfig.fromMap(trainerConfig(state));
        KafkaTopics.ensure(jobConfig);
        CatalogPublisher.ensureTopic(broker.bootstrapServers(), CATALOG_TOPIC, jobConfig.topicPartitions,
                Duration.ofSeconds(30));

        Configuration flinkConf = TrainerJob.flinkConfiguration(jobConfig);
        flink = new LocalFlink(flinkConf, settings.parallelism(), settings.dashboardPort());
        rest = new FlinkRest(flink.restAddress());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        TrainerJob.build(env, jobConfig);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobConfig.jobName);
        restoredFrom = newestRestorePoint(state).map(Path::toString).orElse(null);
        job = flink.submit(graph, restoredFrom == null ? null : Path.of(restoredFrom).toUri().toString());
        flink.awaitRunning(job, Duration.ofMinutes(2));
        userTowerVertex = rest.vertexId(job.toString(), "UserTower");

        List<String> servingArgs = new ArrayList<>(List.of(
                "--kafka.bootstrap.servers", broker.bootstrapServers(),
                "--state.dir", state.resolve("serving").toString(),
                "--ingest.timestamp.earliest", earliestTimestamp().toString()));
        Path servingLog = state.resolve("logs/serving.log");
        serving = new ServingSupervisor(
                () -> ServingProcess.start(settings.home(), settings.servingPort(), servingArgs, servingLog),
                servingLog, notices, ServingSupervisor.MAX_RESTARTS, Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofSeconds(90));
        serving.start();
        startFeed();
    }

    private Instant earliestTimestamp() {
        return settings.replay() != null ? settings.replay().earliestTimestamp()
                : Instant.parse("2000-01-01T00:00:00Z");
    }

    private Map<String, String> trainerConfig(Path state) {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("kafka.group.id", "streamrec-demo-trainer");
        c.put("job.name", "streamrec-trainer (demo)");
        c.put("job.parallelism", Integer.toString(settings.parallelism()));
        c.put("checkpoint.dir", state.resolve("checkpoints").toUri().toString());
        c.put("ingest.timestamp.earliest", earliestTimestamp().toString());
        // The demo scores every fifth event before learning from it, so the live HR@10 settles within a minute.
        c.put("metrics.prequential.sample", "0.2");
        c.putAll(settings.trainer());
        return c;
    }

    /** The newest savepoint or retained checkpoint under the state directory: the state the last run ended in. */
    public static Optional<Path> newestRestorePoint(Path state) throws IOException {
        List<Path> candidates = new ArrayList<>();
        for (String dir : List.of("savepoints", "checkpoints")) {
            Path root = state.resolve(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 3)) {
                files.filter(p -> p.getFileName().toString().equals("_metadata")).map(Path::getParent)
                        .forEach(candidates::add);
            }
        }
        Path newest = null;
        long newestTime = Long.MIN_VALUE;
        for (Path p : candidates) {
            long t = Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
            if (t > newestTime) {
                newest = p;
                newestTime = t;
            }
        }
        return Optional.ofNullable(newest);
    }

    private void startFeed() {
        KafkaTarget target = KafkaTarget.of(broker.bootstrapServers(), jobConfig.interactionsTopic);
        if (settings.replay() == null) {
            GeneratorConfig.Builder gen = GeneratorConfig.builder()
                    .users(settings.users()).items(settings.items()).topics(settings.topics())
                    .seed(settings.seed())
                    .newItems(settings.newItemsEvery(), settings.newItemDelay())
                    .retireEvery(settings.retireEvery());
            // A resumed demo already has its history: backfill only on a fresh start. The world changes (launches,
            // retirements) only once the stream is live.
            Instant now = Instant.now();
            if (!settings.backfill().isZero() && restoredFrom == null) {
                gen.simulatedClock(now.minus(settings.backfill()), settings.rate()).changesFrom(now);
            } else {
                gen.liveClock(System::currentTimeMillis);
            }
            ClickstreamGenerator generator = new ClickstreamGenerator(gen.build());
            groundTruth = generator.groundTruth();
            // Every item's record is stored before the first event; each later change before the events after it.
            catalog = CatalogPublisher.open(broker.bootstrapServers(), CATALOG_TOPIC);
            catalog.publishAll(groundTruth.catalog());
            if (restoredFrom == null) {
                awaitCatalogServed(groundTruth.catalog());
            }
            GroundTruth truth = groundTruth;
            generator.onCatalogChange(record -> {
                catalog.publish(record);
                notices.accept(truth.describe(record));
            });
            Pacing pacing = settings.backfill().isZero() || restoredFrom != null ? Pacing.rate(settings.rate())
                    : Pacing.eventTime(System::currentTimeMillis);
            publisher = Publisher.builder(generator, tracking(KafkaEventSink.open(target)))
                    .pacing(pacing).threadName("demo-generator").start();
        } else {
            replaySink = tracking(KafkaEventSink.open(target));
            replayer = new Replayer(settings.replay(), ProgressListener.NONE, replaySink);
            replayThread = new Thread(() -> {
                try {
                    replaySummary.set(replayer.run());
                } catch (RuntimeException e) {
                    replayFailure.set(e);
                    LOG.error("replay failed: {}", e.getMessage());
                }
            }, "demo-replay");
            replayThread.setDaemon(true);
            replayThread.start();
        }
    }

    /**
     * Waits (up to 60 s) until the trainer has published the catalog's items, as the serving node shows them, before
     * the first event is published: feature vectors learn only from events on items the UserTower has read back with
     * their features, so a backfill trained before that (a warm JVM trains the demo's in a few seconds) would teach
     * the features nothing, and new items would have no signal to be recommended by. A shop's catalog, likewise, is
     * loaded before its events flow.
     */
    private void awaitCatalogServed(List<io.streamrec.schema.catalog.CatalogRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        String first = records.get(0).itemId();
        String last = records.get(records.size() - 1).itemId();
        long deadline = System.currentTimeMillis() + 60_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (servedOrNot(first) && servedOrNot(last)) {
                    return;
                }
                Thread.sleep(200);
            }
            LOG.warn("the catalog's items were not served within 60 s; publishing events anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean servedOrNot(String itemId) throws InterruptedException {
        try {
            return status("/v1/items/" + java.net.URLEncoder.encode(itemId, java.nio.charset.StandardCharsets.UTF_8)
                    + "/similar?k=1") == 200;
        } catch (IOException e) {
            return false; // the serving node is still starting
        }
    }

    /** Remembers the last user an event was published for, to show a recommendation for someone real. */
    private EventSink tracking(EventSink sink) {
        return new EventSink() {
            @Override
            public void publish(InteractionEvent event, byte[] json) {
                lastUser.set(event.userId);
                sink.publish(event, json);
            }

            @Override
            public void flush() {
                sink.flush();
            }

            @Override
            public long acknowledged() {
                return sink.acknowledged();
            }

            @Override
            public void close() {
                sink.close();
            }
        };
    }

    public URI dashboard() {
        return flink.restAddress();
    }

    public URI servingUri() {
        return URI.create("http://localhost:" + settings.servingPort());
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String restoredFrom() {
        return restoredFrom;
    }

    public JobID jobId() {
        return job;
    }

    /** The serving node running now (after a restart, the new one). */
    public ServingProcess serving() {
        return serving.current();
    }

    ServingSupervisor servingSupervisor() {
        return serving;
    }

    /** The serving node's state for the status lines: {@code up}, {@code restarting (1/5)}, {@code DOWN ...}. */
    public String servingState() {
        return serving == null ? "not started" : serving.describe();
    }

    /** The serving node's log file (all its runs, appended). */
    public Path servingLog() {
        return settings.stateDir().toAbsolutePath().resolve("logs/serving.log");
    }

    /** Catalog records published so far (0 when replaying). */
    public long catalogPublished() {
        return catalog == null ? 0 : catalog.published();
    }

    /** The generator's hidden ground truth; null when replaying a log. */
    public GroundTruth groundTruth() {
        return groundTruth;
    }

    public String lastUser() {
        return lastUser.get();
    }

    public long eventsPublished() {
        if (publisher != null) {
            return publisher.acknowledged();
        }
        ReplaySummary s = replaySummary.get();
        return s != null ? s.published() : 0;
    }

    public boolean replayFinished() {
        return replayThread != null && !replayThread.isAlive();
    }

    public ReplaySummary replaySummary() {
        return replaySummary.get();
    }

    /** Why the replay stopped early (unreadable file, Kafka error), or null. */
    public RuntimeException replayFailure() {
        return replayFailure.get();
    }

    /**
     * Waits until the serving node has a complete snapshot ({@code /ready} 200), through restarts; false on timeout
     * or when the node is down for good.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && serving.state() != ServingSupervisor.State.DOWN) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(servingUri().resolve("/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening (yet, or again)
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** The trainer's metrics as the dashboard shows them, summed over the UserTower subtasks. */
    public Map<String, Double> trainerMetrics() throws IOException, InterruptedException {
        return rest.sums(job.toString(), userTowerVertex, "UserTower", METRICS);
    }

    /** GET on the serving node; returns the JSON answer (whatever the status). */
    public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(servingUri().resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** The HTTP status the serving node answers a GET with. */
    public int status(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(servingUri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Stops everything, in order: the feed, the trainer (with a savepoint under the state directory, so the next
     * start resumes from it), the serving node (SIGTERM: it closes RocksDB cleanly), Flink, the broker.
     *
     * @return the savepoint path, or null when none could be taken
     */
    public String stop() throws Exception {
        String savepoint = null;
        if (serving != null) {
            serving.stopRestarting(); // first: no serving node is started while everything stops
        }
        if (publisher != null) {
            publisher.stop();
            publisher.awaitCompletion(Duration.ofSeconds(10));
            publisher.close();
        }
        if (catalog != null) {
            catalog.close();
        }
        if (replayer != null) {
            replayer.stop();
            replayThread.join(10_000);
            replaySink.close();
        }
        if (flink != null && job != null) {
            try {
                savepoint = flink.stopWithSavepoint(job,
                        settings.stateDir().toAbsolutePath().resolve("savepoints").toUri().toString(),
                        Duration.ofMinutes(2));
            } catch (Exception e) {
                LOG.warn("stop-with-savepoint failed ({}); the next start resumes from the last checkpoint",
                        e.toString());
                flink.cancel(job);
            }
        }
        if (serving != null) {
            int exit = serving.stop();
            if (exit != 0 && exit != 143 && exit != 130) { // exited on SIGTERM (or Ctrl-C) after its shutdown hook
                LOG.warn("the serving node exited with {} (see {})", exit, servingLog());
            }
        }
        if (flink != null) {
            flink.close();
        }
        if (broker != null) {
            broker.close();
        }
        publisher = null;
        catalog = null;
        replayer = null;
        job = null;
        flink = null;
        broker = null;
        return savepoint;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
