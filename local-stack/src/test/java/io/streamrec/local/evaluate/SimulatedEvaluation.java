package io.streamrec.local.evaluate;

import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fast stand-in for {@code ./streamrec evaluate} when exploring by hand: the same log readers, catalog and
 * splits, but the single-threaded reference simulator ({@link SimulatedRun}, the job's learning without Flink or
 * Kafka) instead of the real job, so a run takes seconds; a grid of settings in one call. {@code ./streamrec tune}
 * is the product's search over the same runs. Its numbers track the job's closely but not exactly (the job's
 * staleness depends on its speed); confirm a chosen setting with the real command.
 *
 * <p>Usage (after {@code ./mvnw -q -B -pl local-stack -am test-compile}, with the classpath of
 * {@code local-stack/run-benchmark.sh}): {@code java -cp ... io.streamrec.local.evaluate.SimulatedEvaluation
 * [evaluate options: FILE, --preset, --catalog, --protocol seed|cold-items|prequential, --passes] [--threads N]
 * [key=value | key=v1;v2;v3 (swept) ...]}. Keys are {@code model.*} or {@code sim.refresh-every},
 * {@code sim.bundle-events}.
 */
public final class SimulatedEvaluation {
    private SimulatedEvaluation() {}

    public static void main(String[] args) throws Exception {
        List<String> evaluateArgs = new ArrayList<>();
        Map<String, List<String>> grid = new LinkedHashMap<>();
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) {
                threads = Integer.parseInt(args[++i]);
            } else if (!args[i].startsWith("-") && args[i].contains("=") && !args[i].contains("/")) {
                int eq = args[i].indexOf('=');
                grid.put(args[i].substring(0, eq), List.of(args[i].substring(eq + 1).split(";")));
            } else {
                evaluateArgs.add(args[i]);
            }
        }
        EvaluateOptions options = EvaluateMain.parse(evaluateArgs.toArray(String[]::new)).options();
        PrintStream err = System.err;
        List<InteractionEvent> events = EvaluateMain.read(options.replay(), err);
        List<CatalogRecord> catalog = EvaluateMain.catalog(options, err).records();
        err.printf(Locale.ROOT, "%,d events, catalog of %,d items%n", events.size(), catalog.size());
        List<Map<String, String>> runs = new ArrayList<>();
        runs.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> e : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> r : runs) {
                for (String v : e.getValue()) {
                    Map<String, String> m = new LinkedHashMap<>(r);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            runs = next;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (Map<String, String> run : runs) {
            futures.add(pool.submit(() -> {
                for (Protocol p : options.protocols()) {
                    long t0 = System.nanoTime();
                    String result = run(p, options, events, catalog, run);
                    System.out.printf(Locale.ROOT, "%-12s %s  (%.0f s) %s%n", p.cliName(), result,
                            (System.nanoTime() - t0) / 1e9, run);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    static String run(Protocol protocol, EvaluateOptions options, List<InteractionEvent> events,
                      List<CatalogRecord> catalog, Map<String, String> overrides) {
        ModelParams params = ModelParams.defaults();
        StreamingSimulator.Options sim = SimulatedRun.options();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            switch (e.getKey()) {
                case "sim.refresh-every": sim.refreshEvery = Integer.parseInt(e.getValue()); break;
                case "sim.bundle-events": sim.bundleEvents = Integer.parseInt(e.getValue()); break;
                default: params.set(e.getKey(), e.getValue());
            }
        }
        switch (protocol) {
            case PREQUENTIAL: {
                Map<String, Double> m = SimulatedRun.prequential(events, catalog, params, sim);
                return String.format(Locale.ROOT, "HR@10 %.4f HR@100 %.4f | popularity %.4f %.4f", m.get("hr_10"),
                        m.get("hr_100"), m.get("popularity_hr_10"), m.get("popularity_hr_100"));
            }
            case COLD_ITEMS: {
                Map<String, Double> m = SimulatedRun.coldItems(events, options.passes(),
                        options.passOrder().shuffles(Protocol.COLD_ITEMS), options.seed(), catalog, params, sim);
                return String.format(Locale.ROOT, "among withheld: top-1 %.4f top-10 %.4f top-50 %.4f (%.0f withheld)",
                        m.get("top_1"), m.get("top_10"), m.get("top_50"), m.get("withheld"));
            }
            default: {
                Splits.Split split = protocol == Protocol.SEED ? Splits.random(events, options.split(), options.seed())
                        : Splits.temporal(events, options.split());
                List<InteractionEvent> stream = Splits.passes(split.train(), options.passes(),
                        options.passOrder().shuffles(protocol), options.seed());
                Map<String, Double> m = SimulatedRun.split(stream, split.train(), split.test(), catalog, params, sim);
                return String.format(Locale.ROOT, "excluding seen: top-10 %.4f top-100 %.4f", m.get("top_10"),
                        m.get("top_100"));
            }
        }
    }
}
