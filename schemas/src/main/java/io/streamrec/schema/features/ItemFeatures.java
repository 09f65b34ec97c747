package io.streamrec.schema.features;

import java.util.Arrays;
import java.util.List;

/**
 * The features an item's vector is composed of: feature keys ({@link FeatureKeys}) and their coefficients, in a
 * fixed order. The item's vector is {@code id vector + sum_i weights[i] * vector(keys[i])} ({@link Composition}),
 * computed the same way by the trainer's caches and by the serving node from what the trainer publishes with the
 * item. Immutable (the arrays are never handed out), so instances can be shared between cache slots and threads.
 */
public final class ItemFeatures {
    public static final ItemFeatures NONE = new ItemFeatures(new String[0], new float[0]);

    private final String[] keys;
    private final float[] weights;

    private ItemFeatures(String[] keys, float[] weights) {
        this.keys = keys;
        this.weights = weights;
    }

    /** @throws IllegalArgumentException on different lengths, a key that is not a feature key, or a bad weight */
    public static ItemFeatures of(String[] keys, float[] weights) {
        if (keys.length != weights.length) {
            throw new IllegalArgumentException(keys.length + " keys but " + weights.length + " weights");
        }
        if (keys.length == 0) {
            return NONE;
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null || !FeatureKeys.isFeature(keys[i]) || FeatureKeys.isContext(keys[i])) {
                throw new IllegalArgumentException("not an item feature key: " + keys[i]);
            }
            if (!Float.isFinite(weights[i])) {
                throw new IllegalArgumentException("weight of " + FeatureKeys.display(keys[i]) + " is " + weights[i]);
            }
        }
        return new ItemFeatures(keys.clone(), weights.clone());
    }

    public static ItemFeatures of(List<String> keys, List<Float> weights) {
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return of(keys.toArray(new String[0]), w);
    }

    public int size() {
        return keys.length;
    }

    public boolean isEmpty() {
        return keys.length == 0;
    }

    public String key(int i) {
        return keys[i];
    }

    public float weight(int i) {
        return weights[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemFeatures && Arrays.equals(keys, ((ItemFeatures) o).keys)
                && Arrays.equals(weights, ((ItemFeatures) o).weights);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(keys) + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(FeatureKeys.display(keys[i])).append('*').append(weights[i]);
        }
        return b.append(']').toString();
    }
}
