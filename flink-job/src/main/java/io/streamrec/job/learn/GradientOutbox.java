package io.streamrec.job.learn;

import io.streamrec.job.model.FeatureGradients;
import io.streamrec.job.model.GradientBundle;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.NegativeBuffer;
import io.streamrec.job.model.StepResult;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The item gradients of a UserTower subtask on their way to the ItemTower: sums them per item over a bundle of
 * events ({@link GradientBundle}), so the shuffle carries about one record per distinct item, not K+1 per event;
 * remembers the newest event time behind them; and, when the bundle is sent, first moves the open negative
 * window's sums in and expands feature gradients ({@link FeatureGradients}). The operator decides when to send
 * ({@code bundle.max-events}, {@code bundle.max-delay}) and emits what {@link #flush} returns.
 *
 * <p>Not thread-safe; one per UserTower subtask. The bundle and the negative buffer are the operator's state,
 * checkpointed by it after {@link #closeNegatives}.
 */
final class GradientOutbox {
    /** What a flush sends: the records, and the newest event time behind them (Long.MIN_VALUE for none). */
    record Batch(List<ItemGradient> records, long eventTime) {}

    private final Learner learner;
    private final ItemVectorCache cache;
    private final NegativeBuffer negatives;
    private final GradientBundle bundle;
    private final FeatureGradients featureGradients = new FeatureGradients();
    private final Counter sent;
    /** Newest event time among the bundle's events (its records carry it), Long.MIN_VALUE for none. */
    private long eventTime = Long.MIN_VALUE;

    /**
     * @param cache the subtask's item cache (the negatives' sums are applied to it; features expand through it)
     * @param negatives the subtask's negative buffer, whose open window is closed before sending
     * @param bundle the pending bundle (restored, or new)
     * @param metrics where the counter and gauge are registered
     */
    GradientOutbox(Learner learner, ItemVectorCache cache, NegativeBuffer negatives, GradientBundle bundle,
                   MetricGroup metrics) {
        this.learner = learner;
        this.cache = cache;
        this.negatives = negatives;
        this.bundle = bundle;
        sent = metrics.counter("itemGradientsSent");
        metrics.gauge("featureGradientsUnknownItem", () -> featureGradients.unknown());
    }

    /**
     * The pending bundle restored from operator state: after a rescale a subtask may receive several entries (or
     * none), all merged so that no gradient is lost.
     */
    static GradientBundle merged(Iterable<byte[]> entries) {
        GradientBundle bundle = new GradientBundle();
        for (byte[] b : entries) {
            for (ItemGradient g : GradientBundle.fromBytes(b).drain()) {
                bundle.add(g);
            }
        }
        return bundle;
    }

    /** Adds one event's step; {@code eventTime} is the event's record time, Long.MIN_VALUE when it has none. */
    void add(StepResult step, long eventTime) {
        bundle.addEvent(step);
        this.eventTime = Math.max(this.eventTime, eventTime);
    }

    /** Events in the pending bundle. */
    int events() {
        return bundle.events();
    }

    boolean isEmpty() {
        return bundle.isEmpty();
    }

    /** Moves the open negative window's pending gradients into the bundle (and the local cache). */
    void closeNegatives() {
        StepResult rest = learner.closeNegatives(negatives);
        learner.applyLocally(cache, rest);
        bundle.addGradients(rest);
    }

    /** Empties the bundle into the records to send, stamped with the newest event time behind them. */
    Batch flush() {
        closeNegatives();
        List<ItemGradient> summed = featureGradients.expand(bundle.drain(), cache);
        Batch batch = new Batch(summed, eventTime);
        sent.inc(summed.size());
        eventTime = Long.MIN_VALUE;
        return batch;
    }
}
