package io.streamrec.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.sink.KafkaTopics;
import io.streamrec.kafka.EmbeddedKafkaBroker;
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
 * <p>Everything keeps its state under the state directory: the broker's log, Flink's checkpoints and savepoints,
 * the serving node's RocksDB. {@link #close()} stops the trainer with a savepoint and the serving node with
 * SIGTERM, so the next {@link #start()} with the same directory resumes where this one stopped (from the newest
 * savepoint or retained checkpoint). Not thread-safe, apart from {@link #status()}.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** UserTower metrics the demo reports, summed over subtasks. */
    static final List<String> METRICS = List.of("eventsTrained", "prequentialEvaluated", "prequentialHits10",
            "popularityHits10", "prequentialHits100", "popularityHits100", "latestCompleteSnapshot");

    private final DemoSettings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EmbeddedKafkaBroker broker;
    private LocalFlink flink;
    private FlinkRest rest;
    private JobID job;
    private String userTowerVertex;
    private ServingProcess serving;
    private Publisher publisher;
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
        this.settings = settings;
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
                "--events.earliest-timestamp", earliestTimestamp().toString()));
        serving = ServingProcess.start(settings.home(), settings.servingPort(), servingArgs,
                state.resolve("logs/serving.log"));
        if (!serving.awaitOk("/health", Duration.ofSeconds(90))) {
            throw new IllegalStateException("the serving node did not answer /health in 90 s; see " + serving.log());
        }
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
                    .seed(settings.seed());
            // A resumed demo already has its history: backfill only on a fresh start.
            if (!settings.backfill().isZero() && restoredFrom == null) {
                gen.simulatedClock(Instant.now().minus(settings.backfill()), settings.rate());
            } else {
                gen.liveClock(System::currentTimeMillis);
            }
            ClickstreamGenerator generator = new ClickstreamGenerator(gen.build());
            groundTruth = generator.groundTruth();
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
        return serving.baseUri();
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

    public ServingProcess serving() {
        return serving;
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

    /** Waits until the serving node has a complete snapshot ({@code /ready} 200). */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return serving.awaitOk("/ready", timeout);
    }

    /** The trainer's metrics as the dashboard shows them, summed over the UserTower subtasks. */
    public Map<String, Double> trainerMetrics() throws IOException, InterruptedException {
        return rest.sums(job.toString(), userTowerVertex, "UserTower", METRICS);
    }

    /** GET on the serving node; returns the JSON answer (whatever the status). */
    public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(serving.baseUri().resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /**
     * Stops everything, in order: the feed, the trainer (with a savepoint under the state directory, so the next
     * start resumes from it), the serving node (SIGTERM: it closes RocksDB cleanly), Flink, the broker.
     *
     * @return the savepoint path, or null when none could be taken
     */
    public String stop() throws Exception {
        String savepoint = null;
        if (publisher != null) {
            publisher.stop();
            publisher.awaitCompletion(Duration.ofSeconds(10));
            publisher.close();
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
            if (exit != 0 && exit != 143) { // 143 = exited on SIGTERM after running its shutdown hook
                LOG.warn("the serving node exited with {} (see {})", exit, serving.log());
            }
        }
        if (flink != null) {
            flink.close();
        }
        if (broker != null) {
            broker.close();
        }
        publisher = null;
        replayer = null;
        job = null;
        serving = null;
        flink = null;
        broker = null;
        return savepoint;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
