package io.streamrec.serving.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.UserState;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotAssembler.Update;
import io.streamrec.serving.snapshot.SnapshotVersion;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * For the same published state, the serving node composes the very item vectors the trainer's cache holds and forms
 * the very query the trainer scores with (bit for bit): the trainer's own classes (Learner, ItemVectorCache) against
 * the serving node's (ItemSnapshot, Recommender).
 */
class TrainerQueryAgreementTest {

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.3 * r.nextGaussian());
        }
        return v;
    }

    @Test
    void sameStateGivesTheSameItemVectorsAndTheSameQuery() {
        ModelParams p = ModelParams.defaults().set("model.dim", "16").set("model.context.properties", "device")
                .set("model.context.time-zone", "Europe/Berlin").set("model.query.history-size", "5");
        Learner l = new Learner(p);
        int len = l.vectorLength();
        Random r = new Random(11);

        // What the trainer published: feature and context vectors, items with and without features.
        Map<String, Update> published = new LinkedHashMap<>();
        ItemVectorCache cache = new ItemVectorCache(1000, len, 100);
        List<String> featureKeys = List.of(FeatureKeys.item("genre", "comedy"), FeatureKeys.item("genre", "drama"),
                FeatureKeys.item("brand", "acme"), FeatureKeys.context("hour", "14"),
                FeatureKeys.context("weekday", "3"), FeatureKeys.context("device", "mobile"));
        for (String k : featureKeys) {
            float[] v = random(r, len);
            if (FeatureKeys.isContext(k)) {
                v[len - 1] = 0f;
            }
            published.put(k, Update.of(v));
            cache.putFeature(k, v);
        }
        for (int i = 0; i < 30; i++) {
            String id = "i" + i;
            float[] v = random(r, len);
            ItemFeatures f = i % 3 == 0 ? ItemFeatures.NONE : ItemFeatures.of(
                    new String[] {featureKeys.get(i % 2), featureKeys.get(2), FeatureKeys.item("genre", "unpublished")},
                    new float[] {0.5f, 0.25f, 0.25f});
            published.put(id, Update.of(v, f));
            cache.putItem(id, v, f);
        }
        cache.recomposeAll();
        ItemSnapshot snap = ItemSnapshot.empty(true).apply(published, new SnapshotVersion(1, 0, 0),
                l.querySpec().toJson());
        for (int i = 0; i < 30; i++) {
            String id = "i" + i;
            assertArrayEquals(cache.get(id), snap.matrix.vector(snap.matrix.ordinal(id)), id);
        }

        // A user's interactions, with a repeat and an item never published ("new"): the trainer's history and the
        // serving node's recent items (by interaction sequence) must agree, and so must the queries.
        UserState u = l.newUser("u");
        u.vector = random(r, len);
        u.vector[len - 1] = 1f;
        List<String> interactions = List.of("i1", "i4", "new", "i7", "i2", "i4", "i9", "i3");
        Map<String, Long> seen = new LinkedHashMap<>(); // the seen store: one row per item, its latest sequence number
        long seq = 0;
        for (String item : interactions) {
            u.remember(item, p.historyMax());
            seen.put(item, ++seq);
        }
        Recommender.RecentItems recent = new Recommender.RecentItems(l.querySpec().historySize());
        seen.forEach((item, s) -> recent.offer(item, s, 1000L));
        cache.put("new", l.initialItemVector("new")); // the trainer caches a never-published positive so
        long time = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli(); // 14:00 in Berlin, a Wednesday
        Map<String, String> props = Map.of("device", "Mobile");
        float[] trainer = l.queryVector(u, cache, l.contextOf(time, props));

        List<String> latest = recent.oldestFirst();
        assertEquals(List.of("i7", "i2", "i4", "i9", "i3"), latest);
        ZonedDateTime t = Instant.ofEpochMilli(time).atZone(ZoneId.of("Europe/Berlin"));
        float[] serving = Recommender.query(snap, u.vector, latest,
                new QueryContext(t.getHour(), t.getDayOfWeek().getValue(), props));
        assertArrayEquals(trainer, serving);

        // And with the never-published item among the latest ones (serving counts it at its initial vector too).
        List<String> withNew = new ArrayList<>(List.of("new", "i2", "i9"));
        UserState v = l.newUser("v");
        for (String item : withNew) {
            v.remember(item, p.historyMax());
        }
        float[] trainerV = l.queryVector(v, cache, l.contextOf(time, null));
        float[] servingV = Recommender.query(snap, v.vector, withNew,
                new QueryContext(t.getHour(), t.getDayOfWeek().getValue(), Map.of()));
        assertArrayEquals(trainerV, servingV);
        assertTrue(snap.matrix.ordinal("new") < 0, "never published, so serving has no row for it");
    }

    /**
     * With the popularity prior (the default weight), serving's row for an item is the trainer cache's vector with
     * the prior in the bias coordinate, and a query ranks every item the same in both: the trainer's evaluation
     * (ItemVectorCache.rankOf) measures what serving answers.
     */
    @Test
    void popularityPriorRanksAlikeInTheTrainerAndInServing() {
        ModelParams p = ModelParams.defaults().set("model.dim", "8");
        Learner l = new Learner(p);
        QuerySpec spec = l.querySpec();
        assertTrue(spec.popularityPrior() > 0, "the default has a prior");
        int len = l.vectorLength();
        Random r = new Random(3);
        Map<String, Update> published = new LinkedHashMap<>();
        ItemVectorCache cache = new ItemVectorCache(1000, len, 100);
        String feature = FeatureKeys.item("genre", "comedy");
        float[] fv = random(r, len);
        published.put(feature, Update.of(fv));
        cache.putFeature(feature, fv);
        for (int i = 0; i < 200; i++) {
            String id = "i" + i;
            float[] v = random(r, len);
            float popularity = i % 4 == 0 ? 0f : r.nextInt(5_000);
            ItemFeatures f = i % 2 == 0 ? ItemFeatures.NONE
                    : ItemFeatures.of(new String[] {feature}, new float[] {1f});
            Update u = Update.of(v, f, popularity);
            published.put(id, u);
            cache.putItem(id, v, f, spec.prior(popularity));
        }
        cache.recomposeAll();
        ItemSnapshot snap = ItemSnapshot.empty(false).apply(published, new SnapshotVersion(1, 0, 0), spec.toJson());
        for (int i = 0; i < 200; i++) {
            String id = "i" + i;
            float[] row = snap.matrix.vector(snap.matrix.ordinal(id));
            float[] trained = cache.get(id);
            assertArrayEquals(java.util.Arrays.copyOf(trained, len - 1), java.util.Arrays.copyOf(row, len - 1), id);
            assertEquals(trained[len - 1] + cache.priorOf(id), row[len - 1], 1e-6f, id);
        }
        for (int trial = 0; trial < 20; trial++) {
            UserState u = l.newUser("u" + trial);
            float[] q = Recommender.query(snap, u.vector, List.of("i" + trial, "i" + (trial + 7)),
                    new QueryContext(12, 3, Map.of()));
            String target = "i" + r.nextInt(200);
            float[] t = snap.matrix.vector(snap.matrix.ordinal(target));
            double ts = dot(q, t);
            int rank = 0;
            boolean nearTie = false;
            for (int o = 0; o < snap.matrix.size(); o++) {
                double so = dot(q, snap.matrix.vector(o));
                if (!snap.matrix.id(o).equals(target)) {
                    rank += so >= ts ? 1 : 0;
                    nearTie |= Math.abs(so - ts) < 1e-4; // float rounding may order these either way
                }
            }
            if (!nearTie) {
                assertEquals(rank, cache.rankOf(q, target, java.util.Set.of()), target);
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
