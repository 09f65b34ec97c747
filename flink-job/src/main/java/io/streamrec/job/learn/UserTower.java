package io.streamrec.job.learn;

import io.streamrec.job.model.FeatureGradients;
import io.streamrec.job.model.GradientBundle;
import io.streamrec.job.model.HitRateAccumulator;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.NegativeBuffer;
import io.streamrec.job.model.PopularityTracker;
import io.streamrec.job.model.StepResult;
import io.streamrec.job.model.UserState;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.job.state.States;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.features.FeatureKeys;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user id: learns the user side of the two-tower model from every valid interaction, and emits the item
 * side's gradients keyed by item.
 *
 * <p>In: interaction events (input 1, keyed by user) and, broadcast to every subtask (input 2), the job's own
 * {@code item-embeddings} topic read back, which refreshes a bounded LRU cache of item vectors (an item missing
 * from it starts from its deterministic initial vector, the same one the ItemTower starts from). Out: one summed
 * {@link ItemGradient} per touched item per bundle of events (main output), changed user vectors at most once per
 * {@code user.publish-interval} ({@link #USER_EMBEDDINGS}), and optionally each prequential result
 * ({@link #PREQUENTIAL}).
 *
 * <p>Per event: first, for a deterministic sample of events, the test half of test-then-train: rank the event's
 * item for the user among all cached items (minus the user's history) and under the most-popular baseline, and
 * record HR@10/HR@100/NDCG@10 of both. Then the train half ({@link Learner#train}): sampled softmax over the
 * positive and negatives drawn from recent positives (one draw shared by {@code model.negatives.shared-events}
 * consecutive events, like in-batch negatives), logQ-corrected, weighted by the event type, one Adagrad step on the
 * user vector.
 *
 * <p>User state lives in RocksDB (keyed state {@code user}) with the recently active users in a bounded write-back
 * cache on the heap ({@link HotStates}, {@code state.hot-users} per subtask), as in the ItemTower: an event of a
 * hot user, and the publication of its vector, cost no RocksDB access and no (de)serialization of its history;
 * changed users are written back when evicted and before every checkpoint, so every checkpoint holds every
 * trained event. Expiry ({@code state.ttl.users}) counts from the last write, at most one checkpoint interval
 * after the user's last event; a hot user idle for the TTL is dropped on its next event and read back (expired).
 * This is why it is an operator and not a process function: writing an evicted user back needs that user's key.
 *
 * <p>Gradients are summed per item over a bundle ({@code bundle.max-events} events or {@code bundle.max-delay}),
 * so the shuffle to the ItemTower carries about one record per distinct item, not K+1 per event. The pending
 * bundle, the negative buffer and the popularity counters are operator state, checkpointed with the job (the open
 * negative window's sums are moved into the bundle first), so no gradient is lost on restore. The item cache is
 * not checkpointed: after a restore the ItemTower republishes every item, which refills it.
 */
public final class UserTower extends AbstractStreamOperator<ItemGradient>
        implements TwoInputStreamOperator<InteractionEvent, EmbeddingUpdate, ItemGradient>,
        Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<EmbeddingUpdate> USER_EMBEDDINGS = new OutputTag<>("user-embeddings") {};
    public static final OutputTag<PrequentialResult> PREQUENTIAL = new OutputTag<>("prequential") {};

    /**
     * Ranks are counted up to this: the live metrics (HR@10, HR@100, NDCG@10) need no more, and the scan over the
     * cached items stops once this many outrank the event's item.
     */
    public static final int RANK_LIMIT = 100;

    /**
     * The hot users' histories may hold this many items per user on average, so that the heap they take stays near
     * {@code state.hot-users} x (0.7 KB + 100 x ~100 B) whatever {@code model.history.max} is: with long histories
     * fewer users stay hot.
     */
    static final int HISTORY_ITEMS_PER_HOT_USER = 100;

    /** Evaluations per "recent" window of the live metric. */
    static final int RECENT_WINDOW = 2000;

    private final ModelParams params;
    private final TowerSettings settings;

    private transient Learner learner;
    private transient ValueState<UserState> user;
    private transient ItemVectorCache cache;
    private transient NegativeBuffer negatives;
    private transient PopularityTracker popularity;
    private transient GradientBundle bundle;
    /** Newest event time among the bundle's events (its records carry it), Long.MIN_VALUE for none. */
    private transient long bundleEventTime;
    private transient ListState<byte[]> negativesState;
    private transient ListState<byte[]> popularityState;
    private transient ListState<byte[]> bundleState;
    private transient HotStates<HotUser> hot;
    /** One processing-time timer per user and publish boundary (keyed, checkpointed, on the heap). */
    private transient InternalTimerService<VoidNamespace> publishTimers;
    /** When the pending bundle is due (an operator-wide processing-time callback); 0 when none is pending. */
    private transient long flushAt;
    private transient long sampleThreshold;

    private transient HitRateAccumulator modelHits;
    private transient HitRateAccumulator popularityHits;
    private transient HitRateAccumulator recentModel;
    private transient HitRateAccumulator recentPopularity;
    private transient double[] lastRecent;
    private transient SnapshotProgress snapshots;
    private transient Counter eventsTrained;
    private transient Counter gradientsSent;
    private transient Counter cacheMisses;
    private transient Counter evaluated;
    private transient Counter modelHits10;
    private transient Counter modelHits100;
    private transient Counter popularityHits10;
    private transient Counter popularityHits100;
    private transient Counter feedMismatched;
    private transient Counter stateReads;
    private transient Counter stateWrites;
    private transient double lossEma;
    private transient int subtask;
    private transient FeatureGradients featureGradients;
    /** Feature vectors arrived since the cache's items were last composed. */
    private transient boolean featuresChanged;

    /** A hot user: its state, changed or not since it was last written to RocksDB. */
    private static final class HotUser extends HotStates.Entry {
        final UserState state;
        /**
         * The publish timer registered for this user and not yet fired, 0 for none known: registering the same
         * timer again is a no-op in the timer service, but still costs its de-duplication look-up per event.
         * Not persisted; a user loaded from RocksDB (or after a restore) starts at 0 and registers once.
         */
        long publishTimerAt;

        HotUser(UserState state) {
            this.state = state;
        }
    }

    public UserTower(ModelParams params, TowerSettings settings) {
        this.params = params.copy().validate();
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        negativesState = context.getOperatorStateStore().getListState(States.NEGATIVE_BUFFER);
        popularityState = context.getOperatorStateStore().getListState(States.POPULARITY);
        bundleState = context.getOperatorStateStore().getListState(States.GRADIENT_BUNDLE);
        // After a rescale a subtask may receive several entries (or none): keep the first buffer and tracker, and
        // merge every pending bundle so that no gradient is lost.
        negatives = null;
        for (byte[] b : negativesState.get()) {
            if (negatives == null) {
                negatives = NegativeBuffer.fromBytes(b);
            }
        }
        popularity = null;
        for (byte[] b : popularityState.get()) {
            if (popularity == null) {
                popularity = PopularityTracker.fromBytes(b);
            }
        }
        bundle = new GradientBundle();
        for (byte[] b : bundleState.get()) {
            for (ItemGradient g : GradientBundle.fromBytes(b).drain()) {
                bundle.add(g);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        learner = new Learner(params);
        user = getRuntimeContext().getState(States.user(settings.userTtl));
        hot = new HotStates<>(settings.userHotCapacity, (long) settings.userHotCapacity * HISTORY_ITEMS_PER_HOT_USER,
                settings.userTtl == null ? 0 : settings.userTtl.toMillis(), this::load, this::writeBack);
        // The name the process-function operator used, so that timers in older checkpoints are restored.
        publishTimers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        cache = new ItemVectorCache(params.cacheSize(), learner.vectorLength(), params.featuresCacheSize());
        featureGradients = new FeatureGradients();
        featuresChanged = false;
        if (negatives == null) {
            negatives = new NegativeBuffer(params.negativeBufferSize(), params.logqSmoothing());
        }
        if (popularity == null) {
            popularity = new PopularityTracker(params.popularityCapacity(), params.popularityHalfLifeMs());
        }
        if (bundle == null) {
            bundle = new GradientBundle();
        }
        bundleEventTime = Long.MIN_VALUE;
        flushAt = 0;
        if (!bundle.isEmpty()) {
            scheduleFlush(); // restored with pending gradients
        }
        sampleThreshold = settings.prequentialSample >= 1.0 ? Long.MAX_VALUE
                : (long) (settings.prequentialSample * Long.MAX_VALUE);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        snapshots = new SnapshotProgress();

        modelHits = new HitRateAccumulator(10, 100);
        popularityHits = new HitRateAccumulator(10, 100);
        recentModel = new HitRateAccumulator(10, 100);
        recentPopularity = new HitRateAccumulator(10, 100);
        lastRecent = new double[] {Double.NaN, Double.NaN};

        MetricGroup m = getMetricGroup();
        eventsTrained = m.counter("eventsTrained");
        gradientsSent = m.counter("itemGradientsSent");
        cacheMisses = m.counter("itemCacheMisses");
        feedMismatched = m.counter("itemFeedDimensionMismatch");
        stateReads = m.counter("userStateReads");
        stateWrites = m.counter("userStateWrites");
        m.gauge("hotUsers", () -> hot.size());
        evaluated = m.counter("prequentialEvaluated");
        modelHits10 = m.counter("prequentialHits10");
        modelHits100 = m.counter("prequentialHits100");
        popularityHits10 = m.counter("popularityHits10");
        popularityHits100 = m.counter("popularityHits100");
        m.gauge("prequentialHitRate10", () -> modelHits.hitRate(10));
        m.gauge("prequentialHitRate100", () -> modelHits.hitRate(100));
        m.gauge("prequentialNdcg10", () -> modelHits.ndcgAt10());
        m.gauge("popularityHitRate10", () -> popularityHits.hitRate(10));
        m.gauge("popularityHitRate100", () -> popularityHits.hitRate(100));
        m.gauge("recentHitRate10", () -> lastRecent[0]);
        m.gauge("recentPopularityHitRate10", () -> lastRecent[1]);
        m.gauge("trainingLoss", () -> lossEma);
        m.gauge("itemCacheSize", () -> cache.size());
        m.gauge("featureCacheSize", () -> cache.features().size());
        m.gauge("itemsWithFeatures", () -> cache.composedItems());
        m.gauge("featureGradientsUnknownItem", () -> featureGradients.unknown());
        m.gauge("latestCompleteSnapshot", () -> snapshots.latestComplete());
    }

    /** An interaction; the current key is its user. */
    @Override
    public void processElement1(StreamRecord<InteractionEvent> record) throws Exception {
        InteractionEvent e = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        HotUser h = hot.get(e.userId, now);
        UserState u = h.state;
        long seed = learner.eventSeed(e.userId, e.itemId, e.timestamp);

        String[] context = learner.contextOf(e.timestamp, e.properties);
        if (isSampled(seed)) {
            evaluate(u, e, record, context);
        }

        if (!cache.contains(e.itemId)) {
            cacheMisses.inc();
        }
        StepResult step = learner.train(u, e.itemId, params.weightOf(e.type, e.value), cache, negatives,
                new SplittableRandom(seed), context);
        // This subtask's own updates are visible in its cache at once, before the next snapshot replaces them.
        learner.applyLocally(cache, step);
        u.lastEventTime = Math.max(u.lastEventTime, e.timestamp);
        h.unpersisted = true;
        hot.reweigh(h, u.history.size());
        popularity.add(e.itemId, e.timestamp, 1.0);
        eventsTrained.inc();
        lossEma = lossEma == 0 ? step.loss : 0.999 * lossEma + 0.001 * step.loss;

        // Publish at the next multiple of the interval: at most once per interval, and with no state of its own,
        // because the timer service keeps one timer per key and timestamp.
        long publishAt = (now / settings.userPublishIntervalMs + 1) * settings.userPublishIntervalMs;
        if (h.publishTimerAt != publishAt) {
            publishTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, publishAt);
            h.publishTimerAt = publishAt;
        }
        bundle.addEvent(step);
        if (record.hasTimestamp()) {
            bundleEventTime = Math.max(bundleEventTime, record.getTimestamp());
        }
        if (bundle.events() >= settings.bundleMaxEvents) {
            flush();
        } else if (!bundle.isEmpty() && flushAt == 0) {
            scheduleFlush();
        }
    }

    /** A user not on the heap (the current key): from RocksDB, or a new user. */
    private HotUser load(String userId) throws Exception {
        UserState s = user.value();
        stateReads.inc();
        HotUser h = new HotUser(s != null ? s : learner.newUser(userId));
        h.weight = h.state.history.size();
        return h;
    }

    /** An evicted user: written back if changed, then the current key restored. */
    private void writeBack(String userId, HotUser h) throws Exception {
        if (h.unpersisted) {
            Object currentKey = getCurrentKey();
            persist(userId, h);
            setCurrentKey(currentKey);
        }
    }

    private void persist(String userId, HotUser h) throws Exception {
        setCurrentKey(userId);
        user.update(h.state);
        stateWrites.inc();
    }

    private boolean isSampled(long seed) {
        if (sampleThreshold == 0) {
            return false;
        }
        // The event seed is a hash of the event: the same events are sampled on every run and after a restore.
        return sampleThreshold == Long.MAX_VALUE || (seed >>> 1) < sampleThreshold;
    }

    private void evaluate(UserState u, InteractionEvent e, StreamRecord<InteractionEvent> record, String[] context) {
        java.util.Set<String> seen = u.historySet();
        int modelRank = learner.rankOf(u, e.itemId, cache, seen, RANK_LIMIT, context);
        int popRank = popularity.rankOf(e.itemId, seen, RANK_LIMIT);
        modelHits.record(modelRank);
        popularityHits.record(popRank);
        recentModel.record(modelRank);
        recentPopularity.record(popRank);
        evaluated.inc();
        if (modelRank >= 0 && modelRank < 10) {
            modelHits10.inc();
        }
        if (modelRank >= 0 && modelRank < 100) {
            modelHits100.inc();
        }
        if (popRank >= 0 && popRank < 10) {
            popularityHits10.inc();
        }
        if (popRank >= 0 && popRank < 100) {
            popularityHits100.inc();
        }
        if (recentModel.count() >= RECENT_WINDOW) {
            lastRecent = new double[] {recentModel.hitRate(10), recentPopularity.hitRate(10)};
            recentModel = new HitRateAccumulator(10, 100);
            recentPopularity = new HitRateAccumulator(10, 100);
        }
        if (settings.emitPrequential) {
            PrequentialResult r = new PrequentialResult(e.userId, e.itemId, e.timestamp, modelRank, popRank);
            output.collect(PREQUENTIAL, record.hasTimestamp() ? new StreamRecord<>(r, record.getTimestamp())
                    : new StreamRecord<>(r));
        }
    }

    /** Sends the bundle once {@code bundle.max-delay} has passed, unless it is sent earlier. */
    private void scheduleFlush() {
        long due = getProcessingTimeService().getCurrentProcessingTime() + settings.bundleMaxDelayMs;
        flushAt = due;
        getProcessingTimeService().registerTimer(due, time -> {
            // A flush in between (bundle.max-events) cleared or moved flushAt: then this callback is stale.
            if (flushAt != 0 && time >= flushAt) {
                flush();
            }
        });
    }

    /**
     * A publish timer: the user changed during the interval that ends now. The current key is the user. (A
     * checkpoint of the version before this operator may also hold bundle-flush timers in this service; restored,
     * they fire here and publish their user once more, which is harmless.)
     */
    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        String userId = timer.getKey();
        HotUser h = hot.peek(userId);
        if (h != null && h.publishTimerAt == timer.getTimestamp()) {
            h.publishTimerAt = 0; // fired: the next event registers the next one, even if the clock went back
        }
        UserState u = h != null ? h.state : user.value();
        if (u != null) {
            // The user's own vector: serving adds the recent-history and context terms itself (the query spec
            // published with the item snapshots says how), from the items it has seen the user touch, so that a
            // click changes the very next answer.
            output.collect(USER_EMBEDDINGS, new StreamRecord<>(EmbeddingUpdate.embedding(userId,
                    u.vector.clone(), snapshots.latestComplete(), subtask,
                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), u.events, u.lastEventTime)));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // no event-time timers
    }

    /** Moves the open negative window's pending gradients into the bundle (and the local cache). */
    private void closeNegatives() {
        StepResult rest = learner.closeNegatives(negatives);
        learner.applyLocally(cache, rest);
        bundle.addGradients(rest);
    }

    /** Sends the bundle's records, stamped with the newest event time behind them (none after a restore). */
    private void flush() {
        closeNegatives();
        List<ItemGradient> summed = featureGradients.expand(bundle.drain(), cache);
        for (ItemGradient g : summed) {
            output.collect(bundleEventTime == Long.MIN_VALUE ? new StreamRecord<>(g)
                    : new StreamRecord<>(g, bundleEventTime));
        }
        gradientsSent.inc(summed.size());
        bundleEventTime = Long.MIN_VALUE;
        flushAt = 0;
    }

    /** The item feed, broadcast: a snapshot's item vector or completion marker. */
    @Override
    public void processElement2(StreamRecord<EmbeddingUpdate> record) {
        EmbeddingUpdate u = record.getValue();
        if (u.marker) {
            long before = snapshots.latestComplete();
            snapshots.onMarker(u.subtask, u.subtasks, u.version);
            if (featuresChanged && snapshots.latestComplete() > before) {
                // A snapshot is complete: compose items again with their features' new vectors (once per snapshot,
                // not per feature record).
                cache.recomposeAll();
                featuresChanged = false;
            }
            return;
        }
        boolean feature = FeatureKeys.isFeature(u.entityId);
        if (u.removed) {
            if (feature) {
                featuresChanged |= cache.features().remove(u.entityId);
            } else {
                cache.remove(u.entityId);
            }
            return;
        }
        if (u.vector.length != learner.vectorLength()) {
            feedMismatched.inc(); // published by a job with another dimension: keep the initial vector instead
            return;
        }
        if (feature) {
            cache.putFeature(u.entityId, u.vector);
            featuresChanged = true;
        } else {
            cache.putItem(u.entityId, u.vector, u.features());
        }
    }

    /**
     * The synchronous part of a checkpoint, before the state backends are snapshotted: RocksDB must hold every
     * changed hot user, and the operator state every pending gradient.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        hot.forEachUnpersisted(this::persist);
        closeNegatives(); // no pending gradient outside the bundle, which is checkpointed
        negativesState.update(List.of(negatives.toBytes()));
        popularityState.update(List.of(popularity.toBytes()));
        bundleState.update(bundle.isEmpty() ? List.of() : List.of(bundle.toBytes()));
        super.snapshotState(context);
    }

    /** Tracks the completion markers of the item snapshots this subtask has read back. */
    static final class SnapshotProgress {
        private long[] lastMarker = new long[0];

        void onMarker(int subtask, int subtasks, long version) {
            if (lastMarker.length != subtasks) {
                lastMarker = new long[subtasks];
            }
            if (subtask >= 0 && subtask < subtasks) {
                lastMarker[subtask] = Math.max(lastMarker[subtask], version);
            }
        }

        /** The newest version every publishing subtask has completed; 0 before the first complete snapshot. */
        long latestComplete() {
            if (lastMarker.length == 0) {
                return 0;
            }
            long min = Long.MAX_VALUE;
            for (long v : lastMarker) {
                min = Math.min(min, v);
            }
            return min;
        }
    }

    /** For tests: the pending bundle's entries. */
    Iterator<ItemGradient> pendingGradients() {
        return bundle.drain().iterator();
    }
}
