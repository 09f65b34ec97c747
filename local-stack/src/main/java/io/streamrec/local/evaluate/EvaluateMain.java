package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.model.ModelParams;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.local.cli.CommandLine;
import io.streamrec.local.cli.ProgressDisplay;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.evaluate.EvaluateOptions.PassOrder;
import io.streamrec.local.catalog.CatalogSources;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.LogFormat;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.local.publish.EventSink;
import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.local.replay.ReplayException;
import io.streamrec.local.replay.ReplayMain;
import io.streamrec.local.replay.ReplayOptions;
import io.streamrec.local.replay.ReplaySummary;
import io.streamrec.local.replay.Replayer;
import io.streamrec.schema.InteractionEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code streamrec evaluate}: how good is the model on this log? Reads a log in any format {@code replay} reads,
 * runs the real trainer job over it (an embedded Kafka broker, the job on a local Flink MiniCluster with RocksDB
 * state) under one or more protocols ({@link Evaluation}), and writes {@code report.json} and {@code report.html}
 * to the output directory. Progress goes to stderr, the summary table to stdout. Exit codes: 0 done, 1 a run failed,
 * 2 the file is unreadable, 3 no valid event in it, 64 bad options.
 */
public final class EvaluateMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Our options; every other argument goes to the replay parser (FILE and how to read it). */
    static final CommandLine.Spec SPEC = CommandLine.spec(
                    "streamrec evaluate [options] FILE [options for reading FILE]")
            .section("Protocol")
            .option("--protocol", "P", "prequential (default): timestamp order, recommend then learn;\n"
                    + "seed: random split, N passes, top-K accuracy (the TFRS tutorials' protocol);\n"
                    + "temporal: train on the earliest share by time, test on the rest;\n"
                    + "cold-items: 10% of the items withheld from training, ranked from their\n"
                    + "catalog features alone (needs a catalog);\n"
                    + "all: the four, one report")
            .option("--passes", "N", "training passes over the training events, seed and temporal (default 3)")
            .option("--pass-order", "O", "order within a pass: auto (default: shuffled for seed, time for\n"
                    + "temporal) | time | shuffle (a new permutation per pass, from --seed)")
            .option("--split", "X", "share of the events used for training, seed and temporal (default 0.8)")
            .option("--seed", "N", "seed of the random split and the shuffles (default 42)")
            .option("--windows", "N", "prequential: windows of equal event counts in the chart (default 10)")
            .section("Catalog")
            .option("--catalog", "FILE", "item catalog published before every run's events (any format\n"
                    + "./streamrec catalog load reads: u.item, Complete Journey products.csv, JSONL);\n"
                    + "default: u.item next to a MovieLens u.data, or the records a log implies\n"
                    + "(REES46: category, brand, price); --no-catalog for none")
            .section("Run")
            .option("--out", "DIR", "where report.json and report.html go (default .streamrec/evaluation)")
            .option("--parallelism", "N", "trainer parallelism (default 2)")
            .option("--stall-timeout", "DUR", "fail when training makes no progress this long (default 5m)")
            .option("--progress", "M", "auto (default: redrawn on a terminal, a line every 5 s otherwise) |\n"
                    + "bar | plain | none")
            .flag("--help", "print this help")
            .epilogue("Trainer settings: --trainer.KEY VALUE sets any key of the trainer's configuration, e.g.\n"
                    + "--trainer.model.dim 32 --trainer.model.learning-rate 0.1 --trainer.model.negatives 128.\n"
                    + "Evaluation uses the trainer's defaults except snapshot.interval 1 s and\n"
                    + "user.publish-interval 200 ms; it sets the Kafka, topic, parallelism, checkpoint and\n"
                    + "metrics.prequential.sample keys itself (checkpointing is off: nothing restores).\n"
                    + "The model keys and their defaults:\n" + modelKeys())
            .epilogue("Reading FILE: the options of ./streamrec replay that select and parse records apply:\n"
                    + "--format, --preset, --type-map, --csv.*, --movielens.min-rating, --from, --to, --limit,\n"
                    + "--earliest-timestamp. Events are always put in timestamp order (stable).")
            .epilogue("Examples:\n"
                    + "  ./streamrec evaluate ../shared/data/ml-100k/u.data --protocol all --out /tmp/ml100k\n"
                    + "  ./streamrec evaluate --protocol seed --passes 5 --trainer.model.dim 32 u.data\n"
                    + "  ./streamrec evaluate --protocol prequential 2019-Oct.csv --preset rees46 --limit 500000");

    /** Our options and whether each takes a value; used to split our arguments from replay's. */
    private static final Map<String, Boolean> OWN_OPTIONS = Map.ofEntries(Map.entry("--protocol", true),
            Map.entry("--catalog", true),
            Map.entry("--passes", true), Map.entry("--pass-order", true), Map.entry("--split", true),
            Map.entry("--seed", true), Map.entry("--windows", true), Map.entry("--out", true),
            Map.entry("--parallelism", true), Map.entry("--stall-timeout", true), Map.entry("--progress", true),
            Map.entry("--help", false));

    /** Replay options that publish or pace, which make no sense here. */
    private static final Set<String> NOT_APPLICABLE = Set.of("--speed", "--backlog-until", "--max-wait",
            "--bootstrap-servers", "--topic", "--create-topic", "--partitions", "--connect-timeout", "--dry-run",
            "--shift-to-now", "--max-reported");

    private EvaluateMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    /** Runs as the command line does, without exiting; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        EvaluateOptions options;
        ProgressDisplay.Mode mode;
        try {
            Parsed parsed = parse(args);
            if (parsed == null) {
                out.print(SPEC.usage());
                return 0;
            }
            options = parsed.options;
            mode = parsed.mode(terminal);
        } catch (UsageException e) {
            err.println("evaluate: " + e.getMessage());
            err.println("evaluate: --help lists the options");
            return ReplayException.USAGE_ERROR;
        }
        ProgressLine progress = new ProgressLine(err, mode);

        List<InteractionEvent> events;
        try {
            events = read(options.replay(), err);
        } catch (ReplayException e) {
            err.println("evaluate: " + e.getMessage());
            return e.exitCode();
        }
        if (events.isEmpty()) {
            err.println("evaluate: no valid event in " + options.replay().file()
                    + "; check --format and the column options");
            return ReplayException.NOTHING_PUBLISHED;
        }
        Map<String, String> trainer = trainerSettings(options, events);
        CatalogChoice catalog;
        try {
            catalog = catalog(options, err);
        } catch (ReplayException e) {
            err.println("evaluate: catalog: " + e.getMessage());
            return e.exitCode();
        }
        if (!catalog.records().isEmpty()) {
            progress.message(String.format(Locale.ROOT, "evaluate: catalog of %,d items: %s",
                    catalog.records().size(), catalog.source()));
        }

        Path work = null;
        long start = System.nanoTime();
        try {
            work = Files.createTempDirectory("streamrec-evaluate-");
            List<ObjectNode> sections = new ArrayList<>();
            try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().logDir(work.resolve("kafka")).start()) {
                Evaluation evaluation = new Evaluation(options, broker, trainer, progress, work, catalog.records());
                for (Protocol p : options.protocols()) {
                    progress.message(String.format(Locale.ROOT, "evaluate: %s protocol on %,d events ...",
                            p.cliName(), events.size()));
                    ObjectNode section = evaluation.run(p, events);
                    progress.message("evaluate: " + p.cliName() + ": " + ReportWriter.headline(section)
                            + String.format(Locale.ROOT, " (%.0f s)", section.path("timings_s").path("total")
                            .asDouble()));
                    sections.add(section);
                }
            }
            ObjectNode root = root(sections, events.size());
            ObjectNode c = root.putObject("catalog");
            c.put("items", catalog.records().size());
            c.put("source", catalog.source());
            root.put("elapsed_s", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
            Path html = ReportWriter.write(options.out(), root);
            printSummary(out, root);
            out.println("report: " + options.out().resolve("report.json").toAbsolutePath().normalize());
            out.println("        " + html.toAbsolutePath().normalize());
            return 0;
        } catch (Exception e) {
            progress.clear();
            err.println("evaluate: failed: " + e.getMessage());
            if (e.getCause() != null && e.getMessage() != null && !e.getMessage().contains(e.getCause().toString())) {
                err.println("evaluate: cause: " + e.getCause());
            }
            return 1;
        } finally {
            deleteRecursively(work);
        }
    }

    /** The report root: one protocol's section, or all of them under "reports". */
    static ObjectNode root(List<ObjectNode> sections, long events) {
        if (sections.size() == 1) {
            return sections.get(0);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", "all");
        root.put("events", events);
        ObjectNode reports = root.putObject("reports");
        for (ObjectNode s : sections) {
            reports.set(s.path("protocol").asText(), s);
        }
        root.set("config", sections.get(0).path("config").path("evaluate"));
        return root;
    }

    /** What the arguments asked for; null options for --help. */
    record Parsed(EvaluateOptions options, String progress) {
        ProgressDisplay.Mode mode(boolean terminal) {
            try {
                return ProgressDisplay.Mode.parse(progress, terminal);
            } catch (UsageException e) {
                return terminal ? ProgressDisplay.Mode.BAR : ProgressDisplay.Mode.PLAIN; // as "auto"
            }
        }
    }

    /** The catalog of a run and where it came from (for the report). */
    record CatalogChoice(List<CatalogRecord> records, String source) {}

    /**
     * The catalog: {@code --catalog FILE}; else, for a MovieLens ratings file, {@code u.item} next to it; else the
     * records the log's own item attributes imply (REES46); none with {@code --no-catalog}.
     */
    static CatalogChoice catalog(EvaluateOptions options, PrintStream err) {
        ProgressListener quiet = new ProgressListener() {
            @Override
            public void onBadRecord(BadRecord bad) {
                err.println("evaluate: catalog: " + bad);
            }
        };
        if (!options.replay().catalog()) {
            return new CatalogChoice(List.of(), "none (--no-catalog)");
        }
        if (options.catalog() != null) {
            return new CatalogChoice(CatalogSources.fromFile(options.catalog(), quiet),
                    options.catalog() + " (--catalog)");
        }
        Path log = options.replay().file();
        Path uItem = log.toAbsolutePath().resolveSibling("u.item");
        boolean movieLens = options.replay().format() == LogFormat.MOVIELENS
                || options.replay().format() == null && log.getFileName().toString().matches("u[1-5ab]?\\.(data|base|test)");
        if (movieLens && Files.isRegularFile(uItem)) {
            return new CatalogChoice(CatalogSources.fromFile(uItem, quiet),
                    uItem + " (next to the ratings, picked up by itself; --no-catalog leaves it out)");
        }
        List<CatalogRecord> implied = CatalogSources.fromLog(options.replay(), ProgressListener.NONE);
        return implied.isEmpty() ? new CatalogChoice(List.of(), "none (give --catalog FILE)")
                : new CatalogChoice(implied, "the item attributes of the log itself");
    }

    /** Parses the arguments; null for --help. */
    static Parsed parse(String[] args) throws UsageException {
        List<String> own = new ArrayList<>();
        List<String> replayArgs = new ArrayList<>();
        Map<String, String> trainer = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (a.startsWith("--trainer.")) {
                String key = name.substring("--trainer.".length());
                if (key.isEmpty()) {
                    throw new UsageException("--trainer. needs a key, e.g. --trainer.model.dim 32");
                }
                if (eq >= 0) {
                    trainer.put(key, a.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    trainer.put(key, args[++i]);
                } else {
                    throw new UsageException(a + " needs a value");
                }
            } else if (OWN_OPTIONS.containsKey(name)) {
                own.add(a);
                if (OWN_OPTIONS.get(name) && eq < 0 && i + 1 < args.length) {
                    own.add(args[++i]);
                }
            } else if (NOT_APPLICABLE.contains(name)) {
                throw new UsageException(name + " is a replay option that does not apply to evaluate (the events go"
                        + " to an embedded broker as fast as the trainer takes them)");
            } else {
                replayArgs.add(a);
            }
        }
        CommandLine cl = SPEC.parse(own.toArray(String[]::new));
        if (cl.flag("--help")) {
            return null;
        }
        List<Protocol> protocols = protocols(cl.get("--protocol", "prequential"));
        int passes = cl.getInt("--passes", 3, 1);
        PassOrder order = switch (cl.get("--pass-order", "auto").toLowerCase(Locale.ROOT)) {
            case "auto" -> PassOrder.AUTO;
            case "time" -> PassOrder.TIME;
            case "shuffle", "shuffled" -> PassOrder.SHUFFLE;
            default -> throw new UsageException("--pass-order: expected auto, time or shuffle, got '"
                    + cl.get("--pass-order") + "'");
        };
        double split = cl.getDouble("--split", 0.8);
        if (!(split > 0 && split < 1)) {
            throw new UsageException("--split: must be strictly between 0 and 1, got " + split);
        }
        long seed = cl.getLong("--seed", 42, Long.MIN_VALUE);
        int windows = cl.getInt("--windows", 10, 1);
        int parallelism = cl.getInt("--parallelism", 2, 1);
        Duration stall = cl.getDuration("--stall-timeout", Duration.ofMinutes(5));
        String progress = cl.get("--progress", "auto").toLowerCase(Locale.ROOT);
        if (!List.of("auto", "bar", "plain", "none").contains(progress)) {
            throw new UsageException("--progress: expected auto, bar, plain or none, got '" + progress + "'");
        }
        Path out = Path.of(cl.get("--out", defaultOut().toString()));

        for (String key : trainer.keySet()) {
            if (TrainerRun.RESERVED_KEYS.contains(key)) {
                throw new UsageException("--trainer." + key + ": evaluate sets this key itself"
                        + (key.equals("job.parallelism") ? "; use --parallelism" : ""));
            }
        }
        validateTrainer(trainer, parallelism);

        ReplayOptions replay;
        try {
            replay = ReplayMain.parse(replayArgs.toArray(String[]::new));
        } catch (UsageException e) {
            throw e.getMessage().startsWith("no FILE given")
                    ? new UsageException("no FILE given: which log should be evaluated?") : e;
        }
        String catalog = cl.get("--catalog", null);
        if (catalog != null && !replay.catalog()) {
            throw new UsageException("--catalog and --no-catalog contradict each other");
        }
        return new Parsed(new EvaluateOptions(protocols, passes, order, split, seed, windows, out, parallelism,
                trainer, stall, replay, catalog == null ? null : Path.of(catalog)), progress);
    }

    private static List<Protocol> protocols(String value) throws UsageException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "seed": case "seeds": return List.of(Protocol.SEED);
            case "temporal": return List.of(Protocol.TEMPORAL);
            case "prequential": return List.of(Protocol.PREQUENTIAL);
            case "cold-items": case "cold_items": return List.of(Protocol.COLD_ITEMS);
            case "all": return List.of(Protocol.SEED, Protocol.TEMPORAL, Protocol.PREQUENTIAL, Protocol.COLD_ITEMS);
            default:
                throw new UsageException("--protocol: expected seed, temporal, prequential, cold-items or all, got '"
                        + value + "'");
        }
    }

    /** Checks the user's trainer keys now, with the trainer's own messages, rather than after reading the file. */
    private static void validateTrainer(Map<String, String> trainer, int parallelism) throws UsageException {
        Map<String, String> probe = new LinkedHashMap<>(TrainerRun.evaluationDefaults());
        probe.putAll(trainer);
        probe.put("job.parallelism", Integer.toString(parallelism));
        try {
            JobConfig.fromMap(probe);
        } catch (IllegalArgumentException e) {
            throw new UsageException("trainer setting: " + e.getMessage());
        }
    }

    /** The run's trainer keys: the evaluation defaults, the log's earliest time if older than allowed, the user's. */
    static Map<String, String> trainerSettings(EvaluateOptions options, List<InteractionEvent> events) {
        Map<String, String> m = new LinkedHashMap<>(TrainerRun.evaluationDefaults());
        long earliest = events.stream().mapToLong(e -> e.timestamp).min().orElse(0);
        // The trainer's default is the parser's; a user's --trainer.ingest.timestamp.earliest still wins below.
        if (earliest < JobConfig.defaults().parserOptions.earliestTimestampMs()) {
            // Old logs (MovieLens 100K is from 1997-98): accept what replay accepted.
            m.put("ingest.timestamp.earliest", Instant.ofEpochMilli(earliest).truncatedTo(ChronoUnit.DAYS).toString());
        }
        m.putAll(options.trainer());
        return m;
    }

    private static Path defaultOut() {
        String home = System.getProperty("streamrec.home");
        return home != null ? Path.of(home, ".streamrec", "evaluation") : Path.of(".streamrec", "evaluation");
    }

    /** Reads the log as replay would, into memory, in timestamp order. */
    static List<InteractionEvent> read(ReplayOptions replay, PrintStream err) {
        List<InteractionEvent> events = new ArrayList<>();
        long[] bad = {0};
        EventSink collecting = new EventSink() {
            @Override
            public void publish(InteractionEvent event, byte[] json) {
                events.add(event);
            }

            @Override
            public void flush() {}

            @Override
            public long acknowledged() {
                return events.size();
            }

            @Override
            public void close() {}
        };
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onNotice(String message) {
                if (message.contains("ingest.timestamp.earliest")) {
                    return; // advice for replaying into a trainer; evaluate sets that key itself
                }
                err.println("evaluate: " + message);
            }

            @Override
            public void onBadRecord(BadRecord record) {
                if (++bad[0] <= 5) {
                    err.println("evaluate: skipped " + record);
                }
            }
        };
        ReplaySummary summary = new Replayer(replay, listener, collecting).run();
        err.println(String.format(Locale.ROOT, "evaluate: read %,d events from %s (%,d bad lines skipped%s) in %.1f s",
                events.size(), replay.file(), summary.bad(),
                summary.filtered() > 0 ? String.format(Locale.ROOT, ", %,d outside --from/--to", summary.filtered())
                        : "", summary.elapsed().toMillis() / 1000.0));
        events.sort(Comparator.comparingLong(e -> e.timestamp));
        return events;
    }

    static void printSummary(PrintStream out, JsonNode root) {
        out.println();
        out.println(String.format(Locale.ROOT, "%-12s %-9s %9s %11s %7s   %19s %11s", "protocol", "metric", "model",
                "popularity", "ratio", "excluding seen: model", "popularity"));
        for (JsonNode s : ReportWriter.sections(root)) {
            String protocol = s.path("protocol").asText();
            JsonNode m = s.path("model");
            JsonNode p = s.path("popularity");
            JsonNode mx = s.path("model_excluding_seen");
            JsonNode px = s.path("popularity_excluding_seen");
            m.fieldNames().forEachRemaining(k -> {
                double mv = m.path(k).asDouble();
                double pv = p.path(k).asDouble();
                String excl = mx.isMissingNode() ? "" : String.format(Locale.ROOT, "   %19.4f %11.4f",
                        mx.path(k).asDouble(), px.path(k).asDouble());
                out.println(String.format(Locale.ROOT, "%-12s %-9s %9.4f %11.4f %7s%s", protocol,
                        k.replace("top_", "top-").replace("hr_", "HR@").replace("ndcg_", "NDCG@"), mv, pv,
                        pv > 0 ? String.format(Locale.ROOT, "%.2fx", mv / pv) : "-", excl));
            });
            JsonNode served = s.path("model_as_served");
            if (!served.isMissingNode() && s.path("coverage").path("test_pairs_without_user_vector").asLong() > 0) {
                JsonNode sx = s.path("model_as_served_excluding_seen");
                served.fieldNames().forEachRemaining(k -> out.println(String.format(Locale.ROOT,
                        "%-12s %-9s %9.4f %11s %7s   %19.4f   (as served: popular items for users without a vector)",
                        protocol, k.replace("top_", "top-"), served.path(k).asDouble(), "", "",
                        sx.path(k).asDouble())));
            }
        }
        out.println();
    }

    static String modelKeys() {
        StringBuilder b = new StringBuilder();
        ModelParams.defaults().toMap().forEach((k, v) -> b.append("  ").append(k).append(" = ").append(v).append('\n'));
        return b.toString().stripTrailing();
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless.
        }
    }
}
