package io.streamrec.job.model;

import io.streamrec.schema.features.InitialVectors;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A single-threaded reference run of the streaming algorithm: an ordered event list goes in; prequential metrics of
 * the model and of the most-popular baseline, side by side, come out, together with the learned state.
 *
 * <p>It does what the Flink job does, in one thread: users are split over {@code parallelism} UserTower
 * "subtasks" by a hash of the id, each with its own {@link ItemVectorCache}, {@link NegativeBuffer} and
 * {@link GradientBundle}; the ItemTower state is one map; the caches see item vectors only when a "snapshot" is
 * published, every {@code refreshEvery} events, which emulates the seconds of staleness of the real feedback loop;
 * gradient bundles are flushed to the ItemTower every {@code bundleEvents} events of their subtask. It is for tests
 * and tuning and for checking the job's numbers, not a production path (its maps are unbounded heap tables).
 *
 * <p>Protocol (honest prequential, test-then-train): each event is first scored, then learned from. The ranking
 * is over every item seen at least once before the event (including items not yet in a published snapshot, at
 * their initial vector, which is the cache-miss fallback), excluding the user's history; an item seen for the
 * first time counts as a miss. The baseline ranks by global counts so far (ties: first-tracked first), with the
 * same exclusions. Not thread-safe.
 */
public final class StreamingSimulator {

    /** How the run emulates the job's deployment. */
    public static final class Options {
        /** UserTower subtasks (each with its own cache, buffer, bundle). */
        public int parallelism = 2;
        /** Events between item snapshots reaching the caches (staleness of cached item vectors). */
        public int refreshEvery = 1000;
        /** Events a subtask bundles before its item gradients reach the ItemTower. */
        public int bundleEvents = 16;
        /** Whether to compute prequential metrics (turn off for training-only passes). */
        public boolean evaluate = true;
        /** Report progress every this many events to {@link #progress}; 0 for never. */
        public int reportEvery = 0;
        /** Receives (events so far, model metrics, baseline metrics); null for none. */
        public Progress progress;

        public Options parallelism(int v) { parallelism = v; return this; }
        public Options refreshEvery(int v) { refreshEvery = v; return this; }
        public Options bundleEvents(int v) { bundleEvents = v; return this; }
        public Options evaluate(boolean v) { evaluate = v; return this; }

        @Override
        public String toString() {
            return "parallelism=" + parallelism + " refreshEvery=" + refreshEvery + " bundleEvents=" + bundleEvents;
        }
    }

    /** Progress callback for long runs (curves over time). */
    public interface Progress {
        void report(long events, HitRateAccumulator model, HitRateAccumulator popularity);
    }

    /** What a run produced. */
    public static final class Result {
        public final HitRateAccumulator model;
        public final HitRateAccumulator popularity;
        public final double meanLoss;
        public final long events;
        /** Item gradient records that reached the ItemTower (after bundling). */
        public final long itemRecords;
        /** Item appearances before bundling (positives + unmasked negatives). */
        public final long itemAppearances;

        Result(HitRateAccumulator model, HitRateAccumulator popularity, double meanLoss, long events,
               long itemRecords, long itemAppearances) {
            this.model = model;
            this.popularity = popularity;
            this.meanLoss = meanLoss;
            this.events = events;
            this.itemRecords = itemRecords;
            this.itemAppearances = itemAppearances;
        }

        @Override
        public String toString() {
            return "model[" + model + "] popularity[" + popularity + "] loss=" + String.format("%.4f", meanLoss);
        }
    }

    /** Ranks at or beyond this are all misses for HR@100 and NDCG@10; the scan can stop there. */
    private static final int RANK_LIMIT = 100;

    private final Learner learner;
    private final ModelParams params;
    private final Options options;
    private final Map<String, UserState> users = new HashMap<>();
    private final Map<String, ItemState> items = new HashMap<>();
    private final ItemVectorCache[] caches;
    private final NegativeBuffer[] buffers;
    private final GradientBundle[] bundles;
    private final FeatureGradients[] featureGradients;
    /** The ItemTower's catalog: item -> features (items not in it have none). */
    private final Map<String, ItemFeatures> catalog = new HashMap<>();
    private final PopularityTracker popularity;
    /** Items whose ItemTower state changed since the last published snapshot. */
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Set<String> known = new LinkedHashSet<>();
    private long processed;
    private long itemRecords;
    private long itemAppearances;

    public StreamingSimulator(ModelParams params, Options options) {
        if (options.parallelism < 1 || options.refreshEvery < 1 || options.bundleEvents < 1) {
            throw new IllegalArgumentException("parallelism, refreshEvery, bundleEvents must be >= 1: " + options);
        }
        this.learner = new Learner(params);
        this.params = learner.params();
        this.options = options;
        int p = options.parallelism;
        caches = new ItemVectorCache[p];
        buffers = new NegativeBuffer[p];
        bundles = new GradientBundle[p];
        featureGradients = new FeatureGradients[p];
        for (int i = 0; i < p; i++) {
            featureGradients[i] = new FeatureGradients();
            caches[i] = new ItemVectorCache(this.params.cacheSize(), learner.vectorLength(),
                    this.params.featuresCacheSize());
            buffers[i] = new NegativeBuffer(this.params.negativeBufferSize(), this.params.logqSmoothing());
            bundles[i] = new GradientBundle();
        }
        // Global and large: the baseline should be the exact "most popular so far", not a per-subtask sample.
        popularity = new PopularityTracker(Math.max(this.params.popularityCapacity(), 1 << 20),
                this.params.popularityHalfLifeMs());
    }

