package io.streamrec.job.model;

import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The features' share of a bundle's item gradients. An item with features is {@code e(id) + sum_i w_i e(f_i)}
 * ({@link io.streamrec.schema.features.Composition}), so the gradient {@code g} with respect to the item's vector is
 * also {@code g} for its id and {@code w_i g} for each feature {@code f_i}. The UserTower sums item gradients per
 * item over a bundle first and expands them here once per bundle, when it sends them: one look-up of the item's
 * features per distinct item, and one summed record per distinct feature, instead of a record per feature per item
 * per event.
 *
 * <p>An item's features are the ones its cached vector was composed with; an item evicted from the cache between
 * its gradient and the bundle's expansion sends its id gradient alone ({@link #unknown} counts them).
 */
public final class FeatureGradients {
    private final StringIntMap rowOfKey = new StringIntMap();
    private String[] keys = new String[16];
    private int[] appearances = new int[16];
    private float[] sums = new float[0];
    private int rows;
    private long unknown;

    /**
     * The records to send for a drained bundle: the items' own (unchanged, same order), then one per feature touched,
     * in first-touched order.
     */
    public List<ItemGradient> expand(List<ItemGradient> items, ItemVectorCache cache) {
        if (cache.composedItems() == 0) {
            return items;
        }
        for (ItemGradient g : items) {
            if (FeatureKeys.isFeature(g.itemId)) {
                continue; // a context key's own record
            }
            ItemFeatures f = cache.featuresOf(g.itemId);
            if (f == null) {
                unknown++;
                continue;
            }
            for (int i = 0; i < f.size(); i++) {
                add(f.key(i), f.weight(i), g.gradient, g.appearances);
            }
        }
        if (rows == 0) {
            return items;
        }
        List<ItemGradient> out = new ArrayList<>(items.size() + rows);
        out.addAll(items);
        int length = sums.length / Math.max(1, keys.length);
        for (int r = 0; r < rows; r++) {
            out.add(new ItemGradient(keys[r], Arrays.copyOfRange(sums, r * length, (r + 1) * length),
                    appearances[r]));
            keys[r] = null;
        }
        rowOfKey.clear();
        rows = 0;
        Arrays.fill(sums, 0f);
        return out;
    }

    private void add(String key, float w, float[] g, int count) {
        int length = g.length;
        if (sums.length != keys.length * length) {
            sums = new float[keys.length * length];
        }
        int row = rowOfKey.get(key);
        if (row < 0) {
            if (rows == keys.length) {
                int n = 2 * rows;
                keys = Arrays.copyOf(keys, n);
                appearances = Arrays.copyOf(appearances, n);
                sums = Arrays.copyOf(sums, n * length);
            }
            row = rows++;
            keys[row] = key;
            appearances[row] = 0;
            rowOfKey.put(key, row);
        }
        int base = row * length;
        for (int d = 0; d < length; d++) {
            sums[base + d] += w * g[d];
        }
        appearances[row] += count;
    }

    /** Item records whose item was no longer cached when its bundle was sent (its features got no gradient). */
    public long unknown() {
        return unknown;
    }
}
