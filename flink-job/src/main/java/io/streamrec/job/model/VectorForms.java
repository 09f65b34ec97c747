package io.streamrec.job.model;

import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.InitialVectors;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;

/**
 * The model's vectors before they are learned and once they are published: the deterministic starting state of a
 * never-seen user or item, an item vector's published form, and a gradient's way back through that form. A cache
 * miss of the UserTower falls back to the item's initial vector, so the fallback lives here too.
 *
 * <p>Starting vectors derive from the id and the model seed only ({@link InitialVectors}), so every subtask agrees
 * on them. With the item bias on, vectors have {@code dim + 1} floats: items keep a learned bias in the last one
 * and users a constant 1, so that {@code user . item = <u, v> + b_item} is still a plain dot product for serving.
 * With {@code model.normalize} the published embedding is L2-normalized (the bias unchanged).
 *
 * <p>Part of {@link Learner}. Thread-safe (immutable).
 */
final class VectorForms implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Different salts so that user "42" and item "42" do not start at the same point. */
    private static final long USER_SALT = 0x75736572L; // "user"
    private static final long ITEM_SALT = QuerySpec.ITEM_SALT;

    private final ModelParams params;
    private final int dim;
    private final int length;

    /** @param params validated */
    VectorForms(ModelParams params) {
        this.params = params;
        this.dim = params.dim();
        this.length = params.vectorLength();
    }

    /** The deterministic starting state of a never-seen user. */
    UserState newUser(String userId) {
        float[] v = new float[length];
        InitialVectors.fillGaussian(userId, params.seed() ^ USER_SALT, (float) params.initScale(), v, 0, dim);
        if (params.itemBias()) {
            v[dim] = 1f;
        }
        return new UserState(v, filledAccumulator());
    }

    /**
     * The deterministic starting state of a never-seen item (raw parameters, bias 0); of a feature or context key
     * ({@link FeatureKeys}): zero, which is also what every reader assumes of a feature it has no vector of.
     */
    ItemState newItem(String itemId) {
        float[] v = new float[length];
        if (!FeatureKeys.isFeature(itemId)) {
            InitialVectors.fillGaussian(itemId, params.seed() ^ ITEM_SALT, (float) params.initScale(), v, 0, dim);
        }
        return new ItemState(v, filledAccumulator());
    }

    private float[] filledAccumulator() {
        float[] acc = new float[length];
        java.util.Arrays.fill(acc, (float) params.initialAccumulator());
        return acc;
    }

    /**
     * The published form of a never-seen item's vector; what a cache miss falls back to. Equal to
     * {@code servingItemVector(newItem(itemId))}.
     */
    float[] initialItemVector(String itemId) {
        return servingItemVector(newItem(itemId));
    }

    /**
     * What the ItemTower publishes for {@code item} (a new array): its raw vector, or with {@code model.normalize}
     * the L2-normalized embedding followed by the unchanged bias.
     */
    float[] servingItemVector(ItemState item) {
        float[] v = item.vector.clone();
        if (params.normalize()) {
            float n = norm(v);
            for (int i = 0; i < dim; i++) {
                v[i] /= n;
            }
        }
        return v;
    }

    /** Norm of the first dim coordinates, floored so that a zero vector does not divide by zero. */
    float norm(float[] v) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (double) v[i] * v[i];
        }
        return (float) Math.max(Math.sqrt(s), 1e-12);
    }

    /**
     * Maps a gradient with respect to a normalized vector {@code v / |v|} to one with respect to {@code v}:
     * {@code (g - (g . v^) v^) / |v|}, on the first dim coordinates, in place.
     */
    void throughNormalization(float[] g, float[] raw) {
        float n = norm(raw);
        double dot = 0;
        for (int i = 0; i < dim; i++) {
            dot += (double) g[i] * raw[i];
        }
        float along = (float) (dot / n);
        for (int i = 0; i < dim; i++) {
            g[i] = (g[i] - along * raw[i] / n) / n;
        }
    }

    /**
     * The cached vector of {@code itemId}; on a miss its initial vector, which is also put into the cache: the item
     * is known from now on (rankable, and updated locally), and its initial vector is computed once, not per use.
     * The next snapshot that carries the item replaces it with the ItemTower's vector.
     */
    float[] itemVector(String itemId, ItemVectorCache cache) {
        float[] v = cache.get(itemId);
        if (v == null) {
            v = initialItemVector(itemId);
            cache.put(itemId, v);
        }
        return v;
    }

    /** The cache slot of {@code itemId}, inserting its initial vector on a miss (as {@link #itemVector} does). */
    int slotOf(String itemId, ItemVectorCache cache) {
        int s = cache.slotOf(itemId);
        return s >= 0 ? s : cache.putSlot(itemId, initialItemVector(itemId));
    }
}
