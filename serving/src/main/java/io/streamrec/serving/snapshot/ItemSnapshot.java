package io.streamrec.serving.snapshot;

import io.streamrec.schema.features.Composition;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.serving.retrieval.ItemMatrix;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One complete item snapshot as served: the matrix of the live items' vectors, the feature and context vectors,
 * the trainer's query spec and the version. A request reads the current instance once and uses only it, so a
 * response can never mix two versions. Immutable, thread-safe.
 *
 * <p>An item with catalog features is served as its composition ({@link Composition}): its id vector plus its
 * features' weighted vectors, composed here with the same code the trainer's caches use. Each row's bias coordinate
 * also carries the item's popularity prior ({@link QuerySpec#withPrior}), so that a plain dot product with the
 * query ranks as the trainer's evaluation does. When a snapshot moves a
 * feature vector, every item with that feature changes too, so such a swap composes the whole matrix again (one pass
 * over the items); a swap that only changes some items' own vectors updates those rows. Retired items and items whose
 * state expired are dropped from the matrix by the swap that removes them.
 */
public final class ItemSnapshot {
    public final ItemMatrix matrix;
    public final SnapshotVersion version;
    /** How the trainer forms a query; null when no trainer marker carried one (a user vector is then the query). */
    public final QuerySpec querySpec;
    /** Feature and context vectors by key. */
    private final Map<String, float[]> features;
    /** Items with features: their id vectors and features, to compose them again when features move. */
    private final Map<String, Composed> composed;

    /** An item served as a composition. */
    static final class Composed {
        final float[] id;
        final ItemFeatures features;
        final float popularity;

        Composed(float[] id, ItemFeatures features, float popularity) {
            this.id = id;
            this.features = features;
            this.popularity = popularity;
        }
    }

    /** A snapshot of plain item vectors (no features, no query spec). */
    public ItemSnapshot(ItemMatrix matrix, SnapshotVersion version) {
        this(matrix, version, null, Map.of(), Map.of());
    }

    private ItemSnapshot(ItemMatrix matrix, SnapshotVersion version, QuerySpec querySpec, Map<String, float[]> features,
                         Map<String, Composed> composed) {
        this.matrix = matrix;
        this.version = version;
        this.querySpec = querySpec;
        this.features = features;
        this.composed = composed;
    }

    /** Nothing served yet. */
    public static ItemSnapshot empty(boolean bf16Rows) {
        return new ItemSnapshot(ItemMatrix.empty(0, bf16Rows), null, null, Map.of(), Map.of());
    }

    /** The vector of a feature or context key (do not modify), or null when the snapshot has none. */
    public float[] featureVector(String key) {
        return features.get(key);
    }

    public int featureCount() {
        return features.size();
    }

    /** Items served as a composition of id and feature vectors. */
    public int composedItems() {
        return composed.size();
    }

    /** The features of a served item ({@link ItemFeatures#NONE} when it has none or is not served). */
    public ItemFeatures featuresOf(String itemId) {
        Composed c = composed.get(itemId);
        return c == null ? ItemFeatures.NONE : c.features;
    }

    /** The id part of an item with features (a copy), or null for an item without (its matrix row is its vector). */
    public float[] idVectorOf(String itemId) {
        Composed c = composed.get(itemId);
        return c == null ? null : c.id.clone();
    }

    /** Every feature and context vector, for persistence (do not modify). */
    Map<String, float[]> features() {
        return Collections.unmodifiableMap(features);
    }

    /**
     * The snapshot after a swap: the swap's entities applied (new vectors, features, removals; feature and context
     * keys to the feature table), items composed with the new feature vectors.
     *
     * @param querySpecJson the spec the swap's markers carried ("" keeps this snapshot's)
     */
    public ItemSnapshot apply(Map<String, SnapshotAssembler.Update> updates, SnapshotVersion next, String querySpecJson) {
        QuerySpec spec = querySpec;
        if (querySpecJson != null && !querySpecJson.isEmpty()) {
            try {
                spec = QuerySpec.fromJson(querySpecJson);
            } catch (IllegalArgumentException e) {
                // A spec this node cannot read (a newer trainer?): keep forming queries the way it did.
            }
        }
        QuerySpec prior = spec; // rows are ranked with the spec's popularity prior in their bias coordinate
        Map<String, float[]> feats = features;
        Map<String, Composed> comp = composed;
        boolean featuresMoved = false;
        Set<String> removed = new HashSet<>();
        Map<String, float[]> rows = new LinkedHashMap<>(); // plain rows; null = compose
        for (Map.Entry<String, SnapshotAssembler.Update> e : updates.entrySet()) {
            String key = e.getKey();
            SnapshotAssembler.Update u = e.getValue();
            if (FeatureKeys.isFeature(key)) {
                if (feats == features) {
                    feats = new HashMap<>(features);
                }
                featuresMoved |= u.removed() ? feats.remove(key) != null : feats.put(key, u.vector) != u.vector;
                continue;
            }
            boolean touchesComposed = comp.containsKey(key) || !u.removed() && !u.features.isEmpty();
            if (touchesComposed && comp == composed) {
                comp = new HashMap<>(composed);
            }
            if (touchesComposed && (u.removed() || u.features.isEmpty())) {
                comp.remove(key);
            }
            if (u.removed()) {
                if (matrix.ordinal(key) >= 0 || rows.containsKey(key)) {
                    removed.add(key);
                }
                rows.remove(key);
            } else if (!u.features.isEmpty()) {
                comp.put(key, new Composed(u.vector, u.features, u.popularity));
                rows.put(key, null);
                removed.remove(key);
            } else {
                rows.put(key, prior == null ? u.vector : prior.withPrior(u.vector, u.popularity));
                removed.remove(key);
            }
        }
        Map<String, float[]> featureView = feats;
        Composition.FeatureVectors featureVectors = featureView::get;
        java.util.function.Function<Composed, float[]> compose = c -> {
            float[] v = Composition.compose(c.id, c.features, featureVectors);
            return prior == null ? v : prior.withPrior(v, c.popularity);
        };
        ItemMatrix m;
        if (featuresMoved && !comp.isEmpty() || !removed.isEmpty()) {
            // Every item again, in the current order, then the new ones: one pass over the matrix.
            Map<String, float[]> all = new LinkedHashMap<>();
            for (int o = 0; o < matrix.size(); o++) {
                String id = matrix.id(o);
                if (removed.contains(id)) {
                    continue;
                }
                Composed c = comp.get(id);
                float[] row = rows.get(id);
                all.put(id, c != null ? compose.apply(c) : row != null ? row : matrix.vector(o));
            }
            for (Map.Entry<String, float[]> r : rows.entrySet()) {
                if (!all.containsKey(r.getKey())) {
                    Composed c = comp.get(r.getKey());
                    all.put(r.getKey(), c != null ? compose.apply(c) : r.getValue());
                }
            }
            m = ItemMatrix.empty(matrix.dim(), matrix.hasBf16()).withUpdates(all);
        } else {
            for (Map.Entry<String, float[]> r : rows.entrySet()) {
                if (r.getValue() == null) {
                    Composed c = comp.get(r.getKey());
                    r.setValue(compose.apply(c));
                }
            }
            m = matrix.withUpdates(rows);
        }
        return new ItemSnapshot(m, next, spec, feats, comp);
    }
}
