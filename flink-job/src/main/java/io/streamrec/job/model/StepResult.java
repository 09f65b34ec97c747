package io.streamrec.job.model;

import java.util.List;

/**
 * What one {@link Learner#train} call produced besides the in-place user update: the loss, the per-item summed
 * gradients to send to the ItemTower, and sampling counters for metrics.
 */
public final class StepResult {
    /** Weighted sampled-softmax loss before the update; 0 when there was nothing to contrast against. */
    public final double loss;
    /**
     * The positive's record first, then the history items' (one per item), then, from the step that closes a
     * negative window, one summed record per drawn item (which may repeat an item above); empty when nothing was
     * learned and no window closed.
     */
    public final List<ItemGradient> itemGradients;
    /** Negatives drawn from the buffer. */
    public final int negativesDrawn;
    /** Of those, left out of the loss (accidental hits and, if configured, items in the user's history). */
    public final int negativesMasked;
    /** dLoss/d(user's stored vector) that the Adagrad step used; null when nothing was learned. */
    public final float[] userGradient;

    /**
     * The {@link ItemVectorCache} slot each of {@link #itemGradients} had during the step (-1 when unknown), so that
     * {@link Learner#applyLocally(ItemVectorCache, StepResult)} needs no look-up; valid only while the slot still
     * holds the item, which that method checks.
     */
    final int[] itemSlots;

    public StepResult(double loss, List<ItemGradient> itemGradients, int negativesDrawn, int negativesMasked,
                      float[] userGradient) {
        this(loss, itemGradients, negativesDrawn, negativesMasked, userGradient, new int[0]);
    }

    StepResult(double loss, List<ItemGradient> itemGradients, int negativesDrawn, int negativesMasked,
               float[] userGradient, int[] itemSlots) {
        this.itemSlots = itemSlots;
        this.loss = loss;
        this.userGradient = userGradient;
        this.itemGradients = itemGradients;
        this.negativesDrawn = negativesDrawn;
        this.negativesMasked = negativesMasked;
    }
}
