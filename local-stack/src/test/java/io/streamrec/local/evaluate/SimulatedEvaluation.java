package io.streamrec.local.evaluate;

import io.streamrec.job.model.HitRateAccumulator;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.job.model.UserState;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.schema.features.Featurizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fast stand-in for {@code ./streamrec evaluate} when tuning: the same log readers, catalog and splits, but the
 * single-threaded reference simulator ({@link StreamingSimulator}, the job's learning without Flink or Kafka)
 * instead of the real job, so a run takes seconds. Its numbers track the job's closely but not exactly (the job's
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
        StreamingSimulator.Options sim = new StreamingSimulator.Options().refreshEvery(5000).bundleEvents(1024);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            switch (e.getKey()) {
                case "sim.refresh-every": sim.refreshEvery = Integer.parseInt(e.getValue()); break;
                case "sim.bundle-events": sim.bundleEvents = Integer.parseInt(e.getValue()); break;
                default: params.set(e.getKey(), e.getValue());
            }
        }
        switch (protocol) {
            case PREQUENTIAL: {
                StreamingSimulator s = simulator(params, sim.evaluate(true), catalog);
                StreamingSimulator.Result r = s.run(Splits.byTime(events));
                return String.format(Locale.ROOT, "HR@10 %.4f HR@100 %.4f | popularity %.4f %.4f",
                        r.model.hitRate(10), r.model.hitRate(100), r.popularity.hitRate(10),
                        r.popularity.hitRate(100));
            }
            case COLD_ITEMS:
                return coldItems(options, events, catalog, params, sim.evaluate(false));
            default:
                return seed(protocol, options, events, catalog, params, sim.evaluate(false));
        }
    }

    private static StreamingSimulator simulator(ModelParams params, StreamingSimulator.Options o,
                                                List<CatalogRecord> catalog) {
        StreamingSimulator s = new StreamingSimulator(params, o);
        Featurizer f = new Featurizer(s.learner().params().featureSpec());
        for (CatalogRecord r : catalog) {
            if (r.available()) {
                s.catalog(r.itemId(), f.features(r));
            }
        }
        return s;
    }

    private static String seed(Protocol protocol, EvaluateOptions options, List<InteractionEvent> events,
                               List<CatalogRecord> catalog, ModelParams params, StreamingSimulator.Options o) {
        Splits.Split split = protocol == Protocol.SEED ? Splits.random(events, options.split(), options.seed())
                : Splits.temporal(events, options.split());
        List<InteractionEvent> stream = Splits.passes(split.train(), options.passes(),
                options.passOrder().shuffles(protocol), options.seed());
        StreamingSimulator s = simulator(params, o, catalog);
        s.run(stream);
        s.sync();
        Map<String, Set<String>> seen = new HashMap<>();
        split.train().forEach(e -> seen.computeIfAbsent(e.userId, u -> new HashSet<>()).add(e.itemId));
        HitRateAccumulator model = rank(s, split.test(), seen, null);
        return String.format(Locale.ROOT, "excluding seen: top-10 %.4f top-100 %.4f", model.hitRate(10),
                model.hitRate(100));
    }

    private static String coldItems(EvaluateOptions options, List<InteractionEvent> events,
                                    List<CatalogRecord> catalog, ModelParams params, StreamingSimulator.Options o) {
        List<String> items = new ArrayList<>(new TreeSet<>(events.stream().map(e -> e.itemId).toList()));
        Collections.shuffle(items, new Random(options.seed()));
        Set<String> withheld = new HashSet<>(items.subList(0, Math.max(1, (int) Math.round(items.size() * 0.1))));
        List<InteractionEvent> train = new ArrayList<>();
        List<InteractionEvent> test = new ArrayList<>();
        for (InteractionEvent e : events) {
            (withheld.contains(e.itemId) ? test : train).add(e);
        }
        StreamingSimulator s = simulator(params, o, catalog);
        s.run(Splits.passes(train, options.passes(), options.passOrder().shuffles(Protocol.COLD_ITEMS),
                options.seed()));
        s.sync();
        HitRateAccumulator among = rank(s, test, Map.of(), withheld);
        return String.format(Locale.ROOT, "among withheld: top-1 %.4f top-10 %.4f top-50 %.4f (%d withheld)",
                among.hitRate(1), among.hitRate(10), among.hitRate(50), withheld.size());
    }

    /**
     * Ranks each test event's item for its user (query as serving forms it, in the event's context) among every item
     * the simulator published, or only among {@code only} when given; {@code exclude} per user.
     */
    private static HitRateAccumulator rank(StreamingSimulator s, List<InteractionEvent> test,
                                           Map<String, Set<String>> exclude, Set<String> only) {
        Learner l = s.learner();
        ItemVectorCache all = s.cache(0);
        HitRateAccumulator acc = new HitRateAccumulator(1, 10, 50, 100);
        Set<String> notCandidates = new HashSet<>();
        if (only != null) {
            for (String id : all.idsByRecency()) {
                if (!only.contains(id)) {
                    notCandidates.add(id);
                }
            }
        }
        for (InteractionEvent e : test) {
            UserState u = s.users().get(e.userId);
            if (u == null || !all.contains(e.itemId)) {
                acc.record(-1);
                continue;
            }
            Set<String> ex = new HashSet<>(exclude.getOrDefault(e.userId, Set.of()));
            ex.addAll(notCandidates);
            ex.remove(e.itemId);
            float[] q = l.queryVector(u, all, l.contextOf(e.timestamp, e.properties));
            acc.record(all.rankOf(q, e.itemId, ex, 100));
        }
        return acc;
    }
}
