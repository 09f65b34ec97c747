package io.streamrec.job.learn;

import io.streamrec.job.FlinkTypes;
import io.streamrec.job.learn.HotUsers.HotUser;
import io.streamrec.job.model.GradientBundle;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.NegativeBuffer;
import io.streamrec.job.model.PopularityTracker;
import io.streamrec.job.model.StepResult;
import io.streamrec.job.model.UserState;
import io.streamrec.job.rank.RankerSample;
import io.streamrec.job.rank.RankerSettings;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.job.state.States;
import io.streamrec.schema.InteractionEvent;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.ListState;
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
 * {@code item-embeddings} topic read back, which refreshes a bounded LRU cache of item vectors ({@link ItemFeed};
 * an item missing from it starts from its deterministic initial vector, the same one the ItemTower starts from).
 * Out: one summed {@link ItemGradient} per touched item per bundle of events (main output), changed user vectors
 * at most once per {@code user.publish-interval} ({@link #USER_EMBEDDINGS}), examples for the ranking stage
 * ({@link #RANKER_SAMPLES}, {@link RankerSampler}) and optionally each prequential result ({@link #PREQUENTIAL}).
 *
 * <p>Per event: first, for a deterministic sample of events, the test half of test-then-train
 * ({@link LiveEvaluation}); then the train half ({@link UserTraining}, {@link Learner#train}): sampled softmax over
 * the positive and negatives drawn from recent positives (one draw shared by
 * {@code model.negatives.shared-events} consecutive events, like in-batch negatives), logQ-corrected, weighted by
 * the event type, one Adagrad step on the user vector; then the step's item gradients go to the bundle
 * ({@link GradientOutbox}).
 *
 * <p>The operator keeps the Flink wiring: the user states ({@link HotUsers}, in RocksDB behind a write-back heap
 * cache, which needs the operator's current key), the publish timers, the bundle's flush timer, the operator state
 * and the outputs. The pending bundle, the negative buffer and the popularity counters are operator state,
 * checkpointed with the job (the open negative window's sums are moved into the bundle first), so no gradient is
 * lost on restore. The item cache is not checkpointed: after a restore the ItemTower republishes every item, which
 * refills it.
 */
public final class UserTower extends AbstractStreamOperator<ItemGradient>
        implements TwoInputStreamOperator<InteractionEvent, EmbeddingUpdate, ItemGradient>,
        Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<EmbeddingUpdate> USER_EMBEDDINGS = new OutputTag<>("user-embeddings") {};
    public static final OutputTag<PrequentialResult> PREQUENTIAL = new OutputTag<>("prequential") {};
    /** Examples for the ranking stage ({@code ranker.sample} of the events). */
    public static final OutputTag<RankerSample> RANKER_SAMPLES = new OutputTag<>("ranker-samples",
            FlinkTypes.RANKER_SAMPLE);

    private final ModelParams params;
    private final TowerSettings settings;
    private final RankerSettings rankerSettings;

    private transient Learner learner;
    private transient ItemVectorCache cache;
    private transient NegativeBuffer negatives;
    private transient PopularityTracker popularity;
    private transient GradientBundle bundle;
    private transient ListState<byte[]> negativesState;
    private transient ListState<byte[]> popularityState;
    private transient ListState<byte[]> bundleState;
    private transient HotUsers users;
    private transient LiveEvaluation evaluation;
    private transient UserTraining training;
    private transient ItemFeed feed;
    private transient RankerSampler rankerSampler;
    private transient GradientOutbox outbox;
    /** One processing-time timer per user and publish boundary (keyed, checkpointed, on the heap). */
    private transient InternalTimerService<VoidNamespace> publishTimers;
    /** When the pending bundle is due (an operator-wide processing-time callback); 0 when none is pending. */
    private transient long flushAt;
    private transient int subtask;

    public UserTower(ModelParams params, TowerSettings settings) {
        this(params, settings, RankerSettings.disabled());
    }

    /** @param ranker whether and how events become examples for the ranking stage ({@link #RANKER_SAMPLES}) */
    public UserTower(ModelParams params, TowerSettings settings, RankerSettings ranker) {
        this.params = params.copy().validate();
        this.settings = settings;
        this.rankerSettings = ranker;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        negativesState = context.getOperatorStateStore().getListState(States.NEGATIVE_BUFFER);
        popularityState = context.getOperatorStateStore().getListState(States.POPULARITY);
        bundleState = context.getOperatorStateStore().getListState(States.GRADIENT_BUNDLE);
        // After a rescale a subtask may receive several entries (or none): keep the first buffer and tracker, and
        // merge every pending bundle so that no gradient is lost.
        negatives = first(negativesState.get(), NegativeBuffer::fromBytes,
                () -> new NegativeBuffer(params.negativeBufferSize(), params.logqSmoothing()));
        popularity = first(popularityState.get(), PopularityTracker::fromBytes,
                () -> new PopularityTracker(params.popularityCapacity(), params.popularityHalfLifeMs()));
        bundle = GradientOutbox.merged(bundleState.get());
    }

    /** The first entry of a list state, read; a new one when there is none. */
    private static <T> T first(Iterable<byte[]> entries, Function<byte[], T> read, Supplier<T> none) {
        for (byte[] b : entries) {
            return read.apply(b);
        }
        return none.get();
    }

    @Override
    public void open() throws Exception {
        super.open();
        learner = new Learner(params);
        MetricGroup m = getMetricGroup();
        users = new HotUsers(settings, getRuntimeContext().getState(States.user(settings.userTtl)), learner,
                this::getCurrentKey, this::setCurrentKey, m);
        // The name the process-function operator used, so that timers in older checkpoints are restored.
        publishTimers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        cache = new ItemVectorCache(params.cacheSize(), learner.vectorLength(), params.featuresCacheSize());
        outbox = new GradientOutbox(learner, cache, negatives, bundle, m);
        flushAt = 0;
        if (!bundle.isEmpty()) {
            scheduleFlush(); // restored with pending gradients
        }
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        feed = new ItemFeed(cache, learner.vectorLength(), learner.querySpec(), m);
        evaluation = new LiveEvaluation(learner, cache, popularity, settings, m);
        training = new UserTraining(params, learner, cache, negatives, popularity, m);
        rankerSampler = new RankerSampler(rankerSettings, params, learner, cache, m);
    }

    /** An interaction; the current key is its user. */
    @Override
    public void processElement1(StreamRecord<InteractionEvent> record) throws Exception {
        InteractionEvent e = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        HotUser h = users.get(e.userId, now);
        UserState u = h.state;
        long seed = learner.eventSeed(e.userId, e.itemId, e.timestamp);

        String[] context = learner.contextOf(e.timestamp, e.properties);
        if (evaluation.isSampled(seed)) {
            PrequentialResult r = evaluation.evaluate(u, e, context);
            if (r != null) {
                output.collect(PREQUENTIAL, record.hasTimestamp() ? new StreamRecord<>(r, record.getTimestamp())
                        : new StreamRecord<>(r));
            }
        }

        if (rankerSampler.isSampled(seed)) {
            RankerSample sample = rankerSampler.sample(u, e, seed, context);
            output.collect(RANKER_SAMPLES, record.hasTimestamp() ? new StreamRecord<>(sample, record.getTimestamp())
                    : new StreamRecord<>(sample));
        }

        StepResult step = training.train(u, e, seed, context);
        users.changed(h);

        // Publish at the next multiple of the interval: at most once per interval, and with no state of its own,
        // because the timer service keeps one timer per key and timestamp.
        long publishAt = (now / settings.userPublishIntervalMs + 1) * settings.userPublishIntervalMs;
        if (h.publishTimerAt != publishAt) {
            publishTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, publishAt);
            h.publishTimerAt = publishAt;
        }
        outbox.add(step, record.hasTimestamp() ? record.getTimestamp() : Long.MIN_VALUE);
        if (outbox.events() >= settings.bundleMaxEvents) {
            flush();
        } else if (!outbox.isEmpty() && flushAt == 0) {
            scheduleFlush();
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

    /** Sends the bundle's records, stamped with the newest event time behind them (none after a restore). */
    private void flush() {
        GradientOutbox.Batch batch = outbox.flush();
        for (ItemGradient g : batch.records()) {
            output.collect(batch.eventTime() == Long.MIN_VALUE ? new StreamRecord<>(g)
                    : new StreamRecord<>(g, batch.eventTime()));
        }
        flushAt = 0;
    }

    /**
     * A publish timer: the user changed during the interval that ends now. The current key is the user. (A
     * checkpoint of the version before this operator may also hold bundle-flush timers in this service; restored,
     * they fire here and publish their user once more, which is harmless.)
     */
    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        String userId = timer.getKey();
        HotUser h = users.peek(userId);
        if (h != null && h.publishTimerAt == timer.getTimestamp()) {
            h.publishTimerAt = 0; // fired: the next event registers the next one, even if the clock went back
        }
        UserState u = h != null ? h.state : users.stored();
        if (u != null) {
            // The user's own vector: serving adds the recent-history and context terms itself (the query spec
            // published with the item snapshots says how), from the items it has seen the user touch, so that a
            // click changes the very next answer.
            output.collect(USER_EMBEDDINGS, new StreamRecord<>(EmbeddingUpdate.embedding(userId,
                    u.vector.clone(), feed.latestCompleteSnapshot(), subtask,
                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), u.events, u.lastEventTime)));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // no event-time timers
    }

    /** The item feed, broadcast: a snapshot's item vector or completion marker. */
    @Override
    public void processElement2(StreamRecord<EmbeddingUpdate> record) {
        feed.accept(record.getValue());
    }

    /**
     * The synchronous part of a checkpoint, before the state backends are snapshotted: RocksDB must hold every
     * changed hot user, and the operator state every pending gradient.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        users.persistAll();
        outbox.closeNegatives(); // no pending gradient outside the bundle, which is checkpointed
        negativesState.update(List.of(negatives.toBytes()));
        popularityState.update(List.of(popularity.toBytes()));
        bundleState.update(bundle.isEmpty() ? List.of() : List.of(bundle.toBytes()));
        super.snapshotState(context);
    }

    /** For tests: the pending bundle's entries. */
    Iterator<ItemGradient> pendingGradients() {
        return bundle.drain().iterator();
    }
}
