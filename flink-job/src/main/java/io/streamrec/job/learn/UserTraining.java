package io.streamrec.job.learn;

import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.NegativeBuffer;
import io.streamrec.job.model.PopularityTracker;
import io.streamrec.job.model.StepResult;
import io.streamrec.job.model.UserState;
import io.streamrec.schema.InteractionEvent;
import java.util.SplittableRandom;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The train half of a UserTower subtask, per event: one {@link Learner#train} step against the subtask's item
 * cache and negative buffer, the step's item gradients applied to the subtask's own cached copies at once, the
 * event counted for the most-popular baseline, and the training metrics.
 *
 * <p>Not thread-safe; one per UserTower subtask.
 */
final class UserTraining {
    private final ModelParams params;
    private final Learner learner;
    private final ItemVectorCache cache;
    private final NegativeBuffer negatives;
    private final PopularityTracker popularity;
    private final Counter eventsTrained;
    private final Counter cacheMisses;
    private double lossEma;

    /** @param metrics where the counters and the loss gauge are registered */
    UserTraining(ModelParams params, Learner learner, ItemVectorCache cache, NegativeBuffer negatives,
                 PopularityTracker popularity, MetricGroup metrics) {
        this.params = params;
        this.learner = learner;
        this.cache = cache;
        this.negatives = negatives;
        this.popularity = popularity;
        eventsTrained = metrics.counter("eventsTrained");
        cacheMisses = metrics.counter("itemCacheMisses");
        metrics.gauge("trainingLoss", () -> lossEma);
    }

    /**
     * Learns from event {@code e} of user {@code u} (updated in place), with the negatives drawn from
     * {@code seed} ({@link Learner#eventSeed}) and the query in {@code context}; returns the step for the bundle.
     */
    StepResult train(UserState u, InteractionEvent e, long seed, String[] context) {
        if (!cache.contains(e.itemId)) {
            cacheMisses.inc();
        }
        StepResult step = learner.train(u, e.itemId, params.weightOf(e.type, e.value), cache, negatives,
                new SplittableRandom(seed), context);
        // This subtask's own updates are visible in its cache at once, before the next snapshot replaces them.
        learner.applyLocally(cache, step);
        u.lastEventTime = Math.max(u.lastEventTime, e.timestamp);
        popularity.add(e.itemId, e.timestamp, 1.0);
        eventsTrained.inc();
        lossEma = lossEma == 0 ? step.loss : 0.999 * lossEma + 0.001 * step.loss;
        return step;
    }
}
