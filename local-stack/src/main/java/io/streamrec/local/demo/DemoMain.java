package io.streamrec.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.ParsedArgs;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.generator.GeneratorMain;
import io.streamrec.local.replay.ReplayMain;
import io.streamrec.local.replay.ReplayOptions;
import io.streamrec.local.replay.ReplaySummary;
import io.streamrec.local.stack.TrainerFlags;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code streamrec demo}: starts {@link Demo} (Kafka, the trainer on Flink with its dashboard, the serving node,
 * and a feed), shows where everything is, a real recommendation with the curl that fetched it, and then, every
 * 10 s, the model's live HR@10 against popularity and the serving node's state; what happens in between (a new item
 * launched, an item retired, the serving node exited or restarted) is said at once. Ctrl-C stops everything
 * cleanly; running it again resumes.
 */
public final class DemoMain {

    private static Option<Integer> port(String name, int def, String description) {
        return Option.named(name, ValueTypes.INTEGER).defaultValue(def).label("PORT")
                .check(Option.between(1, 65535), "must be a port in 1..65535").description(description).build();
    }

    static final Option<Path> STATE_DIR = Option.named("--state-dir", ValueTypes.PATH).label("DIR")
            .defaultText(".streamrec/demo")
            .description("state kept between runs: Kafka log, checkpoints, savepoints, serving RocksDB, logs").build();
    static final Option<Boolean> FRESH = Option.flag("--fresh").description("delete the state directory first "
            + "(start over)").build();
    static final Option<Integer> KAFKA_PORT = port("--kafka-port", 9092, "Kafka broker (the KRaft controller uses "
            + "PORT+1)");
    static final Option<Integer> DASHBOARD_PORT = port("--dashboard-port", 8081, "Flink dashboard and REST API");
    static final Option<Integer> SERVING_PORT = port("--serving-port", 8080, "serving node HTTP API");
    static final Option<Integer> PARALLELISM = Option.named("--parallelism", ValueTypes.INTEGER).defaultValue(2)
            .check(v -> v >= 1, "must be at least 1").description("trainer parallelism").build();
    static final Option<Double> RATE = Option.named("--rate", ValueTypes.NUMBER).defaultValue(100.0).label("R")
            .check(r -> r > 0, "must be positive").description("events per second").build();
    static final Option<Duration> BACKFILL = GeneratorMain.BACKFILL.toBuilder().defaultValue(Duration.ofMinutes(5))
            .description("first publish this much simulated history at full speed (0 = none)").build();
    static final Option<Integer> USERS = GeneratorMain.USERS.toBuilder().defaultValue(1000)
            .check(v -> v >= 2, "must be at least 2").description("users").build();
    static final Option<Integer> ITEMS = GeneratorMain.ITEMS.toBuilder().defaultValue(2000)
            .check(v -> v >= 10, "must be at least 10").description("items").build();
    static final Option<Integer> TOPICS = GeneratorMain.TOPICS;
    static final Option<Long> SEED = GeneratorMain.SEED.toBuilder().description("seed of the synthetic world").build();
    static final Option<Duration> NEW_ITEMS_EVERY = GeneratorMain.NEW_ITEMS_EVERY.toBuilder()
            .defaultValue(DemoSettings.DEFAULT_NEW_ITEMS_EVERY).build();
    static final Option<Duration> NEW_ITEM_DELAY = GeneratorMain.NEW_ITEM_DELAY.toBuilder()
            .defaultValue(DemoSettings.DEFAULT_NEW_ITEM_DELAY).build();
    static final Option<Duration> RETIRE_EVERY = GeneratorMain.RETIRE_EVERY.toBuilder()
            .defaultValue(DemoSettings.DEFAULT_RETIRE_EVERY).build();
    static final Option<Duration> DURATION = Option.named("--duration", ValueTypes.DURATION)
            .description("stop by itself after this long (default: run until Ctrl-C)").build();
    static final Option<Duration> REPORT_EVERY = Option.named("--report-every", ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(10)).check(d -> !d.isZero(), "must be positive")
            .description("how often to print the live metrics").build();