    /** Runs the events in list order (sort by time first for a prequential run). May be called again to continue. */
    public Result run(List<InteractionEvent> events) {
        HitRateAccumulator modelHits = new HitRateAccumulator(10, 100);
        HitRateAccumulator popHits = new HitRateAccumulator(10, 100);
        double lossSum = 0;
        long lossCount = 0;
        long n = 0;
        for (InteractionEvent e : events) {
            int sub = subtaskOf(e.userId);
            UserState user = users.computeIfAbsent(e.userId, learner::newUser);
            boolean isNew = !known.contains(e.itemId);
            String[] context = learner.contextOf(e.timestamp, e.properties);
            if (options.evaluate) {
                Set<String> history = user.historySet();
                // An item never seen in an event is rankable once the catalog has published it (as in the job).
                boolean rankable = !isNew || caches[sub].contains(e.itemId);
                modelHits.record(rankable
                        ? learner.rankOf(user, e.itemId, caches[sub], history, RANK_LIMIT, context) : -1);
                popHits.record(isNew ? -1 : popularity.rankOf(e.itemId, history, RANK_LIMIT));
            }
            float weight = params.weightOf(e.type, e.value);
            StepResult step = learner.train(user, e.itemId, weight, caches[sub], buffers[sub],
                    new SplittableRandom(learner.eventSeed(e.userId, e.itemId, e.timestamp)), context);
            user.lastEventTime = e.timestamp;
            if (!step.itemGradients.isEmpty()) {
                lossSum += step.loss;
                lossCount++;
            }
            for (ItemGradient g : step.itemGradients) {
                itemAppearances += g.appearances;
            }
            learner.applyLocally(caches[sub], step);
            bundles[sub].addEvent(step);
            if (bundles[sub].events() >= options.bundleEvents) {
                flush(sub);
            }
            popularity.add(e.itemId, e.timestamp, 1.0);
            if (isNew) {
                // From now on the item is "known": rankable everywhere at its initial vector until its first
                // snapshot, which is what a cache miss would fall back to (unless the catalog published it).
                known.add(e.itemId);
                float[] init = learner.initialItemVector(e.itemId);
                for (ItemVectorCache c : caches) {
                    if (!c.contains(e.itemId)) {
                        c.put(e.itemId, init);
                    }
                }
            }
            processed++;
            n++;
            if (processed % options.refreshEvery == 0) {
                publishSnapshot();
            }
            if (options.reportEvery > 0 && options.progress != null && n % options.reportEvery == 0) {
                options.progress.report(n, modelHits, popHits);
            }
        }
        return new Result(modelHits, popHits, lossCount == 0 ? 0 : lossSum / lossCount, n, itemRecords,
                itemAppearances);
    }

    /** Flushes every bundle and publishes a snapshot, so that the caches hold the latest item vectors. */
    public void sync() {
        for (int i = 0; i < bundles.length; i++) {
            flush(i);
        }
        publishSnapshot();
    }

    private void flush(int sub) {
        StepResult rest = learner.closeNegatives(buffers[sub]);
        for (ItemGradient g : rest.itemGradients) {
            itemAppearances += g.appearances;
        }
        learner.applyLocally(caches[sub], rest);
        bundles[sub].addGradients(rest);
        for (ItemGradient g : featureGradients[sub].expand(bundles[sub].drain(), caches[sub])) {
            ItemState item = items.computeIfAbsent(g.itemId, learner::newItem);
            learner.applyItemGradient(item, g.gradient, g.appearances, g.positives);
            dirty.add(g.itemId);
            itemRecords++;
        }
    }

    /**
     * Registers an item's catalog features at the ItemTower (as a catalog record does in the job): the item is
     * published with them at the next snapshot, also when it has had no event yet.
     */
    public void catalog(String itemId, ItemFeatures features) {
        catalog.put(itemId, features);
        items.computeIfAbsent(itemId, learner::newItem);
        dirty.add(itemId);
    }

    private void publishSnapshot() {
        boolean featuresChanged = false;
        QuerySpec spec = learner.querySpec();
        for (String id : dirty) {
            ItemState item = items.get(id);
            float[] v = learner.servingItemVector(item);
            boolean feature = FeatureKeys.isFeature(id);
            featuresChanged |= feature;
            ItemFeatures f = catalog.getOrDefault(id, ItemFeatures.NONE);
            float prior = spec.prior(item.positives);
            for (ItemVectorCache c : caches) {
                if (feature) {
                    c.putFeature(id, v);
                } else {
                    c.putItem(id, v, f, prior);
                }
            }
        }
        dirty.clear();
        if (featuresChanged) {
            for (ItemVectorCache c : caches) {
                c.recomposeAll(); // what a UserTower does when a snapshot with new feature vectors is complete
            }
        }
    }

    private int subtaskOf(String userId) {
        return (int) Math.floorMod(InitialVectors.hash64(userId, 0L), (long) options.parallelism);
    }

    public Learner learner() {
        return learner;
    }

    /** Subtask {@code i}'s item cache (after {@link #sync}, every subtask's holds every published item). */
    public ItemVectorCache cache(int i) {
        return caches[i];
    }

    /** The learned user states (live view). */
    public Map<String, UserState> users() {
        return users;
    }

    /** The ItemTower's item states (live view). */
    public Map<String, ItemState> items() {
        return items;
    }

    /** Items seen so far, in first-seen order. */
    public List<String> knownItems() {
        return new ArrayList<>(known);
    }

    public long processed() {
        return processed;
    }
}
