package io.streamrec.job.bench;

import io.streamrec.job.FlinkTypes;
import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.ingest.RejectionRouter;
import io.streamrec.job.source.InteractionSource;
import io.streamrec.job.testing.JobMetrics;
import io.streamrec.job.testing.TestJobs;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Throughput of the trainer against a floor job, in one run on the same pre-filled topic: the floor reads the same
 * Kafka source with the same parsing, keys by user and counts in RocksDB; the trainer does everything (two towers,
 * the feedback loop, snapshots, sinks). Both at parallelism 2 with RocksDB and checkpoints every 10 s. Reported:
 * events/s of each, from the first event counted to the last, and their ratio (the machine is noisy, so compare
 * ratios within a run); also the same over the second half of each run's events, after start-up and most of the
 * JIT's warm-up. Each job's cost is also given as the process's CPU time per event over the same span (every thread
 * of this JVM: both jobs' operators, the embedded broker, the JIT, the GC), which is less sensitive than events/s to
 * how much of the 2 cores the run got.
 *
 * <p>A third job per round is the trainer with an item catalog (every item with a category of 50, a brand of 500,
 * four title words of 2,000 and a price, correlated with the item index): what features cost.
 *
 * <p>Not a test. Run: {@code flink-job/run-benchmark.sh TrainerThroughputBenchmark [events] [rounds]}.
 */