    static final CliCommand COMMAND = CliCommand.builder("demo",
                    "streamrec demo [options] [--replay FILE [replay options]]")
            .description("The whole system on this machine: Kafka, the trainer on Flink (dashboard), the serving node, "
                    + "fed by a synthetic clickstream or a replayed log.")
            .section("Where")
            .options(STATE_DIR, FRESH, KAFKA_PORT, DASHBOARD_PORT, SERVING_PORT, PARALLELISM)
            .section("Feed (the synthetic clickstream, unless --replay)")
            .options(RATE, BACKFILL, USERS, ITEMS, TOPICS, SEED, NEW_ITEMS_EVERY, NEW_ITEM_DELAY, RETIRE_EVERY)
            .section("Run")
            .options(DURATION, REPORT_EVERY)
            .epilogue("Trainer settings: --trainer.KEY VALUE, e.g. --trainer.model.dim 32 --trainer.snapshot.interval 2s\n"
                    + "(any key of the trainer's configuration table in README.md; checked at start), or\n"
                    + "--trainer.config FILE (a properties file, e.g. the best.properties of ./streamrec tune).")
            .epilogue("--replay FILE replays a log instead of the generator; every option after FILE is a replay\n"
                    + "option (./streamrec replay --help), e.g.\n"
                    + "  ./streamrec demo --replay ../shared/data/ml-100k/u.data\n"
                    + "  ./streamrec demo --replay events.jsonl --speed 1x --backlog-until 2024-05-01T00:00:00Z --shift-to-now")
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation invocation;
        try {
            invocation = parse(args, out, err);
            if (invocation == null) {
                return 0; // --help
            }
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
        } catch (Exception e) {
            err.println("demo: " + e.getMessage());
            return 64;
        }

