package io.streamrec.schema.features;

/**
 * The one formula that turns an item's id vector and its features' vectors into the item's vector, used by the
 * trainer's item caches and by the serving node, so that both compose bit-identical vectors from the same inputs:
 * {@code out[d] = id[d] + sum_i w_i * f_i[d]} over every coordinate (the item bias included), features in the order
 * {@link ItemFeatures} lists them, in float arithmetic (strict on Java 17+, so the same on every JVM).
 *
 * <p>Thread-safe (stateless).
 */
public final class Composition {
    private Composition() {}

    /** Where feature vectors come from: the vector of a key, or null when the reader has none (it counts as zero). */
    public interface FeatureVectors {
        float[] vector(String key);
    }

    /**
     * Writes the composed vector of an item into {@code out} ({@code out} may be {@code id} itself only if the
     * caller no longer needs the id vector).
     *
     * @param id the item's id vector ({@code length} floats starting at {@code idOffset})
     * @param features the item's features
     * @param vectors the feature vectors; a missing one contributes nothing
     */
    public static void compose(float[] id, int idOffset, int length, ItemFeatures features, FeatureVectors vectors,
                               float[] out, int outOffset) {
        if (out != id || outOffset != idOffset) {
            System.arraycopy(id, idOffset, out, outOffset, length);
        }
        for (int i = 0; i < features.size(); i++) {
            float[] f = vectors.vector(features.key(i));
            if (f != null) {
                addScaled(features.weight(i), f, out, outOffset, length);
            }
        }
    }

    /** {@link #compose(float[], int, int, ItemFeatures, FeatureVectors, float[], int)} into a new array. */
    public static float[] compose(float[] id, ItemFeatures features, FeatureVectors vectors) {
        float[] out = new float[id.length];
        compose(id, 0, id.length, features, vectors, out, 0);
        return out;
    }

    /** {@code out[outOffset + d] += w * f[d]} for d below length: the step every composition is made of. */
    public static void addScaled(float w, float[] f, float[] out, int outOffset, int length) {
        for (int d = 0; d < length; d++) {
            out[outOffset + d] += w * f[d];
        }
    }
}
