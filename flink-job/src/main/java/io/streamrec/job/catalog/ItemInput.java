package io.streamrec.job.catalog;

import io.streamrec.job.model.ItemGradient;
import io.streamrec.schema.features.ItemFeatures;

/**
 * What reaches the ItemTower, keyed by {@link #key}: either a summed gradient from the UserTower (for an item, a
 * feature or a context key) or a catalog update of an item (its features and availability). A flat Flink POJO (one
 * type for the keyed union of both streams; unused fields are null).
 */
public class ItemInput {
    public String key;
    /** Gradient records: dLoss/dVector; null for catalog updates. */
    public float[] gradient;
    public int appearances;
    /** Gradient records: how many of the summed events had this item as their positive. */
    public int positives;
    /** True for a catalog update. */
    public boolean catalog;
    /** Catalog updates: false retires the item. */
    public boolean available;
    /** Catalog updates: the item's features (keys and weights); empty for none. */
    public String[] featureKeys;
    public float[] featureWeights;

    public ItemInput() {}

    public static ItemInput of(ItemGradient g) {
        ItemInput in = new ItemInput();
        in.key = g.itemId;
        in.gradient = g.gradient;
        in.appearances = g.appearances;
        in.positives = g.positives;
        return in;
    }

    public static ItemInput catalog(String itemId, boolean available, ItemFeatures features) {
        ItemInput in = new ItemInput();
        in.key = itemId;
        in.catalog = true;
        in.available = available;
        in.featureKeys = new String[features.size()];
        in.featureWeights = new float[features.size()];
        for (int i = 0; i < features.size(); i++) {
            in.featureKeys[i] = features.key(i);
            in.featureWeights[i] = features.weight(i);
        }
        return in;
    }

    @Override
    public String toString() {
        return catalog ? "catalog{" + key + (available ? "" : " retired") + ", " + featureKeys.length + " features}"
                : "gradient{" + key + " x" + appearances + "}";
    }
}
