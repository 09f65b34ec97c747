package io.streamrec.job.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The record the UserTower sends to the ItemTower: an item id and the gradient of the loss with respect to that
 * item's vector, summed over every appearance of the item (as positive or negative) in one event or one bundle of
 * events, plus how many appearances were summed.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields), keyed by {@link #itemId}.
 */
public class ItemGradient implements Serializable {
    private static final long serialVersionUID = 1L;

    public String itemId;
    /** dLoss/dVector, as long as the item's vector. */
    public float[] gradient;
    /** How many (event, candidate) appearances were summed into this record. */
    public int appearances;
    /** How many of the summed events had this item as their positive (the item's popularity count). */
    public int positives;

    public ItemGradient() {}

    public ItemGradient(String itemId, float[] gradient, int appearances) {
        this.itemId = itemId;
        this.gradient = gradient;
        this.appearances = appearances;
    }

    public ItemGradient(String itemId, float[] gradient, int appearances, int positives) {
        this(itemId, gradient, appearances);
        this.positives = positives;
    }

    @Override
    public String toString() {
        return "ItemGradient{" + itemId + " x" + appearances + ", |g|=" + Vectors.norm(gradient) + '}';
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ItemGradient)) {
            return false;
        }
        ItemGradient g = (ItemGradient) o;
        return appearances == g.appearances && positives == g.positives && itemId.equals(g.itemId)
                && Arrays.equals(gradient, g.gradient);
    }

    @Override
    public int hashCode() {
        return itemId.hashCode() * 31 + Arrays.hashCode(gradient);
    }
}