        Demo demo = new Demo(invocation.settings(), line -> out.println("  " + now() + "  " + line));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = stopHook(demo, stopped, out, err);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            startAndReport(demo, invocation, out, err);
        } catch (Exception e) {
            err.println("streamrec demo: " + failure(e));
            // fall through to a clean stop
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        hook.run();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** What the command line asks for: the settings, how long to run (null: until Ctrl-C), how often to report. */
    private record Invocation(DemoSettings settings, Duration duration, Duration reportEvery) {}

    /** The command line; null after printing the usage for --help. Warnings go to {@code err}. */
    private static Invocation parse(String[] args, PrintStream out, PrintStream err) throws Exception {
        int replayAt = Arrays.asList(args).indexOf("--replay");
        String[] own = replayAt < 0 ? args : Arrays.copyOfRange(args, 0, replayAt);
        String[] replayArgs = replayAt < 0 ? null : Arrays.copyOfRange(args, replayAt + 1, args.length);
        TrainerFlags.Split split = TrainerFlags.extract(own);
        ParsedArgs cl = COMMAND.parse(split.rest());
        if (cl.helpRequested()) {
            out.println(COMMAND.usage());
            return null;
        }
        COMMAND.warn(err, cl.warnings());
        if (!cl.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positionals().get(0) + "'");
        }
        int parallelism = cl.get(PARALLELISM);
        COMMAND.warn(err, TrainerFlags.validate(split.trainer(), Map.of("job.parallelism",
                Integer.toString(parallelism)), List.of("job.parallelism"), "the demo sets KEY; use --parallelism"));
        ReplayOptions replay = null;
        if (replayArgs != null) {
            if (replayArgs.length == 0) {
                throw new UsageException("--replay needs a FILE");
            }
            replay = ReplayMain.parse(replayArgs);
        }
        int kafkaPort = cl.get(KAFKA_PORT);
        Path home = Path.of(System.getProperty("streamrec.home", ".")).toAbsolutePath().normalize();
        Path stateDir = cl.has(STATE_DIR) ? cl.get(STATE_DIR) : home.resolve(".streamrec/demo");
        if (cl.flag(FRESH)) {
            deleteRecursively(stateDir);
        }
        DemoSettings settings = new DemoSettings(home, stateDir, kafkaPort, kafkaPort + 1, cl.get(DASHBOARD_PORT),
                cl.get(SERVING_PORT), parallelism, cl.get(RATE), cl.get(USERS), cl.get(ITEMS), cl.get(TOPICS),
                cl.get(SEED), cl.get(BACKFILL), replay, split.trainer(), cl.get(NEW_ITEMS_EVERY),
                cl.get(NEW_ITEM_DELAY), cl.get(RETIRE_EVERY));
        return new Invocation(settings, cl.get(DURATION), cl.get(REPORT_EVERY));
    }

    /** Stops the demo (feed, trainer with a savepoint, serving, Flink, Kafka) on Ctrl-C, or when run directly. */
    private static Thread stopHook(Demo demo, CountDownLatch stopped, PrintStream out, PrintStream err) {
        return new Thread(() -> {
            out.println();
            out.println("stopping: feed, trainer (savepoint), serving node, Flink, Kafka ...");
            try {
                String savepoint = demo.stop();
                out.println(savepoint != null ? "stopped cleanly; savepoint " + savepoint
                        : "stopped; the next run resumes from the last checkpoint");
                out.println("run ./streamrec demo again to resume from here (--fresh to start over).");
            } catch (Exception e) {
                err.println("error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "demo-shutdown");
    }

    /** Starts everything, shows where it is and an example, then reports until the duration is over. */
    private static void startAndReport(Demo demo, Invocation invocation, PrintStream out, PrintStream err)
            throws Exception {
        DemoSettings settings = invocation.settings();
        out.println("streamrec demo: starting Kafka, the trainer on Flink, the serving node ...");
        demo.start();
        printWhere(demo, settings, out);
        long t0 = System.nanoTime();
        out.println("waiting for the first complete snapshot of item embeddings (/ready) ...");
        if (!demo.awaitReady(Duration.ofMinutes(5))) {
            err.println("the serving node is not ready after 5 minutes (" + demo.servingState() + "); see "
                    + demo.servingLog());
        } else {
            out.printf("ready after %d s.%n%n", (System.nanoTime() - t0) / 1_000_000_000L);
            showExample(demo, settings, out);
        }
        out.println("Live metrics (HR@10 = share of scored events whose item the model ranked in its top 10"
                + " just before learning from it):");
        Duration duration = invocation.duration();
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        Map<String, Double> previous = Map.of();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(invocation.reportEvery().toMillis(),
                    Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            previous = report(demo, previous, out);
            if (demo.replayFailure() != null) {
                err.println("replay failed: " + demo.replayFailure().getMessage());
            }
        }
    }

    /** What went wrong while running, for the user: a port in use says which options choose others. */
    private static String failure(Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root instanceof BindException
                ? "a port is in use (" + root.getMessage() + "); choose others with --kafka-port, "
                        + "--dashboard-port, --serving-port"
                : e.getMessage();
    }

    private static void printWhere(Demo demo, DemoSettings s, PrintStream out) {
        out.println();
        out.println("  Kafka      " + demo.bootstrapServers() + "   (KRaft broker; topic interactions, "
                + "item-embeddings, user-embeddings, interactions-dlq, " + Demo.CATALOG_TOPIC + ")");
        out.println("  Flink      " + demo.dashboard() + "   <- the dashboard: job \"streamrec-trainer (demo)\","
                + " RocksDB state");
        out.println("  Serving    " + demo.servingUri() + "   (/v1/users/{id}/recommendations, /metrics, /ready)");
        if (s.replay() == null) {
            out.printf(Locale.ROOT, "  Feed       synthetic clickstream: %d users, %d items, %d hidden tastes, %.0f "
                    + "events/s%s%n", s.users(), s.items(), s.topics(), s.rate(),
                    s.backfill().isZero() ? "" : " after " + s.backfill().toMinutes() + " min of backfilled history");
            out.printf(Locale.ROOT, "  Catalog    %,d item records in topic %s%s%s%n", demo.catalogPublished(),
                    Demo.CATALOG_TOPIC, s.newItemsEvery().isZero() ? ""
                            : "; a new item every " + human(s.newItemsEvery()) + " (events "
                                    + human(s.newItemDelay()) + " later)",
                    s.retireEvery().isZero() ? "" : "; an item retired every " + human(s.retireEvery()));
        } else {
            out.println("  Feed       replay of " + s.replay().file());
            out.println("  Catalog    topic " + Demo.CATALOG_TOPIC + " (compacted; a replay publishes no catalog)");
        }
        out.println("  State      " + s.stateDir().toAbsolutePath() + (demo.restoredFrom() != null
                ? "   (resumed from " + demo.restoredFrom() + ")" : "   (fresh start)"));
        out.println();
    }

    private static void showExample(Demo demo, DemoSettings s, PrintStream out) throws Exception {
        String user = demo.groundTruth() != null
                ? demo.groundTruth().usersWithDistinctTastes(1).get(0)
                : demo.lastUser();
        if (user == null) {
            return;
        }
        String path = "/v1/users/" + user + "/recommendations?k=5";
        // Right after /ready the trainer is still working through the backfill: wait (a little) until the serving
        // node answers this user from the model, so that the example shows a personal answer, not a cold start.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode answer = demo.get(path);
        if (!"model".equals(answer.path("strategy").asText())) {
            out.println("waiting for the trainer to learn user " + user + " (up to 90 s) ...");
        }
        while (!"model".equals(answer.path("strategy").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            answer = demo.get(path);
        }
        out.println("Try it:");
        out.println("  curl '" + demo.servingUri().resolve(path) + "'");
        out.println("  " + JSON.writeValueAsString(answer));
        out.println();
    }

    private static Map<String, Double> report(Demo demo, Map<String, Double> previous, PrintStream out) {
        Map<String, Double> m;
        try {
            m = demo.trainerMetrics();
        } catch (Exception e) {
            out.println("  " + now() + "  (metrics unavailable: " + e.getMessage() + ")  serving "
                    + demo.servingState());
            return previous;
        }
        double evaluated = m.getOrDefault("prequentialEvaluated", 0.0);
        double dEval = evaluated - previous.getOrDefault("prequentialEvaluated", 0.0);
        String recent = "";
        if (dEval > 0) {
            recent = String.format(Locale.ROOT, "   last interval %.3f vs %.3f",
                    (m.getOrDefault("prequentialHits10", 0.0) - previous.getOrDefault("prequentialHits10", 0.0))
                            / dEval,
                    (m.getOrDefault("popularityHits10", 0.0) - previous.getOrDefault("popularityHits10", 0.0))
                            / dEval);
        }
        double snapshot = m.getOrDefault("latestCompleteSnapshot", 0.0) / 2; // a sum over 2 subtasks of one value
        out.printf(Locale.ROOT, "  %s  published %,d  trained %,.0f  HR@10 model %.3f vs popularity %.3f%s"
                        + "  snapshot v%.0f  serving %s%s%n",
                now(), demo.eventsPublished(),
                m.getOrDefault("eventsTrained", 0.0),
                evaluated == 0 ? 0 : m.getOrDefault("prequentialHits10", 0.0) / evaluated,
                evaluated == 0 ? 0 : m.getOrDefault("popularityHits10", 0.0) / evaluated, recent, snapshot,
                demo.servingState(),
                demo.replayFinished() ? "  (replay done: " + summary(demo.replaySummary()) + ")" : "");
        return m;
    }

    private static String now() {
        return LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 && s >= 60 ? s / 60 + " min" : d.toMillis() % 1000 == 0 ? s + " s" : d.toMillis() + " ms";
    }

    private static String summary(ReplaySummary s) {
        return s == null ? "failed" : s.published() + " published, " + s.bad() + " bad lines";
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