public final class TrainerThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path work = Files.createTempDirectory("streamrec-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            JobConfig config = TestJobs.jobConfig(broker, work.resolve("checkpoints"), 4,
                    "checkpoint.interval", "10 s");
            System.out.printf("pre-filling %s with %,d events ...%n", config.interactionsTopic, events);
            prefill(broker, config.interactionsTopic, events);
            prefillCatalog(broker, CATALOG_TOPIC);

            List<java.util.Map<String, Object>> results = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Rate floor = run(config, events, true, "floor-" + round);
                Rate trainer = run(config, events, false, "trainer-" + round);
                Rate features = run(config, events, false, "features-" + round);
                results.add(roundResult(round, floor, trainer, features));
                writeResults(events, results);
                System.out.printf(Locale.ROOT, "round %d: trainer with the catalog %,.0f events/s (ratio %.2f to the"
                        + " floor, %.2f to the trainer without), process CPU per event %.1f us%n", round,
                        features.whole, features.whole / floor.whole, features.whole / trainer.whole,
                        features.cpuMicrosPerEvent);
                System.out.printf(Locale.ROOT, "round %d: floor %,.0f events/s, trainer %,.0f events/s, ratio %.2f"
                        + "   (second half of each run: floor %,.0f, trainer %,.0f, ratio %.2f)"
                        + "   process CPU per event: floor %.1f us, trainer %.1f us, floor/trainer %.2f%n",
                        round, floor.whole, trainer.whole, trainer.whole / floor.whole,
                        floor.secondHalf, trainer.secondHalf, trainer.secondHalf / floor.secondHalf,
                        floor.cpuMicrosPerEvent, trainer.cpuMicrosPerEvent,
                        floor.cpuMicrosPerEvent / trainer.cpuMicrosPerEvent);
            }
        }
    }

    static final String CATALOG_TOPIC = "bench-catalog";

    private static java.util.Map<String, Object> roundResult(int round, Rate floor, Rate trainer, Rate features) {
        java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("round", round);
        r.put("floor_events_per_s", floor.whole);
        r.put("trainer_events_per_s", trainer.whole);
        r.put("ratio", trainer.whole / floor.whole);
        r.put("floor_cpu_us_per_event", floor.cpuMicrosPerEvent);
        r.put("trainer_cpu_us_per_event", trainer.cpuMicrosPerEvent);
        r.put("second_half_ratio", trainer.secondHalf / floor.secondHalf);
        r.put("features_events_per_s", features.whole);
        r.put("features_ratio", features.whole / floor.whole);
        r.put("features_cpu_us_per_event", features.cpuMicrosPerEvent);
        return r;
    }

    /**
     * With {@code -Dbench.out=FILE}: every round so far as JSON, with the trainer overrides ({@code bench.trainer};
     * every other key at its default) and the machine's load, rewritten after each round.
     */
    private static void writeResults(int events, List<java.util.Map<String, Object>> rounds) throws Exception {
        String out = System.getProperty("bench.out");
        if (out == null) {
            return;
        }
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("benchmark", "TrainerThroughputBenchmark");
        doc.put("events", events);
        java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
        for (String kv : System.getProperty("bench.trainer", "").split(",")) {
            if (kv.contains("=")) {
                overrides.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        doc.put("trainer_config", overrides);
        doc.put("trainer_config_note", "keys not listed are at their defaults");
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        doc.put("rounds", rounds);
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValue(Path.of(out).toFile(), doc);
    }

    /** A catalog of the 20k items, each with a category, a brand, title words and a price. */
    static void prefillCatalog(EmbeddedKafkaBroker broker, String topic) {
        broker.createTopic(topic, 4);
        SplittableRandom rnd = new SplittableRandom(2);
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>(20_000);
        for (int i = 0; i < 20_000; i++) {
            String id = "item-" + i;
            java.util.Map<String, List<String>> categories = java.util.Map.of(
                    "category", List.of("c" + (i % 50)), "brand", List.of("b" + (i * 7 % 500)));
            String title = "w" + rnd.nextInt(2000) + " w" + rnd.nextInt(2000) + " w" + rnd.nextInt(2000) + " w"
                    + rnd.nextInt(2000);
            io.streamrec.schema.catalog.CatalogRecord r = new io.streamrec.schema.catalog.CatalogRecord(id, true,
                    categories, java.util.Map.of("title", title), java.util.Map.of("price", 1 + rnd.nextDouble() * 99),
                    null);
            batch.add(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                    io.streamrec.schema.catalog.CatalogJson.toBytes(r)));
        }
        broker.produce(batch);
    }

    /** Zipf-like items, 20k users, 20k items, clicks with some purchases. */
    static void prefill(EmbeddedKafkaBroker broker, String topic, int n) {
        SplittableRandom rnd = new SplittableRandom(1);
        long t0 = System.currentTimeMillis() - n;
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>(50_000);
        for (int i = 0; i < n; i++) {
            String user = "user-" + rnd.nextInt(20_000);
            int item = (int) Math.floor(20_000 * Math.pow(rnd.nextDouble(), 3));
            InteractionEvent e = new InteractionEvent(user, "item-" + item,
                    rnd.nextDouble() < 0.05 ? EventType.PURCHASE : EventType.CLICK, t0 + i);
            batch.add(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e)));
            if (batch.size() == 50_000) {
                broker.produce(batch);
                batch.clear();
            }
        }
        broker.produce(batch);
    }

    /**
     * Events per second over the whole run (the reported number) and over its second half, which leaves out
     * start-up and most of the JIT's warm-up; the process's CPU time per event over the whole run.
     */
    record Rate(double whole, double secondHalf, double cpuMicrosPerEvent) {}

    /** CPU time of every thread of this JVM so far, in ns. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Rate run(JobConfig config, int events, boolean floor, String name) throws Exception {
        Configuration conf = TrainerJob.flinkConfiguration(config);
        // -Dbench.flink=key=value,... overrides Flink settings of both jobs (e.g. RocksDB options).
        for (String kv : System.getProperty("bench.flink", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                conf.setString(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        // One reporter per run (each run has its own MiniCluster); retained, because a bounded floor job
        // unregisters its metrics when it finishes.
        InMemoryReporter metrics = InMemoryReporter.createWithRetainedMetrics();
        metrics.addToConfiguration(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism, conf);
        // A fresh consumer group per run: every run reads the whole topic.
        JobConfig runConfig = JobConfig.fromMap(withGroup(config, name));
        String counter;
        if (floor) {
            env.fromSource(InteractionSource.kafkaSource(runConfig, true), InteractionSource.watermarks(runConfig),
                            "ParseInteractions")
                    .process(new RejectionRouter(), FlinkTypes.INTERACTION_EVENT).name("RejectionRouter")
                    .keyBy(e -> e.userId, Types.STRING)
                    .process(new FloorCounter(), Types.LONG).name("FloorCounter")
                    .sinkTo(new DiscardingSink<>());
            counter = "floorEvents";
        } else {
            TrainerJob.build(env, runConfig, InteractionSource.kafkaSource(runConfig, true), false);
            counter = "eventsTrained";
        }
        JobClient job = env.executeAsync(name);
        long first = 0;
        long firstCpu = 0;
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        long done;
        long halfDone = 0;
        long halfAt = 0;
        SteadyStateProfile profile = floor ? null : SteadyStateProfile.fromSystemProperties(name);
        while (true) {
            done = JobMetrics.sumCounter(metrics, job.getJobID(), counter);
            if (first == 0 && done > 0) {
                first = System.nanoTime();
                firstCpu = processCpuNanos();
            }
            if (halfAt == 0 && done >= events / 2) {
                halfAt = System.nanoTime();
                halfDone = done;
            }
            if (profile != null) {
                profile.onProgress(done, events);
            }
            if (Boolean.getBoolean("bench.trace") && (System.nanoTime() / 1_000_000) % 5000 < 50) {
                System.out.printf("    t=%.1fs done=%d%n", (System.nanoTime() - first) / 1e9, done);
            }
            if (done >= events || System.nanoTime() > deadline
                    || TestJobs.isTerminal(job)) {
                break;
            }
            Thread.sleep(50); // polling the reporter costs CPU the jobs would use
        }
        long end = System.nanoTime();
        long cpu = processCpuNanos() - firstCpu;
        double seconds = (end - first) / 1e9;
        if (!floor) {
            long sent = JobMetrics.sumCounter(metrics, job.getJobID(), "itemGradientsSent");
            System.out.printf(Locale.ROOT, "  %-10s %.1f item-gradient records per event%n", name,
                    (double) sent / Math.max(1, done));
        }
        if (!TestJobs.isTerminal(job)) {
            TestJobs.cancel(job);
        }
        System.out.printf(Locale.ROOT, "  %-10s %,d events in %.1f s%n", name, done, seconds);
        return new Rate(done / seconds, halfAt == 0 || end == halfAt ? Double.NaN
                : (done - halfDone) / ((end - halfAt) / 1e9), cpu / 1e3 / Math.max(1, done));
    }

    private static java.util.Map<String, String> withGroup(JobConfig c, String group) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        m.put("kafka.bootstrap.servers", c.bootstrapServers);
        m.put("kafka.group.id", "bench-" + group + "-" + System.nanoTime());
        m.put("topics.interactions", c.interactionsTopic);
        m.put("topics.dlq", c.dlqTopic);
        m.put("topics.item-embeddings", c.itemEmbeddingsTopic + (group.startsWith("floor") ? "-unused" : ""));
        m.put("topics.user-embeddings", c.userEmbeddingsTopic);
        m.put("topics.ranker-model", c.rankerModelTopic);
        // Only the features run reads a catalog (a topic pattern: a missing topic is no catalog).
        m.put("topics.catalog", group.startsWith("features") ? CATALOG_TOPIC : "bench-no-catalog");
        m.put("job.parallelism", Integer.toString(c.parallelism));
        m.put("checkpoint.dir", c.checkpointDir);
        m.put("checkpoint.interval", System.getProperty("bench.checkpoint-interval", "10 s"));
        // Trainer overrides for experiments: -Dbench.trainer=model.negatives=32,bundle.max-events=1024
        for (String kv : System.getProperty("bench.trainer", "").split(",")) {
            if (kv.contains("=")) {
                m.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        return m;
    }

    /** The floor: one RocksDB read and write per event, keyed by user, nothing else. */
    static final class FloorCounter extends KeyedProcessFunction<String, InteractionEvent, Long> {
        private transient ValueState<Long> count;
        private transient Counter events;

        @Override
        public void open(OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            events = getRuntimeContext().getMetricGroup().counter("floorEvents");
        }

        @Override
        public void processElement(InteractionEvent e, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            events.inc();
        }
    }
}
