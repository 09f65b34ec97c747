package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.ParsedArgs;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.local.replay.ItemColumnOptions;
import io.streamrec.local.replay.ReplayException;
import io.streamrec.local.replay.ReplayMain;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code streamrec tune}: finds trainer settings for a log. A bounded search ({@link Tuner}, successive halving)
 * over the model's main hyperparameters, each trial a run of the evaluation protocol on the reference simulator
 * ({@link SimulatedRun}: the job's learning code, in process, seconds per run). With the seeds' or the temporal
 * protocol the trials train on part of the training split and are scored on the rest (a validation split), and the
 * winner and the defaults are then scored once on the held-out test split; prequentially the score is the stream's
 * own (every event is predicted before it is learned). Writes {@code best.properties} (the winner's keys, for
 * {@code --trainer.config} and the job's {@code --config}), {@code trials.json} and {@code report.html}.
 */
public final class TuneMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Option<String> METRIC = Option.named("--metric", ValueTypes.STRING).label("M")
            .description("what to maximize: top_1, top_10, top_50, top_100 (seed, temporal: the user's training items "
                    + "excluded) or hr_10, hr_100 (prequential); default top_10 or hr_10").build();
    static final Option<Duration> BUDGET = Option.named("--budget", ValueTypes.DURATION)
            .defaultValue(Duration.ofMinutes(30)).check(d -> !d.isZero() && !d.isNegative(), "must be positive")
            .description("no trial starts after this long (the search then ends with the best so far)").build();
    static final Option<Integer> CONFIGS = Option.named("--configs", ValueTypes.INTEGER).defaultValue(24)
            .check(v -> v >= 2, "must be at least 2")
            .description("configurations tried at the first rung (the defaults and random draws)").build();
    static final Option<Integer> THREADS = Option.named("--threads", ValueTypes.INTEGER)
            .defaultValue(Runtime.getRuntime().availableProcessors()).defaultText("the cores")
            .check(v -> v >= 1, "must be at least 1").description("trials run at once").build();
    static final Option<Path> TUNE_OUT = Option.named("--out", ValueTypes.PATH).defaultValue(defaultOut())
            .defaultText(".streamrec/tune").label("DIR")
            .description("where best.properties, trials.json and report.html go").build();

    /** The share of the training data at each rung: a quarter, a half, all of it. */
    static final List<Double> FRACTIONS = List.of(0.25, 0.5, 1.0);
    /** Each rung keeps the best third. */
    static final int KEEP = 3;

    static final CliCommand COMMAND = CliCommand.builder("tune",
                    "streamrec tune [options] FILE [options for reading FILE]")
            .description("Finds trainer settings for a log: successive halving over learning rates, negatives, "
                    + "history weight and decay, L2, the popularity prior, feature weight and dim, each trial the "
                    + "evaluation protocol on the in-process simulator of the trainer. Writes best.properties, "
                    + "trials.json and report.html.")
            .positionals("FILE")
            .section("Search")
            .options(METRIC, BUDGET, CONFIGS, THREADS, TUNE_OUT)
            .section("Protocol (as evaluate's)")
            .options(EvaluateMain.PROTOCOL, EvaluateMain.PASSES, EvaluateMain.PASS_ORDER, EvaluateMain.SPLIT,
                    EvaluateMain.SEED)
            .section("Catalog")
            .options(EvaluateMain.CATALOG, ReplayMain.NO_CATALOG)
            .section("Reading FILE (as ./streamrec replay reads it; events are always put in timestamp order)")
            .options(ReplayMain.READING)
            .options(ItemColumnOptions.ALL)
            .options(ReplayMain.FROM, ReplayMain.TO, ReplayMain.LIMIT, ReplayMain.SORT, ReplayMain.NO_SORT)
            .epilogue("Protocols: prequential (default) or seed or temporal. Settings given as --trainer.KEY VALUE (or "
                    + "--trainer.config FILE)\nare fixed in every trial and left out of the search.")
            .epilogue("The simulator's numbers track the real trainer's but are not the same: confirm the winner with\n"
                    + "  ./streamrec evaluate FILE --trainer.config DIR/best.properties")
            .epilogue("Examples:\n"
                    + "  ./streamrec tune ../shared/data/ml-100k/u.data --protocol seed --budget 10m\n"
                    + "  ./streamrec tune ../shared/data/completejourney/transactions_sample.csv --preset "
                    + "completejourney \\\n      --catalog ../shared/data/completejourney/products.csv --protocol seed "
                    + "--metric top_100")
            .build();

    private TuneMain() {}

    private static Path defaultOut() {
        String home = System.getProperty("user.home");
        return home != null ? Path.of(home, ".streamrec", "tune") : Path.of(".streamrec", "tune");
    }

    /** The search space: the model keys that matter most, minus those the user fixed. */
    static List<Tuner.Dimension> space(boolean catalog, Map<String, String> fixed) {
        List<Tuner.Dimension> all = new ArrayList<>(List.of(
                Tuner.Dimension.logUniform("model.learning-rate", 0.01, 0.2),
                Tuner.Dimension.logUniform("model.user-learning-rate", 0.02, 0.3),
                Tuner.Dimension.choice("model.negatives", "32", "64", "128"),
                Tuner.Dimension.uniform("model.query.history-weight", 0, 3),
                Tuner.Dimension.uniform("model.query.history-decay", 0.5, 1),
                Tuner.Dimension.choice("model.l2", "0", "0.000001", "0.00001", "0.0001"),
                Tuner.Dimension.uniform("model.popularity.prior", 0, 1),
                Tuner.Dimension.choice("model.dim", "32", "64")));
        if (catalog) {
            all.add(Tuner.Dimension.uniform("model.features.weight", 0.25, 2));
        }
        all.removeIf(d -> fixed.containsKey(d.key));
        return all;
    }

    /** What the tuning is run on and scored by. */
    record Setup(EvaluateOptions options, String metric, Duration budget, int configs, int threads, Path out) {}

    static Setup parse(String[] args) throws UsageException {
        EvaluateMain.Parsed parsed = EvaluateMain.parse(COMMAND, args);
        if (parsed == null) {
            return null;
        }
        EvaluateOptions o = parsed.options();
        if (o.protocols().size() != 1 || o.protocols().get(0) == Protocol.COLD_ITEMS) {
            throw new UsageException("--protocol: tune takes one of prequential, seed or temporal");
        }
        Protocol p = o.protocols().get(0);
        ParsedArgs cl = parsed.args();
        String metric = cl.has(METRIC) ? cl.get(METRIC).strip().toLowerCase(Locale.ROOT)
                : p == Protocol.PREQUENTIAL ? "hr_10" : "top_10";
        List<String> allowed = p == Protocol.PREQUENTIAL ? List.of("hr_10", "hr_100")
                : List.of("top_1", "top_10", "top_50", "top_100");
        if (!allowed.contains(metric)) {
            throw new UsageException("--metric: " + p.cliName() + " is scored by one of " + String.join(", ", allowed)
                    + ", got '" + cl.get(METRIC) + "'");
        }
        return new Setup(o, metric, cl.get(BUDGET), cl.get(CONFIGS), cl.get(THREADS), cl.get(TUNE_OUT));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Setup setup;
        try {
            setup = parse(args);
            if (setup == null) {
                out.print(COMMAND.usage());
                return 0;
            }
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
        }
        EvaluateOptions options = setup.options();
        List<InteractionEvent> events;
        List<CatalogRecord> catalog;
        try {
            events = EvaluateMain.read(options.replay(), err, "tune");
            catalog = EvaluateMain.catalog(options, err, "tune").records();
        } catch (ReplayException e) {
            err.println("tune: " + e.getMessage());
            return e.exitCode();
        }
        if (events.isEmpty()) {
            err.println("tune: no valid event in " + options.replay().file() + "; check --format and the column "
                    + "options");
            return ReplayException.NOTHING_PUBLISHED;
        }
        try {
            return tune(setup, events, catalog, out, err);
        } catch (Exception e) {
            err.println("tune: failed: " + e);
            return 1;
        }
    }

    /** The objective of a protocol: trials on the validation part (or the stream), and the final held-out test. */
    static final class Scoring {
        private final Protocol protocol;
        private final String metric;
        private final EvaluateOptions options;
        private final List<CatalogRecord> catalog;
        private final Map<String, String> fixed;
        private final List<InteractionEvent> events;
        private final Splits.Split outer;
        private final Splits.Split inner;

        Scoring(EvaluateOptions options, String metric, List<InteractionEvent> events, List<CatalogRecord> catalog) {
            this.protocol = options.protocols().get(0);
            this.metric = metric;
            this.options = options;
            this.catalog = catalog;
            this.fixed = options.trainer();
            this.events = events;
            if (protocol == Protocol.PREQUENTIAL) {
                outer = null;
                inner = null;
            } else {
                outer = split(events, options.seed());
                inner = split(outer.train(), options.seed() + 1);
            }
        }

        private Splits.Split split(List<InteractionEvent> e, long seed) {
            return protocol == Protocol.SEED ? Splits.random(e, options.split(), seed)
                    : Splits.temporal(e, options.split());
        }

        ModelParams params(Map<String, String> config) {
            ModelParams p = ModelParams.defaults();
            fixed.forEach((k, v) -> {
                if (k.startsWith("model.")) {
                    p.set(k, v);
                }
            });
            config.forEach(p::set);
            return p.validate();
        }

        /** A trial: the metric on the validation split (or the stream's prefix) at this share of the training. */
        double trial(Map<String, String> config, double fraction) {
            StreamingSimulator.Options sim = SimulatedRun.options();
            if (protocol == Protocol.PREQUENTIAL) {
                List<InteractionEvent> prefix = events.subList(0, (int) Math.ceil(events.size() * fraction));
                return SimulatedRun.prequential(prefix, catalog, params(config), sim).get(metric);
            }
            List<InteractionEvent> fit = fraction >= 1 ? inner.train()
                    : Splits.random(inner.train(), fraction, options.seed() + 2).train();
            return scoreOn(fit, inner.test(), config, sim);
        }

        /** The winner's or the defaults' metric on the held-out test split (trained on all of the training split). */
        double test(Map<String, String> config) {
            if (protocol == Protocol.PREQUENTIAL) {
                return trial(config, 1.0);
            }
            return scoreOn(outer.train(), outer.test(), config, SimulatedRun.options());
        }

        private double scoreOn(List<InteractionEvent> train, List<InteractionEvent> test, Map<String, String> config,
                               StreamingSimulator.Options sim) {
            List<InteractionEvent> stream = Splits.passes(train, options.passes(),
                    options.passOrder().shuffles(protocol), options.seed());
            return SimulatedRun.split(stream, train, test, catalog, params(config), sim).get(metric);
        }

        boolean heldOut() {
            return protocol != Protocol.PREQUENTIAL;
        }
    }

    static int tune(Setup setup, List<InteractionEvent> events, List<CatalogRecord> catalog, PrintStream out,
                    PrintStream err) throws Exception {
        EvaluateOptions options = setup.options();
        Protocol protocol = options.protocols().get(0);
        Scoring scoring = new Scoring(options, setup.metric(), events, catalog);
        scoring.params(Map.of()); // the fixed keys are valid before anything runs
        options.trainer().keySet().stream().filter(k -> !k.startsWith("model.")).sorted().forEach(k -> err.println(
                "tune: --trainer." + k + " is not a model key: the simulator does not use it, and best.properties "
                        + "leaves it out"));
        List<Tuner.Dimension> space = space(!catalog.isEmpty(), options.trainer());
        List<Map<String, String>> configs = Tuner.sample(space, setup.configs(), options.seed());
        err.printf(Locale.ROOT, "tune: %s protocol, metric %s, %d configurations x %s of the training data, "
                        + "keeping the best third per rung; %d threads, budget %d s%n", protocol.cliName(),
                setup.metric(), configs.size(), FRACTIONS, setup.threads(), setup.budget().toSeconds());
        long start = System.nanoTime();
        Tuner tuner = new Tuner(FRACTIONS, KEEP, setup.threads(), setup.budget());
        double[] best = {Double.NEGATIVE_INFINITY};
        Tuner.Result result = tuner.run(configs, scoring::trial, (t, rung, rungs, done, inRung) -> {
            best[0] = t.rung() == rung && done == 1 ? t.score() : Math.max(best[0], t.score());
            err.printf(Locale.ROOT, "tune: rung %d/%d (%.0f%% of training) %2d/%d  config %2d  %s %.4f  "
                            + "(rung best %.4f, %.0f s, %.0f s elapsed)%s%n", rung + 1, rungs, t.fraction() * 100,
                    done, inRung, t.config(), setup.metric(), t.score(), best[0], t.seconds(),
                    (System.nanoTime() - start) / 1e9, t.config() == 0 ? "  [defaults]" : "");
        });
        double bestValidation = result.finalScore(result.best());
        double defaultsValidation = result.finalScore(0);
        double bestTest = Double.NaN;
        double defaultsTest = Double.NaN;
        if (scoring.heldOut()) {
            err.println("tune: scoring the winner and the defaults on the held-out test split ...");
            bestTest = scoring.test(result.bestSettings());
            defaultsTest = result.best() == 0 ? bestTest : scoring.test(Map.of());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Files.createDirectories(setup.out());
        Map<String, String> winner = new LinkedHashMap<>();
        options.trainer().forEach((k, v) -> {
            if (k.startsWith("model.")) {
                winner.put(k, v);
            }
        });
        winner.putAll(result.bestSettings());
        Path props = setup.out().resolve("best.properties");
        Files.writeString(props, properties(setup, winner, result, bestValidation, defaultsValidation, bestTest,
                defaultsTest), StandardCharsets.UTF_8);
        ObjectNode report = report(setup, space, result, winner, bestValidation, defaultsValidation, bestTest,
                defaultsTest, elapsed, events.size());
        Files.writeString(setup.out().resolve("trials.json"), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(report), StandardCharsets.UTF_8);
        Path html = setup.out().resolve("report.html");
        Files.writeString(html, TuneReport.html(report), StandardCharsets.UTF_8);

        out.println();
        out.printf(Locale.ROOT, "%s protocol, %s on %s%s:%n", protocol.cliName(), setup.metric(),
                scoring.heldOut() ? "the validation split" : "the stream",
                result.best() == 0 ? " (the defaults won)" : "");
        out.printf(Locale.ROOT, "  best config %d  %.4f%n  defaults       %.4f%n", result.best(), bestValidation,
                defaultsValidation);
        if (scoring.heldOut()) {
            out.printf(Locale.ROOT, "held-out test split: %s%n  best config %d  %.4f%n  defaults       %.4f%n",
                    setup.metric(), result.best(), bestTest, defaultsTest);
        }
        if (result.budgetSpent()) {
            out.printf(Locale.ROOT, "(the budget of %d s ended the search at rung %d of %d)%n",
                    setup.budget().toSeconds(),
                    result.lastRung() + 1, FRACTIONS.size());
        }
        out.println("settings: " + (winner.isEmpty() ? "(the defaults)" : winner));
        out.println("written:  " + props.toAbsolutePath().normalize());
        out.println("          " + html.toAbsolutePath().normalize());
        out.println("use:      ./streamrec evaluate FILE --trainer.config " + props + "   (confirm on the real trainer)");
        out.println("          ./streamrec demo --trainer.config " + props);
        out.println("          ./streamrec cluster submit --config " + props);
        return 0;
    }

    private static String properties(Setup setup, Map<String, String> winner, Tuner.Result result, double bestV,
                                     double defaultsV, double bestT, double defaultsT) {
        StringBuilder b = new StringBuilder();
        EvaluateOptions o = setup.options();
        b.append("# streamrec tune ").append(o.replay().file()).append(", ").append(Instant.now()).append('\n');
        b.append(String.format(Locale.ROOT, "# %s protocol, %s: this %.4f, the defaults %.4f (%s)%n",
                o.protocols().get(0).cliName(), setup.metric(), bestV, defaultsV,
                o.protocols().get(0) == Protocol.PREQUENTIAL ? "the stream" : "validation split"));
        if (!Double.isNaN(bestT)) {
            b.append(String.format(Locale.ROOT, "# held-out test split: this %.4f, the defaults %.4f%n", bestT,
                    defaultsT));
        }
        b.append("# ").append(result.best() == 0 ? "the defaults won; " : "").append("use with ./streamrec evaluate|demo "
                + "--trainer.config FILE, or ./streamrec cluster submit --config FILE\n");
        winner.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    private static ObjectNode report(Setup setup, List<Tuner.Dimension> space, Tuner.Result result,
                                     Map<String, String> winner, double bestV, double defaultsV, double bestT,
                                     double defaultsT, double elapsed, int events) {
        EvaluateOptions o = setup.options();
        ObjectNode r = JSON.createObjectNode();
        r.put("log", o.replay().file().toString());
        r.put("events", events);
        r.put("protocol", o.protocols().get(0).cliName());
        r.put("metric", setup.metric());
        r.put("budget_s", setup.budget().toSeconds());
        r.put("elapsed_s", Math.round(elapsed * 10) / 10.0);
        r.put("budget_spent", result.budgetSpent());
        ArrayNode fr = r.putArray("fractions");
        FRACTIONS.forEach(fr::add);
        ArrayNode sp = r.putArray("space");
        space.forEach(d -> sp.add(d.toString()));
        ObjectNode fixed = r.putObject("fixed");
        o.trainer().forEach(fixed::put);
        ArrayNode trials = r.putArray("trials");
        for (Tuner.Trial t : result.trials()) {
            ObjectNode n = trials.addObject();
            n.put("config", t.config());
            n.put("rung", t.rung());
            n.put("fraction", t.fraction());
            n.put(setup.metric(), t.score());
            n.put("seconds", Math.round(t.seconds() * 10) / 10.0);
            ObjectNode s = n.putObject("settings");
            t.settings().forEach(s::put);
        }
        ObjectNode b = r.putObject("best");
        b.put("config", result.best());
        ObjectNode bs = b.putObject("settings");
        winner.forEach(bs::put);
        b.put("validation", bestV);
        putNumber(b, "test", bestT);
        ObjectNode d = r.putObject("defaults");
        d.put("validation", defaultsV);
        putNumber(d, "test", defaultsT);
        return r;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    /** Reads a tune report back (for tests). */
    static ObjectNode readReport(Path dir) throws IOException {
        return (ObjectNode) JSON.readTree(dir.resolve("trials.json").toFile());
    }
}
