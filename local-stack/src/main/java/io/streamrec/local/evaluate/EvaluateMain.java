package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.model.ModelParams;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.CommonOptions;
import io.streamrec.local.cli.ParsedArgs;
import io.streamrec.local.cli.ProgressDisplay;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.evaluate.EvaluateOptions.PassOrder;
import io.streamrec.local.catalog.CatalogSources;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.ItemColumnOptions;
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
import io.streamrec.local.stack.TrainerFlags;
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

    private static final Map<String, List<Protocol>> PROTOCOLS = new LinkedHashMap<>();

    static {
        PROTOCOLS.put("prequential", List.of(Protocol.PREQUENTIAL));
        PROTOCOLS.put("seed", List.of(Protocol.SEED));
        PROTOCOLS.put("seeds", List.of(Protocol.SEED));
        PROTOCOLS.put("temporal", List.of(Protocol.TEMPORAL));
        PROTOCOLS.put("cold-items", List.of(Protocol.COLD_ITEMS));
        PROTOCOLS.put("cold_items", List.of(Protocol.COLD_ITEMS));
        PROTOCOLS.put("all", List.of(Protocol.SEED, Protocol.TEMPORAL, Protocol.PREQUENTIAL, Protocol.COLD_ITEMS));
    }

    private static final Map<String, PassOrder> PASS_ORDERS = new LinkedHashMap<>();

    static {
        PASS_ORDERS.put("auto", PassOrder.AUTO);
        PASS_ORDERS.put("time", PassOrder.TIME);
        PASS_ORDERS.put("shuffle", PassOrder.SHUFFLE);
        PASS_ORDERS.put("shuffled", PassOrder.SHUFFLE);
    }

    static final Option<List<Protocol>> PROTOCOL = Option.named("--protocol", ValueTypes.choice(PROTOCOLS))
            .defaultValue(List.of(Protocol.PREQUENTIAL)).label("P")
            .description("prequential: timestamp order, recommend then learn;\n"
                    + "seed: random split, N passes, top-K accuracy (the TFRS tutorials' protocol);\n"
                    + "temporal: train on the earliest share by time, test on the rest;\n"
                    + "cold-items: 10% of the items withheld from training, ranked from their catalog features alone "
                    + "(needs a catalog);\nall: the four, one report").build();
    static final Option<Integer> PASSES = Option.named("--passes", ValueTypes.INTEGER).defaultValue(3)
            .check(v -> v >= 1, "must be at least 1")
            .description("training passes over the training events, seed and temporal").build();
    static final Option<PassOrder> PASS_ORDER = Option.named("--pass-order", ValueTypes.choice(PASS_ORDERS))
            .defaultValue(PassOrder.AUTO).label("O")
            .description("order within a pass: auto (shuffled for seed, time for temporal) | time | shuffle (a new "
                    + "permutation per pass, from --seed)").build();
    static final Option<Double> SPLIT = Option.named("--split", ValueTypes.NUMBER).defaultValue(0.8)
            .check(v -> v > 0 && v < 1, "must be strictly between 0 and 1")
            .description("share of the events used for training, seed and temporal").build();
    static final Option<Long> SEED = Option.named("--seed", ValueTypes.LONG).defaultValue(42L)
            .description("seed of the random split and the shuffles").build();
    static final Option<Integer> WINDOWS = Option.named("--windows", ValueTypes.INTEGER).defaultValue(10)
            .check(v -> v >= 1, "must be at least 1")
            .description("prequential: windows of equal event counts in the chart").build();
    static final Option<Path> CATALOG = Option.named("--catalog", ValueTypes.PATH).label("FILE")
            .description("item catalog published before every run's events (any format ./streamrec catalog load "
                    + "reads: u.item, Complete Journey products.csv, JSONL); default: u.item next to a MovieLens "
                    + "u.data, or the records a log implies (REES46: category, brand, price); --no-catalog for none")
            .build();
    static final Option<Path> OUT = Option.named("--out", ValueTypes.PATH).defaultValue(defaultOut())
            .defaultText(".streamrec/evaluation").label("DIR")
            .description("where report.json and report.html go").build();
    static final Option<Integer> PARALLELISM = Option.named("--parallelism", ValueTypes.INTEGER).defaultValue(2)
            .check(v -> v >= 1, "must be at least 1").description("trainer parallelism").build();
    static final Option<Duration> STALL_TIMEOUT = Option.named("--stall-timeout", ValueTypes.DURATION)
            .defaultValue(Duration.ofMinutes(5)).check(d -> !d.isZero(), "must be positive")
            .description("fail when training makes no progress this long").build();
    static final Option<String> PROGRESS = CommonOptions.PROGRESS.toBuilder()
            .description("auto: redrawn on a terminal, a line every 5 s otherwise; bar; plain; none").build();

    private static final String NOT_APPLICABLE = "a replay option that does not apply to evaluate (the events go to "
            + "an embedded broker as fast as the trainer takes them)";

    static final CliCommand COMMAND = refuseReplayOptions(CliCommand.builder("evaluate",
                    "streamrec evaluate [options] FILE [options for reading FILE]")
            .description("How good is the model on a log: the real trainer under the seeds' protocol, a temporal "
                    + "split, prequential and cold items; writes report.json and report.html.")
            .positionals("FILE")
            .section("Protocol")
            .options(PROTOCOL, PASSES, PASS_ORDER, SPLIT, SEED, WINDOWS)
            .section("Catalog")
            .options(CATALOG, ReplayMain.NO_CATALOG)
            .section("Run")
            .options(OUT, PARALLELISM, STALL_TIMEOUT, PROGRESS)
            .section("Reading FILE (as ./streamrec replay reads it; events are always put in timestamp order)")
            .options(ReplayMain.READING)
            .options(ItemColumnOptions.ALL)
            .options(ReplayMain.FROM, ReplayMain.TO, ReplayMain.LIMIT, ReplayMain.SORT, ReplayMain.NO_SORT,
                    ReplayMain.EARLIEST)
            .epilogue("Trainer settings: --trainer.KEY VALUE sets any key of the trainer's configuration (README.md,\n"
                    + "\"Configuration (trainer)\"), e.g. --trainer.model.dim 32 --trainer.model.negatives 128;\n"
                    + "--trainer.config FILE reads keys from a properties file (e.g. the best.properties of\n"
                    + "./streamrec tune); flags win over it. They are checked at start. Evaluation uses the\n"
                    + "trainer's defaults except snapshot.interval 1s (so bundle.max-delay 250ms) and\n"
                    + "user.publish-interval 200ms; it sets the Kafka, topic, parallelism, checkpoint and\n"
                    + "metrics.prequential.sample keys itself (checkpointing is off: nothing restores).\n"
                    + "The model keys and their defaults:\n" + modelKeys())
            .epilogue("Exit codes: 0 done, 1 a run failed, 2 the file is unreadable, 3 no valid event in it, 64 bad "
                    + "options.")
            .epilogue("Examples:\n"
                    + "  ./streamrec evaluate ../shared/data/ml-100k/u.data --protocol all --out /tmp/ml100k\n"
                    + "  ./streamrec evaluate --protocol seed --passes 5 --trainer.model.dim 32 u.data\n"
                    + "  ./streamrec evaluate --protocol prequential 2019-Oct.csv --preset rees46 --limit 500000"))
            .build();

    /** Replay's options that publish or pace refuse with a reason, rather than as unknown. */
    private static CliCommand.Builder refuseReplayOptions(CliCommand.Builder b) {
        for (String o : List.of("--speed", "--backlog-until", "--max-wait", "--kafka.bootstrap.servers",
                "--bootstrap-servers", "--topics.interactions", "--topic", "--create-topic", "--kafka.topic-partitions",
                "--partitions", "--connect-timeout", "--dry-run", "--shift-to-now", "--max-reported",
                "--topics.catalog", "--catalog-topic")) {
            b.refuse(o, NOT_APPLICABLE);
        }
        return b;
    }

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
                out.print(COMMAND.usage());
                return 0;
            }
            COMMAND.warn(err, parsed.warnings());
            options = parsed.options;
            mode = parsed.mode(terminal);
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
        }
        ProgressLine progress = new ProgressLine(err, mode);
        List<InteractionEvent> events;
        Map<String, String> trainer;
        CatalogChoice catalog;
        try {
            events = events(options, err);
            trainer = trainerSettings(options, events);
            catalog = chosenCatalog(options, progress, err);
        } catch (Exit e) {
            return e.code;
        }
        return evaluate(options, events, trainer, catalog, progress, out, err);
    }

    /** Ends the command with an exit code, its reason already printed. */
    private static final class Exit extends Exception {
        final int code;

        Exit(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /** The log's valid events, in timestamp order; none is an error. */
    private static List<InteractionEvent> events(EvaluateOptions options, PrintStream err) throws Exit {
        List<InteractionEvent> events;
        try {
            events = read(options.replay(), err);
        } catch (ReplayException e) {
            err.println("evaluate: " + e.getMessage());
            throw new Exit(e.exitCode());
        }
        if (events.isEmpty()) {
            err.println("evaluate: no valid event in " + options.replay().file()
                    + "; check --format and the column options");
            throw new Exit(ReplayException.NOTHING_PUBLISHED);
        }
        return events;
    }

    /** The run's catalog ({@link #catalog(EvaluateOptions, PrintStream)}), said when there is one. */
    private static CatalogChoice chosenCatalog(EvaluateOptions options, ProgressLine progress, PrintStream err)
            throws Exit {
        CatalogChoice catalog;
        try {
            catalog = catalog(options, err);
        } catch (ReplayException e) {
            err.println("evaluate: catalog: " + e.getMessage());
            throw new Exit(e.exitCode());
        }
        if (!catalog.records().isEmpty()) {
            progress.message(String.format(Locale.ROOT, "evaluate: catalog of %,d items: %s",
                    catalog.records().size(), catalog.source()));
        }
        return catalog;
    }

    /** Runs the protocols on an embedded broker in a temporary directory, writes the report and sums it up. */
    private static int evaluate(EvaluateOptions options, List<InteractionEvent> events, Map<String, String> trainer,
                                CatalogChoice catalog, ProgressLine progress, PrintStream out, PrintStream err) {
        Path work = null;
        long start = System.nanoTime();
        try {
            work = Files.createTempDirectory("streamrec-evaluate-");
            List<ObjectNode> sections = runProtocols(options, events, trainer, catalog, progress, work);
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

    /** Each protocol's report section, in the order asked, from one embedded broker. */
    private static List<ObjectNode> runProtocols(EvaluateOptions options, List<InteractionEvent> events,
                                                 Map<String, String> trainer, CatalogChoice catalog,
                                                 ProgressLine progress, Path work) throws Exception {
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
        return sections;
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

    /** What the arguments asked for, and the warnings of deprecated names used. */
    record Parsed(EvaluateOptions options, String progress, List<String> warnings, ParsedArgs args) {
        ProgressDisplay.Mode mode(boolean terminal) {
            return CommonOptions.progressMode(progress, terminal);
        }
    }

    /** The catalog of a run and where it came from (for the report). */
    record CatalogChoice(List<CatalogRecord> records, String source) {}

    /**
     * The catalog: {@code --catalog FILE}; else, for a MovieLens ratings file, {@code u.item} next to it; else the
     * records the log's own item attributes imply (REES46); none with {@code --no-catalog}.
     */
    static CatalogChoice catalog(EvaluateOptions options, PrintStream err) {
        return catalog(options, err, "evaluate");
    }

    /** {@link #catalog(EvaluateOptions, PrintStream)}, its messages prefixed with {@code command}. */
    static CatalogChoice catalog(EvaluateOptions options, PrintStream err, String command) {
        ProgressListener quiet = new ProgressListener() {
            @Override
            public void onBadRecord(BadRecord bad) {
                err.println(command + ": catalog: " + bad);
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
        return parse(COMMAND, args);
    }

    /** Parses with a command that has evaluate's options (and maybe more, which the caller reads); null for --help. */
    static Parsed parse(CliCommand command, String[] args) throws UsageException {
        TrainerFlags.Split split = TrainerFlags.extract(args);
        ParsedArgs cl = command.parse(split.rest());
        if (cl.helpRequested()) {
            return null;
        }
        int parallelism = cl.get(PARALLELISM);
        Map<String, String> own = new LinkedHashMap<>(TrainerRun.evaluationDefaults());
        own.put("job.parallelism", Integer.toString(parallelism));
        if (split.trainer().containsKey("job.parallelism")) {
            throw new UsageException("--trainer.job.parallelism: evaluate sets this key itself; use --parallelism");
        }
        List<String> warnings = new ArrayList<>(cl.warnings());
        warnings.addAll(TrainerFlags.validate(split.trainer(), own, TrainerRun.RESERVED_KEYS,
                "evaluate sets this key itself"));
        ReplayOptions replay;
        try {
            replay = ReplayMain.toOptions(cl);
        } catch (UsageException e) {
            throw e.getMessage().startsWith("no FILE given")
                    ? new UsageException("no FILE given: which log should be evaluated?") : e;
        }
        Path catalog = cl.get(CATALOG);
        if (catalog != null && !replay.catalog()) {
            throw new UsageException("--catalog and --no-catalog contradict each other");
        }
        return new Parsed(new EvaluateOptions(cl.get(PROTOCOL), cl.get(PASSES), cl.get(PASS_ORDER), cl.get(SPLIT),
                cl.get(SEED), cl.get(WINDOWS), cl.get(OUT), parallelism, split.trainer(), cl.get(STALL_TIMEOUT),
                replay, catalog), cl.get(PROGRESS), warnings, cl);
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
        return read(replay, err, "evaluate");
    }

    /** {@link #read(ReplayOptions, PrintStream)}, its messages prefixed with {@code command}. */
    static List<InteractionEvent> read(ReplayOptions replay, PrintStream err, String command) {
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
                err.println(command + ": " + message);
            }

            @Override
            public void onBadRecord(BadRecord record) {
                if (++bad[0] <= 5) {
                    err.println(command + ": skipped " + record);
                }
            }
        };
        ReplaySummary summary = new Replayer(replay, listener, collecting).run();
        err.println(String.format(Locale.ROOT, "%s: read %,d events from %s (%,d bad lines skipped%s) in %.1f s",
                command, events.size(), replay.file(), summary.bad(),
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
            // cold-items has no popularity baseline (withheld items have no events): its baseline is a random order.
            JsonNode p = s.has("random") ? s.path("random") : s.path("popularity");
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
            if (s.has("random")) {
                out.println(String.format(Locale.ROOT, "%-12s %-9s %9s   (the baseline column is a random order of the "
                        + "withheld items)", protocol, "", ""));
                JsonNode all = s.path("model_all_items");
                all.fieldNames().forEachRemaining(k -> out.println(String.format(Locale.ROOT,
                        "%-12s %-9s %9.4f   (among all items, the user's training items excluded)", protocol,
                        k.replace("top_", "top-"), all.path(k).asDouble())));
                JsonNode allRanked = s.path("model_ranked_all_items");
                allRanked.fieldNames().forEachRemaining(k -> out.println(String.format(Locale.ROOT,
                        "%-12s %-9s %9.4f   (among all items, re-ranked by the ranker)", protocol,
                        k.replace("top_", "top-"), allRanked.path(k).asDouble())));
            }
            JsonNode served = s.path("model_as_served");
            if (!served.isMissingNode() && s.path("coverage").path("test_pairs_without_user_vector").asLong() > 0) {
                JsonNode sx = s.path("model_as_served_excluding_seen");
                served.fieldNames().forEachRemaining(k -> out.println(String.format(Locale.ROOT,
                        "%-12s %-9s %9.4f %11s %7s   %19.4f   (as served: popular items for users without a vector)",
                        protocol, k.replace("top_", "top-"), served.path(k).asDouble(), "", "",
                        sx.path(k).asDouble())));
            }            printRanked(out, s, protocol);
        }
        out.println();
    }

    /** The ranking stage's lines: re-ranked next to retrieval-only, and the rating error. */
    private static void printRanked(PrintStream out, JsonNode s, String protocol) {
        JsonNode ranked = s.path("model_ranked");
        if (ranked.isMissingNode()) {
            return;
        }
        if (ranked.has("ranked")) { // prequential: over the events that were ranker examples
            JsonNode before = ranked.path("retrieval");
            JsonNode after = ranked.path("ranked");
            for (String k : List.of("hr_10", "ndcg_10")) {
                double b = before.path(k).asDouble();
                double a = after.path(k).asDouble();
                out.println(String.format(Locale.ROOT, "%-12s %-9s %9.4f %11.4f %7s   (re-ranked by the ranker, "
                        + "against retrieval alone, over %,d examples' top %d)", protocol,
                        k.replace("hr_", "HR@").replace("ndcg_", "NDCG@"), a, b,
                        b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "-", ranked.path("events").asLong(),
                        ranked.path("candidates").asInt()));
            }
            return;
        }
        JsonNode m = s.path("model");
        JsonNode rx = s.path("model_ranked_excluding_seen");
        JsonNode mx = s.path("model_excluding_seen");
        ranked.fieldNames().forEachRemaining(k -> out.println(String.format(Locale.ROOT,
                "%-12s %-9s %9.4f %11.4f %7s   %19.4f %11.4f   (re-ranked by the ranker, against retrieval alone)",
                protocol, k.replace("top_", "top-"), ranked.path(k).asDouble(), m.path(k).asDouble(),
                m.path(k).asDouble() > 0 ? String.format(Locale.ROOT, "%.2fx", ranked.path(k).asDouble()
                        / m.path(k).asDouble()) : "-", rx.path(k).asDouble(), mx.path(k).asDouble())));
        JsonNode r = s.path("ranker");
        if (r.has("rmse")) {
            out.println(String.format(Locale.ROOT, "%-12s %-9s %9.4f   (MAE %.4f; the ranker's predicted ratings of %,d "
                    + "rated test pairs)", protocol, "RMSE", r.path("rmse").asDouble(), r.path("mae").asDouble(),
                    r.path("rated_test_pairs").asLong()));
        }
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
