package io.streamrec.local.evaluate;

import io.streamrec.schema.features.Composition;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a trainer published, read the way the serving node reads it: every live item's vector composed from its id
 * vector and its features' vectors ({@link Composition}), the user vectors, and the query spec with which a user's
 * query is formed from the user's vector, latest items and the moment ({@link QuerySpec}). Immutable once built.
 */
final class PublishedModel {
    private final Map<String, float[]> items;
    private final Map<String, float[]> users;
    private final QuerySpec querySpec;
    private final Map<String, ItemFeatures> features;
    private final Map<String, float[]> featureVectors;

    /**
     * @param ids item id vectors (items only; feature keys go to {@code featureVectors})
     * @param features each item's features (absent: none)
     * @param popularity each item's published popularity (absent: 0), for the query spec's prior
     * @param querySpec null when the trainer published none (its user vectors are then the queries)
     */
    PublishedModel(Map<String, float[]> ids, Map<String, ItemFeatures> features, Map<String, Float> popularity,
                   Map<String, float[]> featureVectors, Map<String, float[]> users, QuerySpec querySpec) {
        Map<String, float[]> composed = new TreeMap<>(); // sorted: runs are reproducible
        for (Map.Entry<String, float[]> e : ids.entrySet()) {
            ItemFeatures f = features.getOrDefault(e.getKey(), ItemFeatures.NONE);
            float[] v = f.isEmpty() ? e.getValue() : Composition.compose(e.getValue(), f, featureVectors::get);
            // As serving ranks: the popularity prior in the bias coordinate (ItemSnapshot).
            composed.put(e.getKey(), querySpec == null ? v
                    : querySpec.withPrior(v, popularity.getOrDefault(e.getKey(), 0f)));
        }
        this.items = Collections.unmodifiableMap(composed);
        this.users = Map.copyOf(users);
        this.querySpec = querySpec;
        this.features = Map.copyOf(features);
        this.featureVectors = Map.copyOf(featureVectors);
    }

    /** Every live item's served vector, sorted by id. */
    Map<String, float[]> items() {
        return items;
    }

    Map<String, float[]> users() {
        return users;
    }

    QuerySpec querySpec() {
        return querySpec;
    }

    /** Items published with catalog features. */
    long itemsWithFeatures() {
        return features.values().stream().filter(f -> !f.isEmpty()).count();
    }

    /** Feature (not context) vectors published. */
    long featureVectorsPublished() {
        return featureVectors.keySet().stream().filter(k -> !FeatureKeys.isContext(k)).count();
    }

    /** Context vectors published. */
    long contextVectorsPublished() {
        return featureVectors.keySet().stream().filter(FeatureKeys::isContext).count();
    }

    /** How many of a user's latest items the query uses (0 without a query spec). */
    int historySize() {
        return querySpec == null ? 0 : querySpec.historySize();
    }

    /**
     * The user's query as serving forms it: the user's vector, their latest items (oldest first; items without a
     * vector add nothing) and the context of the moment {@code timeMs}; null when the user has no vector.
     */
    float[] query(String userId, List<String> latest, long timeMs) {
        float[] u = users.get(userId);
        if (u == null) {
            return null;
        }
        if (querySpec == null) {
            return u;
        }
        String[] keys = querySpec.context().keys(timeMs, null);
        List<float[]> context = new ArrayList<>(keys.length);
        for (String k : keys) {
            context.add(featureVectors.get(k));
        }
        return querySpec.query(u, latest, items::get, context);
    }

    /** The key under which pairs share a query: the user and the context of the moment. */
    String queryGroup(String userId, long timeMs) {
        if (querySpec == null || !querySpec.context().enabled()) {
            return userId;
        }
        return userId + '\u0000' + String.join(",", querySpec.context().keys(timeMs, null));
    }

    /** An empty model (nothing published). */
    static PublishedModel empty() {
        return new PublishedModel(new HashMap<>(), Map.of(), Map.of(), Map.of(), Map.of(), null);
    }
}
