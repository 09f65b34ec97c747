package io.streamrec.local.evaluate;

import io.streamrec.job.model.HitRateAccumulator;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.job.model.UserState;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.schema.features.Featurizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation protocols on the reference simulator ({@link StreamingSimulator}: the job's learning code without
 * Flink or Kafka, in one thread) instead of the real job: seconds per run instead of minutes, which is what
 * {@code tune} needs to try dozens of configurations. The simulator publishes item snapshots every
 * {@link #REFRESH_EVERY} events and sums gradients in bundles of {@link #BUNDLE_EVENTS}, close to what the paced job
 * does; its numbers track the job's (BENCHMARKS.md) but are not the job's, so a chosen setting is confirmed with
 * {@code evaluate}. Rankings use the same item cache and query code as the job's live metric, popularity prior
 * included. Thread-safe (no shared state): runs may go in parallel.
 */
public final class SimulatedRun {
    /** Events between item snapshots the simulated UserTowers read. */
    static final int REFRESH_EVERY = 5_000;
    /** Events per gradient bundle. */
    static final int BUNDLE_EVENTS = 1_024;

    private SimulatedRun() {}

    /** The simulator's settings for evaluation runs. */
    public static StreamingSimulator.Options options() {
        return new StreamingSimulator.Options().refreshEvery(REFRESH_EVERY).bundleEvents(BUNDLE_EVENTS);
    }

    /**
     * Trains on {@code train} (its passes already laid out) and ranks each {@code test} event's item for its user
     * among all published items, the user's training items excluded (the target never): hit rates {@code top_1},
     * {@code top_10}, {@code top_50}, {@code top_100}, as evaluate's {@code model_excluding_seen}.
     */
    public static Map<String, Double> split(List<InteractionEvent> trainStream, List<InteractionEvent> train,
                                            List<InteractionEvent> test, List<CatalogRecord> catalog,
                                            ModelParams params, StreamingSimulator.Options sim) {
        StreamingSimulator s = simulator(params, sim.evaluate(false), catalog);
        s.run(trainStream);
        s.sync();
        Map<String, Set<String>> seen = new HashMap<>();
        train.forEach(e -> seen.computeIfAbsent(e.userId, u -> new HashSet<>()).add(e.itemId));
        return topK(rank(s, test, seen, null));
    }

    /** Prequential over {@code events} in time order: {@code hr_10}, {@code hr_100} (and popularity's). */
    public static Map<String, Double> prequential(List<InteractionEvent> events, List<CatalogRecord> catalog,
                                                  ModelParams params, StreamingSimulator.Options sim) {
        StreamingSimulator s = simulator(params, sim.evaluate(true), catalog);
        StreamingSimulator.Result r = s.run(Splits.byTime(events));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("hr_10", r.model.hitRate(10));
        m.put("hr_100", r.model.hitRate(100));
        m.put("popularity_hr_10", r.popularity.hitRate(10));
        m.put("popularity_hr_100", r.popularity.hitRate(100));
        return m;
    }

    /**
     * The cold-items protocol: a seeded 10% of the items withheld from training, each of their events ranked among
     * the withheld items only: {@code top_1}, {@code top_10}, {@code top_50}, and {@code withheld}.
     */
    public static Map<String, Double> coldItems(List<InteractionEvent> events, int passes, boolean shuffle, long seed,
                                                List<CatalogRecord> catalog, ModelParams params,
                                                StreamingSimulator.Options sim) {
        Splits.ColdSplit split = Splits.coldItems(events, Evaluation.COLD_SHARE, seed);
        Set<String> withheld = new HashSet<>(split.withheld());
        StreamingSimulator s = simulator(params, sim.evaluate(false), catalog);
        s.run(Splits.passes(split.train(), passes, shuffle, seed));
        s.sync();
        Map<String, Double> m = topK(rank(s, split.test(), Map.of(), withheld));
        m.remove("top_100");
        m.put("withheld", (double) withheld.size());
        return m;
    }

    private static Map<String, Double> topK(HitRateAccumulator acc) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k : new int[] {1, 10, 50, 100}) {
            m.put("top_" + k, acc.hitRate(k));
        }
        return m;
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

    /**
     * Ranks each test event's item for its user (the query as serving forms it, in the event's context) among every
     * item the simulator published, or only among {@code only} when given; {@code exclude} per user.
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
