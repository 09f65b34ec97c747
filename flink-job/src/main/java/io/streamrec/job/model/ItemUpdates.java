package io.streamrec.job.model;

import java.io.Serializable;
import java.util.List;

/**
 * Applies item gradients to item vectors: the ItemTower's authoritative Adagrad step, and the UserTower's small
 * local step on its own cached copies.
 *
 * <p>Part of {@link Learner}. Thread-safe (immutable); the states and caches it updates are not.
 */
final class ItemUpdates implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelParams params;
    private final int dim;
    private final int length;
    private final VectorForms forms;

    /** @param params validated */
    ItemUpdates(ModelParams params, VectorForms forms) {
        this.params = params;
        this.dim = params.dim();
        this.length = params.vectorLength();
        this.forms = forms;
    }

    /**
     * Optional, UserTower side: applies the item gradients just produced to this subtask's cached copies (plain SGD
     * with {@code model.cache.local-learning-rate}; renormalized when vectors are normalized), so that the
     * subtask's next events see its own updates before the ItemTower's next snapshot overwrites them with the
     * authoritative vectors. Does nothing when that rate is 0 or an item is not cached.
     *
     * <p>Why: staleness of the cached item vectors costs accuracy quickly once it exceeds a few thousand events
     * (see TUNING.md); this recovers part of it without another round trip.
     */
    void applyLocally(ItemVectorCache cache, StepResult step) {
        if (params.cacheLocalLearningRate() == 0) {
            return;
        }
        List<ItemGradient> gradients = step.itemGradients;
        int[] slots = step.itemSlots;
        for (int i = 0; i < gradients.size(); i++) {
            ItemGradient g = gradients.get(i);
            int s = i < slots.length && cache.holds(slots[i], g.itemId) ? slots[i] : cache.slotOf(g.itemId);
            if (s >= 0) {
                applyLocally(cache, s, g.gradient);
            }
        }
    }

    private void applyLocally(ItemVectorCache cache, int slot, float[] gradient) {
        float lr = (float) params.cacheLocalLearningRate();
        if (!params.normalize()) {
            cache.axpyAt(slot, -lr, gradient); // in place
            return;
        }
        float[] v = cache.vectorAt(slot);
        Vectors.axpy(-lr, gradient, v);
        float n = forms.norm(v);
        for (int i = 0; i < dim; i++) {
            v[i] /= n;
        }
        cache.setVectorAt(slot, v);
    }

    /**
     * The ItemTower's update: one Adagrad step of {@code item} along {@code gradient} (a summed
     * {@link ItemGradient#gradient}, with respect to the published vector; mapped through the normalization when
     * it is on), with L2 on the embedding coordinates but not on the bias, once per summed appearance, so that
     * the regularization does not depend on how many events a bundle sums.
     */
    void applyItemGradient(ItemState item, float[] gradient, int appearances) {
        if (params.normalize()) {
            gradient = gradient.clone();
            forms.throughNormalization(gradient, item.vector);
        }
        Adagrad.step(item.vector, item.accumulator, gradient, length, (float) params.learningRate(),
                (float) (params.l2() * Math.max(1, appearances)), dim, (float) params.adagradDecay());
        item.updates++;
    }
}
