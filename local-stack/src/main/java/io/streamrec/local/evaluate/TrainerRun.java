package io.streamrec.local.evaluate;

import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.config.TrainerOptions;
import io.streamrec.job.learn.PrequentialResult;
import io.streamrec.job.model.Learner;
import io.streamrec.job.rank.RankedResult;
import io.streamrec.job.sink.KafkaTopics;
import io.streamrec.ranker.RankerConfig;
import io.streamrec.ranker.RankerModel;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import io.streamrec.job.source.InteractionSource;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.schema.catalog.CatalogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the real trainer job over a list of events: the events go into a fresh one-partition interactions
 * topic on the given broker (one partition keeps their order at the source; the job still runs at the configured
 * parallelism, keyed by user), the job built by {@link TrainerJob#build} runs on a local MiniCluster with RocksDB
 * state and a bounded Kafka source, and what it produces comes out: either every prequential result
 * ({@link #prequential}) or the final item and user vectors as published to Kafka ({@link #train}). The catalog
 * (if any) goes in first, and the events only once the trainer has published its items; the events are then
 * published while the job runs, as fast as the job's item feed keeps up ({@link Feeder}).
 *
 * <p>The job never ends by itself (its snapshot clock and item feed are unbounded), so a run waits until every
 * event is accounted for and then cancels it. For {@link #train}: the published user vectors carry how many events
 * they have learned from, and their sum reaching the number of events (less those the job rejected to its
 * dead-letter topic) means every event is trained and every user's final vector is out; then a snapshot version
 * that changed no item, cut at least {@link #SETTLE} after that, means every item gradient was applied and
 * published. Not thread-safe; one run at a time.
 */
final class TrainerRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerRun.class);

    /**
     * Complete item snapshots a UserTower's item feed may be behind before the events wait ({@link Feeder}): none,
     * so each chunk of events learns against the newest snapshot. One snapshot of slack made MovieLens' prequential
     * HR@10 0.158 instead of 0.170 and Complete Journey's seeds' top-100 0.144 instead of 0.151, for half the time.
     */
    static final int MAX_FEED_LAG = 0;

    /** Events published at a time ({@link Feeder}). */
    static final int FEED_CHUNK = 1000;

    /** Margin after the last user vector for the last bundle of item gradients to reach the ItemTower. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /** Items in a catalog from which training runs make a quarter of the events ranker examples. */
    static final int LARGE_CATALOG = 20_000;

    /** Keys every evaluation sets itself: the job must read and write the run's own topics. */
    static final List<String> RESERVED_KEYS = List.of("kafka.bootstrap.servers", "kafka.group.id",
            "kafka.starting-offsets", "kafka.create-topics", "topics.interactions", "topics.dlq",
            "topics.item-embeddings", "topics.user-embeddings", "job.parallelism", "checkpoint.dir",
            "checkpoint.interval", "metrics.prequential.sample", "topics.ranker-model");

    /** Defaults of an evaluation that differ from the trainer's: fresher snapshots and user vectors. */
    static Map<String, String> evaluationDefaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("snapshot.interval", "1 s");
        m.put("user.publish-interval", "200 ms");
        m.put("job.name", "streamrec-evaluate");
        // The ranker out a second after its last example; its sample: see config().
        m.put("ranker.publish-interval", "1 s");
        return m;
    }

    /** Receives progress: how many of the run's events are trained. */
    interface Progress {
        void update(String phase, long done, long total);
    }

    /** The final vectors of a training run, with counts and timings. */
    record Trained(PublishedModel model, long trainedEvents, long rejected, long snapshotVersion,
                   double publishSeconds, double trainSeconds, double settleSeconds, RankerModel ranker) {}

    /**
     * Every prequential result of a run, with counts and timings, and the ranking stage's result for every event
     * that was a ranker example (empty with the ranker off).
     */
    record Prequential(List<PrequentialResult> results, long rejected, double publishSeconds, double trainSeconds,
                       List<RankedResult> ranked) {}

    private final EmbeddedKafkaBroker broker;
    private final Map<String, String> trainerSettings;
    private final int parallelism;
    private final Path workDir;
    private final Duration stallTimeout;
    private final Progress progress;
    private final List<CatalogRecord> catalog;

    /**
     * @param trainerSettings trainer keys (evaluation defaults and the user's overrides, none of
     *     {@link #RESERVED_KEYS})
     * @param workDir where checkpoints go
     * @param stallTimeout fail when no event has been trained for this long
     */
    TrainerRun(EmbeddedKafkaBroker broker, Map<String, String> trainerSettings, int parallelism, Path workDir,
               Duration stallTimeout, Progress progress) {
        this(broker, trainerSettings, parallelism, workDir, stallTimeout, progress, List.of());
    }

    /** @param catalog published to the run's catalog topic before its events (empty: no catalog) */
    TrainerRun(EmbeddedKafkaBroker broker, Map<String, String> trainerSettings, int parallelism, Path workDir,
               Duration stallTimeout, Progress progress, List<CatalogRecord> catalog) {
        this.catalog = List.copyOf(catalog);
        this.broker = broker;
        this.trainerSettings = Map.copyOf(trainerSettings);
        this.parallelism = parallelism;
        this.workDir = workDir;
        this.stallTimeout = stallTimeout;
        this.progress = progress;
    }

    /** The full key/value configuration of a run on the given topics. */
    Map<String, String> config(String runName, boolean emitPrequential) {
        Map<String, String> c = new LinkedHashMap<>(trainerSettings);
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("kafka.group.id", "streamrec-evaluate-" + runName);
        c.put("kafka.starting-offsets", "EARLIEST");
        c.put("kafka.create-topics", "false");
        c.put("topics.interactions", runName + "-interactions");
        c.put("topics.dlq", runName + "-interactions-dlq");
        c.put("topics.item-embeddings", runName + "-item-embeddings");
        c.put("topics.user-embeddings", runName + "-user-embeddings");
        c.put("topics.catalog", runName + "-catalog");
        c.put("topics.catalog-dlq", runName + "-catalog-dlq");
        c.put("topics.ranker-model", runName + "-ranker-model");
        c.put("job.parallelism", Integer.toString(parallelism));
        c.put("checkpoint.dir", workDir.resolve(runName + "-checkpoints").toUri().toString());
        // Every event scored before learning in a prequential run; none in a training run (saves the ranking).
        c.put("metrics.prequential.sample", emitPrequential ? "1.0" : "0.0");
        // Unless given: every event an example for the ranking stage (so every prequential event is also
        // re-ranked), but in training runs over a large catalog a quarter: each example is a scan of the item
        // cache, and those runs make several passes.
        if (!c.containsKey("ranker.sample")) {
            c.put("ranker.sample", emitPrequential || catalog.size() <= LARGE_CATALOG ? "1.0" : "0.25");
        }
        return c;
    }

    /**
     * Every trainer key with the value a run uses (defaults filled in), for the report: the job's options, then
     * every {@code model.*} key.
     */
    static Map<String, String> effectiveConfig(Map<String, String> config) {
        JobConfig parsed = JobConfig.fromMap(config);
        Map<String, String> all = new LinkedHashMap<>();
        TrainerOptions.all().forEach(o -> all.put(o.key(),
                config.getOrDefault(o.key(), String.valueOf(o.defaultValue()))));
        all.putAll(parsed.model.toMap());
        all.put("checkpoint.interval", "off (evaluation runs without checkpoints)");
        return all;
    }

    /** Trains on {@code events} (in the given order) and returns the final published vectors. */
    Trained train(String runName, List<InteractionEvent> events) throws Exception {
        JobConfig config = JobConfig.fromMap(config(runName, false));
        double publishSeconds = prepare(config);
        long start = System.nanoTime();
        StreamExecutionEnvironment env = environment(config);
        TrainerJob.build(env, config, source(config, events.size()), false);
        JobClient job = env.executeAsync(config.jobName + " " + runName);
        try (TrainerOutput output = new TrainerOutput(config.bootstrapServers, config.itemEmbeddingsTopic,
                config.userEmbeddingsTopic, config.dlqTopic, parallelism);
             Feeder feeder = new Feeder(config, events)) {
            if (catalogFirst()) {
                awaitCatalog(output, job);
            }
            start = System.nanoTime();
            Watchdog watchdog = new Watchdog(job, "training");
            long total = events.size();
            while (output.trainedEvents() < total - output.rejected()) {
                feeder.feed(output);
                output.poll(feeder.done() ? Duration.ofMillis(200) : Duration.ofMillis(20));
                progress.update("training", output.trainedEvents(), total);
                watchdog.check(output.trainedEvents());
            }
            publishSeconds += feeder.seconds();
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            long trainedAt = System.currentTimeMillis();
            long settleStart = System.nanoTime();
            // Every user's final vector is out; now the last item gradients must reach a snapshot.
            Watchdog settle = new Watchdog(job, "the final item snapshot");
            while (!output.quietSnapshotSince(trainedAt + SETTLE.toMillis())) {
                output.poll(Duration.ofMillis(200));
                progress.update("final snapshot", output.trainedEvents(), total);
                settle.check(0);
            }
            RankerModel ranker = finalRanker(config, job);
            double settleSeconds = (System.nanoTime() - settleStart) / 1e9;
            LOG.info("{}: {} events trained in {} s; final snapshot {} after {} s", runName, output.trainedEvents(),
                    trainSeconds, output.latestCompleteSnapshot(), settleSeconds);
            return new Trained(output.model(), output.trainedEvents(), output.rejected(),
                    output.latestCompleteSnapshot(), publishSeconds, trainSeconds, settleSeconds, ranker);
        } finally {
            cancel(job);
        }
    }

    /** Runs {@code events} once, every event scored before it is learned from; returns every result. */
    Prequential prequential(String runName, List<InteractionEvent> events) throws Exception {
        JobConfig config = JobConfig.fromMap(config(runName, true));
        double publishSeconds = prepare(config);
        long start = System.nanoTime();
        StreamExecutionEnvironment env = environment(config);
        TrainerJob.Pipeline pipeline = TrainerJob.build(env, config, source(config, events.size()), true);
        CloseableIterator<PrequentialResult> results = pipeline.prequential.collectAsync();
        CloseableIterator<RankedResult> rankedResults = pipeline.ranked == null ? null
                : pipeline.ranked.collectAsync();
        JobClient job = env.executeAsync(config.jobName + " " + runName);
        List<PrequentialResult> collected = Collections.synchronizedList(new ArrayList<>(events.size()));
        AtomicReference<Throwable> drainFailure = new AtomicReference<>();
        // The collect sink needs a reader while the job runs, or it holds the job back; hasNext() blocks, and the
        // job never finishes by itself, so a thread drains and the loop below decides when the run is over.
        Thread drain = new Thread(() -> {
            try {
                while (results.hasNext()) {
                    collected.add(results.next());
                }
            } catch (RuntimeException e) {
                drainFailure.compareAndSet(null, e);
            }
        }, "evaluate-prequential-drain");
        drain.setDaemon(true);
        drain.start();
        List<RankedResult> ranked = Collections.synchronizedList(new ArrayList<>());
        if (rankedResults != null) {
            Thread rankedDrain = new Thread(() -> {
                try {
                    while (rankedResults.hasNext()) {
                        ranked.add(rankedResults.next());
                    }
                } catch (RuntimeException e) {
                    drainFailure.compareAndSet(null, e);
                }
            }, "evaluate-ranked-drain");
            rankedDrain.setDaemon(true);
            rankedDrain.start();
        }
        try (TrainerOutput output = new TrainerOutput(config.bootstrapServers, config.itemEmbeddingsTopic,
                config.userEmbeddingsTopic, config.dlqTopic, parallelism);
             Feeder feeder = new Feeder(config, events)) {
            if (catalogFirst()) {
                awaitCatalog(output, job);
            }
            start = System.nanoTime();
            Watchdog watchdog = new Watchdog(job, "prequential evaluation");
            long total = events.size();
            while (collected.size() < total - output.rejected()) {
                feeder.feed(output);
                output.poll(feeder.done() ? Duration.ofMillis(200) : Duration.ofMillis(20));
                progress.update("prequential", collected.size(), total);
                if (!drain.isAlive() && collected.size() < total - output.rejected()) {
                    throw new IllegalStateException("the trainer's result stream ended after " + collected.size()
                            + " of " + total + " events", drainFailure.get());
                }
                watchdog.check(collected.size());
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            publishSeconds += feeder.seconds();
            List<PrequentialResult> copy;
            synchronized (collected) {
                copy = new ArrayList<>(collected);
            }
            List<RankedResult> rankedCopy = rankedResults == null ? List.of() : awaitRanked(config, copy, ranked, job);
            return new Prequential(copy, output.rejected(), publishSeconds, trainSeconds, rankedCopy);
        } finally {
            cancel(job);
            try {
                results.close();
                if (rankedResults != null) {
                    rankedResults.close();
                }
            } catch (Exception e) {
                LOG.debug("closing the result stream of a cancelled job: {}", e.toString());
            }
        }
    }

    /**
     * The ranking stage's results for every prequential event that was a ranker example: they trail the prequential
     * results by up to one {@code ranker.publish-interval} (the RankerTrainer learns in mini-batches).
     */
    private List<RankedResult> awaitRanked(JobConfig config, List<PrequentialResult> evaluated,
                                           List<RankedResult> ranked, JobClient job) throws Exception {
        Learner learner = new Learner(config.model);
        long expected = evaluated.stream()
                .filter(r -> config.ranker.isSampled(learner.eventSeed(r.userId, r.itemId, r.eventTime)))
                .count();
        Watchdog watchdog = new Watchdog(job, "the ranking stage's results");
        while (ranked.size() < expected) {
            Thread.sleep(50);
            progress.update("re-ranking", ranked.size(), expected);
            watchdog.check(ranked.size());
        }
        synchronized (ranked) {
            return new ArrayList<>(ranked);
        }
    }

    /**
     * The ranker the run ended with (null with the ranker off): the newest model on the run's ranker topic once it
     * has stopped changing for a few publish intervals (the RankerTrainer learns from its last examples within one).
     */
    private RankerModel finalRanker(JobConfig config, JobClient job) throws Exception {
        if (!config.ranker.enabled || config.ranker.sample <= 0) {
            return null;
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, (int) RankerConfig.MAX_PUBLISHED_BYTES + 1024);
        long quietMs = 3 * config.ranker.publishIntervalMs;
        byte[] newest = null;
        long changedAt = System.currentTimeMillis();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(config.rankerModelTopic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Watchdog watchdog = new Watchdog(job, "the final ranker");
            // A ranker is published only once it has learned something (a list with a retrieved item, a rating):
            // on a log where that never happened, give up after a while and report without the ranking stage.
            long giveUpAt = System.currentTimeMillis() + Math.max(10_000, 5 * config.ranker.publishIntervalMs);
            while (newest == null ? System.currentTimeMillis() < giveUpAt
                    : System.currentTimeMillis() - changedAt < quietMs) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    newest = r.value();
                    changedAt = System.currentTimeMillis();
                }
                progress.update("final ranker", 0, 0);
                watchdog.check(newest == null ? 0 : newest.length);
            }
        }
        if (newest == null) {
            LOG.warn("the trainer published no ranker (nothing for it to learn from): no ranking-stage metrics");
            return null;
        }
        return RankerModel.fromBytes(newest);
    }

    /**
     * The job's own Flink settings (RocksDB state and so on) on a local MiniCluster, with checkpointing off:
     * nothing restores from a checkpoint here, and with exactly-once checkpointing on, the collect sink would
     * release results only at each completed checkpoint.
     */
    private StreamExecutionEnvironment environment(JobConfig config) {
        org.apache.flink.configuration.Configuration conf = TrainerJob.flinkConfiguration(config);
        conf.removeKey("execution.checkpointing.interval");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /**
     * Whether the events wait until the trainer has published the catalog's items: with a catalog, yes. Feature
     * vectors learn only from events on items the UserTower has read back with their features, so events trained
     * before that teach the features nothing. A shop loads its catalog before its events flow; so does an
     * evaluation.
     */
    private boolean catalogFirst() {
        return !catalog.isEmpty();
    }

    /**
     * The run's interactions source, ending at the offset the events reach in the run's fresh one-partition topic
     * (they are published after the job has started, see {@link Feeder}).
     */
    private static org.apache.flink.connector.kafka.source.KafkaSource<io.streamrec.job.ingest.IngestRecord> source(
            JobConfig c, int events) {
        return InteractionSource.kafkaSource(c, OffsetsInitializer.offsets(
                Map.of(new TopicPartition(c.interactionsTopic, 0), (long) events)));
    }

    /** Creates the run's topics and publishes the catalog (if any); returns the seconds spent. */
    private double prepare(JobConfig c) {
        long start = System.nanoTime();
        broker.createTopic(c.interactionsTopic, 1);
        broker.createTopic(c.dlqTopic, 1);
        // Plain (not compacted) topics: this reader consumes them while they are written, from the beginning.
        broker.createTopic(c.itemEmbeddingsTopic, parallelism);
        broker.createTopic(c.userEmbeddingsTopic, parallelism);
        broker.createTopic(c.catalogDlqTopic, 1);
        if (c.ranker.enabled) {
            NewTopic ranker = KafkaTopics.rankerModelTopic(c.rankerModelTopic);
            broker.createTopic(ranker.name(), ranker.numPartitions(), ranker.configs());
        }
        if (catalogFirst()) {
            broker.createTopic(c.catalogTopic, parallelism);
            try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
                List<Future<?>> acks = new ArrayList<>();
                for (CatalogRecord r : catalog) {
                    acks.add(producer.send(new ProducerRecord<>(c.catalogTopic,
                            r.itemId().getBytes(StandardCharsets.UTF_8), CatalogJson.toBytes(r))));
                }
                producer.flush();
                awaitAll(acks);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Publishes a run's events, in order, to its one-partition interactions topic while the job runs, paced by the
     * job's item feed: the next chunk goes out only once every UserTower subtask has read the newest complete
     * snapshot on the item topic ({@link #MAX_FEED_LAG}), or has nothing left to train. Unpaced, a replay on two cores
     * trains flat out, the UserTower reads its item feed many snapshots late (its events and its feed share one
     * thread), and it learns against stale item vectors: on Complete Journey with its catalog, seeds' top-10
     * (training items excluded) fell from 0.10 to 0.05. Paced, the model is the one a job that keeps up with
     * its traffic learns, which is what a live deployment has.
     */
    private final class Feeder implements AutoCloseable {
        private final String topic;
        private final List<InteractionEvent> events;
        private final KafkaProducer<byte[], byte[]> producer;
        private final List<Future<?>> acks = new ArrayList<>();
        private int next;
        private long nanos;

        Feeder(JobConfig c, List<InteractionEvent> events) {
            this.topic = c.interactionsTopic;
            this.events = events;
            this.producer = broker.newProducer();
        }

        boolean done() {
            return next >= events.size();
        }

        /** Publishes the next chunk if the job's feed keeps up, or if the job has nothing left to train. */
        void feed(TrainerOutput output) {
            if (done()) {
                return;
            }
            long lag = output.feedLag();
            long inFlight = next - output.trainedEvents() - output.rejected();
            if (lag >= 0 && lag > MAX_FEED_LAG && inFlight > 0) {
                return;
            }
            long start = System.nanoTime();
            int end = Math.min(events.size(), next + FEED_CHUNK);
            for (; next < end; next++) {
                InteractionEvent e = events.get(next);
                acks.add(producer.send(new ProducerRecord<>(topic, 0, null,
                        e.userId.getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e))));
            }
            producer.flush();
            awaitAll(acks);
            nanos += System.nanoTime() - start;
        }

        /** Seconds spent publishing. */
        double seconds() {
            return nanos / 1e9;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * Waits until the trainer has published every available catalog item, and then one more complete snapshot
     * (by then the UserTower has read them back, with their features, from the same topic).
     */
    private void awaitCatalog(TrainerOutput output, JobClient job) throws Exception {
        long start = System.nanoTime();
        Set<String> available = new HashSet<>();
        for (CatalogRecord r : catalog) {
            if (r.available()) {
                available.add(r.itemId());
            } else {
                available.remove(r.itemId());
            }
        }
        Watchdog watchdog = new Watchdog(job, "loading the catalog");
        int count = -1;
        long snapshotAtChange = 0;
        while (output.itemCount() < available.size()) {
            output.poll(Duration.ofMillis(200));
            progress.update("catalog", output.itemCount(), available.size());
            watchdog.check(output.itemCount());
            if (output.itemCount() != count) {
                count = output.itemCount();
                snapshotAtChange = output.latestCompleteSnapshot();
            } else if (output.latestCompleteSnapshot() >= snapshotAtChange + 3) {
                // Three complete snapshots without a new item: the rest were rejected (see the catalog's
                // dead-letter topic); go on with what the trainer has.
                LOG.warn("the trainer published {} of the catalog's {} available items; the rest were rejected",
                        count, available.size());
                break;
            }
        }
        long loaded = output.latestCompleteSnapshot();
        Watchdog settle = new Watchdog(job, "the catalog's snapshot");
        while (output.latestCompleteSnapshot() <= loaded) {
            output.poll(Duration.ofMillis(200));
            settle.check(0);
        }
        LOG.info("{} catalog items published by the trainer in {} s", available.size(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
    }

    private static void awaitAll(List<Future<?>> acks) {
        try {
            for (Future<?> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the events", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("publishing the events to the embedded broker failed: " + e, e);
        }
        acks.clear();
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!isTerminal(job) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Already finished (a failed job) or its per-job MiniCluster is gone: nothing left to stop.
            LOG.debug("cancelling the evaluation job: {}", e.toString());
        }
    }

    private static boolean isTerminal(JobClient job) throws InterruptedException {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | IllegalStateException e) {
            return true; // a per-job MiniCluster shuts down with its job
        }
    }

    /** Fails the run when the job has died, or when nothing has moved for the stall timeout. */
    private final class Watchdog {
        private final JobClient job;
        private final String what;
        private long lastValue = -1;
        private long lastChange = System.nanoTime();
        private long nextStatusCheck;

        Watchdog(JobClient job, String what) {
            this.job = job;
            this.what = what;
        }

        void check(long value) throws Exception {
            long now = System.nanoTime();
            if (value != lastValue) {
                lastValue = value;
                lastChange = now;
            }
            if (now >= nextStatusCheck) {
                nextStatusCheck = now + TimeUnit.SECONDS.toNanos(2);
                JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) {
                    Throwable cause = null;
                    try {
                        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        cause = e.getCause();
                    }
                    throw new IllegalStateException("the trainer job ended (" + status + ") during " + what
                            + (cause == null ? "" : ": " + rootMessage(cause)), cause);
                }
            }
            if (now - lastChange > stallTimeout.toNanos()) {
                throw new IllegalStateException("no progress in " + what + " for " + stallTimeout.toSeconds()
                        + " s (stuck at " + lastValue + "); see the log, or raise --stall-timeout");
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
