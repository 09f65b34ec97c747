package io.streamrec.job.model.tuning;

import io.streamrec.job.model.HitRateAccumulator;
import io.streamrec.job.model.ItemState;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.MovieLens100k;
import io.streamrec.job.model.PopularityTracker;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.job.model.UserState;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.Featurizer;
import io.streamrec.schema.features.ItemFeatures;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The TFRS tutorials' protocol (seed 001) with the streaming model: a random 80/20 split of MovieLens 100K with a
 * fixed seed, three passes over the training events through the same {@link StreamingSimulator} (metrics off),
 * then, for each test (user, item), top-K categorical accuracy over all 1,682 movies, with no exclusion of seen
 * items; most-popular (counts over the training set) side by side.
 *
 * <p>Usage (worktree root, after test-compile): {@code java -cp <as TuneMovieLens> \
 * io.streamrec.job.model.tuning.SeedsProtocol [--data DIR] [--order time|shuffled] [--passes 3] [key=value ...]}
 */
public final class SeedsProtocol {
    private SeedsProtocol() {}

    public static void main(String[] args) {
        Path data = Paths.get("../shared/data");
        String order = "time";
        int passes = 3;
        boolean catalog = false;
        ModelParams params = ModelParams.defaults();
        StreamingSimulator.Options options = new StreamingSimulator.Options().evaluate(false);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data": data = Paths.get(args[++i]); break;
                case "--order": order = args[++i]; break;
                case "--passes": passes = Integer.parseInt(args[++i]); break;
                case "--catalog": catalog = true; break;
                default:
                    String[] kv = args[i].split("=", 2);
                    switch (kv[0]) {
                        case "sim.parallelism": options.parallelism = Integer.parseInt(kv[1]); break;
                        case "sim.refresh-every": options.refreshEvery = Integer.parseInt(kv[1]); break;
                        case "sim.bundle-events": options.bundleEvents = Integer.parseInt(kv[1]); break;
                        default: params.set(kv[0], kv[1]);
                    }
            }
        }
        List<InteractionEvent> all = MovieLens100k.load(data.resolve("ml-100k").resolve("u.data"));
        long t0 = System.nanoTime();
        Map<String, CatalogRecord> items = catalog
                ? MovieLens100k.loadCatalog(data.resolve("ml-100k").resolve("u.item")) : Map.of();
        HitRateAccumulator[] r = run(all, items, params, options, order, passes);
        System.out.printf("seeds protocol (%s, %d passes, %.0f s, catalog %s) %s%n  model      %s%n  popularity %s%n"
                        + "  model, training items excluded      %s%n  popularity, training items excluded %s%n",
                order, passes, (System.nanoTime() - t0) / 1e9, catalog, params.toMap(), r[0], r[1], r[2], r[3]);
    }

    /** Returns {model, popularity} accuracies at K = 1, 5, 10, 50, 100 (no exclusion). */
    public static HitRateAccumulator[] run(List<InteractionEvent> all, ModelParams params,
                                           StreamingSimulator.Options options, String order, int passes) {
        return run(all, Map.of(), params, options, order, passes);
    }

    /**
     * Returns {model, popularity, model excluding the user's training items, popularity excluding them} accuracies at
     * K = 1, 5, 10, 50, 100, with the catalog's items registered before training.
     */
    public static HitRateAccumulator[] run(List<InteractionEvent> all, Map<String, CatalogRecord> catalog,
                                           ModelParams params, StreamingSimulator.Options options, String order,
                                           int passes) {
        List<InteractionEvent> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(42));
        List<InteractionEvent> train = new ArrayList<>(shuffled.subList(0, 80_000));
        List<InteractionEvent> test = shuffled.subList(80_000, 100_000);
        if (order.equals("time")) {
            train.sort(Comparator.comparingLong(e -> e.timestamp));
        }
        StreamingSimulator sim = new StreamingSimulator(params, options);
        Featurizer featurizer = new Featurizer(sim.learner().params().featureSpec());
        Map<String, ItemFeatures> features = new HashMap<>();
        catalog.forEach((id, rec) -> {
            features.put(id, featurizer.features(rec));
            sim.catalog(id, features.get(id));
        });
        Random passShuffle = new Random(7);
        for (int p = 0; p < passes; p++) {
            if (order.equals("shuffled")) {
                Collections.shuffle(train, passShuffle);
            }
            sim.run(train);
        }
        sim.sync();

        // Every movie is a candidate (as in TFRS, whose candidate set is the full movie catalogue); one never
        // trained on keeps its initial vector.
        Learner learner = sim.learner();
        Set<String> catalogue = new LinkedHashSet<>();
        all.forEach(e -> catalogue.add(e.itemId));
        catalogue.addAll(catalog.keySet());
        ItemVectorCache candidates = new ItemVectorCache(catalogue.size(), learner.vectorLength());
        sim.items().forEach((key, s) -> {
            if (FeatureKeys.isFeature(key)) {
                candidates.putFeature(key, learner.servingItemVector(s));
            }
        });
        for (String id : catalogue) {
            ItemState s = sim.items().get(id);
            candidates.putItem(id, s != null ? learner.servingItemVector(s) : learner.initialItemVector(id),
                    features.getOrDefault(id, ItemFeatures.NONE));
        }
        Map<String, Set<String>> seen = new HashMap<>();
        train.forEach(e -> seen.computeIfAbsent(e.userId, x -> new HashSet<>()).add(e.itemId));
        PopularityTracker popularity = new PopularityTracker(catalogue.size(), 0);
        train.forEach(e -> popularity.add(e.itemId, e.timestamp, 1.0));

        HitRateAccumulator model = new HitRateAccumulator(1, 5, 10, 50, 100);
        HitRateAccumulator pop = new HitRateAccumulator(1, 5, 10, 50, 100);
        HitRateAccumulator modelEx = new HitRateAccumulator(1, 5, 10, 50, 100);
        HitRateAccumulator popEx = new HitRateAccumulator(1, 5, 10, 50, 100);
        for (InteractionEvent e : test) {
            UserState u = sim.users().get(e.userId);
            if (u == null) {
                u = learner.newUser(e.userId);
            }
            float[] q = learner.queryVector(u, candidates, learner.contextOf(e.timestamp, e.properties));
            Set<String> ex = seen.getOrDefault(e.userId, Set.of());
            model.record(candidates.rankOf(q, e.itemId, Set.of(), 100));
            pop.record(popularity.rankOf(e.itemId, Set.of(), 100));
            modelEx.record(candidates.rankOf(q, e.itemId, ex, 100));
            popEx.record(popularity.rankOf(e.itemId, ex, 100));
        }
        return new HitRateAccumulator[] {model, pop, modelEx, popEx};
    }
}
