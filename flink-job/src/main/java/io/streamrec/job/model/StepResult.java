package io.streamrec.job.model;

import java.util.List;

/**
 * What one {@link Learner#train} call produced besides the in-place user update: the loss, the per-item summed
 * gradients to send to the ItemTower, and sampling counters for metrics.
 */
public final class StepResult {
    /** Weighted sampled-softmax loss before the update; 0 when there was nothing to contrast against. */
    public final double loss;
    /** One record per distinct touched item (positive first); empty when nothing was learned. */
    public final List<ItemGradient> itemGradients;
    /** Negatives drawn from the buffer. */
    public final int negativesDrawn;
    /** Of those, left out of the loss (accidental hits and, if configured, items in the user's history). */
    public final int negativesMasked;

    public StepResult(double loss, List<ItemGradient> itemGradients, int negativesDrawn, int negativesMasked) {
        this.loss = loss;
        this.itemGradients = itemGradients;
        this.negativesDrawn = negativesDrawn;
        this.negativesMasked = negativesMasked;
    }
}
