package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.features.Composition;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The UserTower's cache composes items from id and feature vectors exactly as {@link Composition} does. */
class FeatureCompositionTest {
    private static final String COMEDY = FeatureKeys.item("genre", "comedy");
    private static final String DRAMA = FeatureKeys.item("genre", "drama");
    private static final String HOUR = FeatureKeys.context("hour", "13");

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void composedVectorsAreBitIdenticalToTheSharedFormulaThroughFeatureUpdates() {
        Random r = new Random(3);
        int len = 9;
        ItemVectorCache c = new ItemVectorCache(10, len, 10);
        Map<String, float[]> features = new HashMap<>();
        features.put(COMEDY, random(r, len));
        features.put(DRAMA, random(r, len));
        features.forEach(c::putFeature);
        ItemFeatures both = ItemFeatures.of(new String[] {COMEDY, DRAMA}, new float[] {0.3f, 0.7f});
        ItemFeatures unpublished = ItemFeatures.of(new String[] {FeatureKeys.item("genre", "new")}, new float[] {1f});
        float[] a = random(r, len);
        float[] b = random(r, len);
        float[] plain = random(r, len);
        c.putItem("a", a, both);
        c.putItem("b", b, unpublished);
        c.put("plain", plain);
        assertArrayEquals(Composition.compose(a, both, features::get), c.get("a"));
        assertArrayEquals(b, c.get("b"), "a feature no one published counts as zero");
        assertArrayEquals(plain, c.get("plain"));
        assertArrayEquals(a, c.idVector("a"));

        // A snapshot moves the features: the items follow once recomposed.
        features.put(COMEDY, random(r, len));
        c.putFeature(COMEDY, features.get(COMEDY));
        c.recomposeAll();
        assertArrayEquals(Composition.compose(a, both, features::get), c.get("a"));
        assertEquals(2, c.composedItems());
        assertEquals(both, c.featuresOf("a"));
        assertEquals(ItemFeatures.NONE, c.featuresOf("plain"));
        assertNull(c.featuresOf("unknown"));
    }

    @Test
    void localUpdatesGoToTheIdPartAndSurviveRecomposition() {
        int len = 3;
        ItemVectorCache c = new ItemVectorCache(10, len, 10);
        c.putFeature(COMEDY, new float[] {1f, 1f, 1f});
        ItemFeatures f = ItemFeatures.of(new String[] {COMEDY}, new float[] {0.5f});
        c.putItem("a", new float[] {1f, 0f, 0f}, f);
        int slot = c.peekSlot("a");
        c.axpyAt(slot, -1f, new float[] {0f, 1f, 0f});
        assertArrayEquals(new float[] {1.5f, -0.5f, 0.5f}, c.get("a"));
        c.recomposeAll();
        assertArrayEquals(new float[] {1.5f, -0.5f, 0.5f}, c.get("a"));
        assertArrayEquals(new float[] {1f, -1f, 0f}, c.idVector("a"));
    }

    @Test
    void removalKeepsEveryOtherItemWithItsVectorFeaturesAndRecency() {
        Random r = new Random(5);
        int len = 4;
        ItemVectorCache c = new ItemVectorCache(4, len, 10);
        c.putFeature(COMEDY, random(r, len));
        ItemFeatures f = ItemFeatures.of(new String[] {COMEDY}, new float[] {1f});
        Map<String, float[]> ids = new HashMap<>();
        for (String id : List.of("w", "x", "y", "z")) {
            ids.put(id, random(r, len));
            c.putItem(id, ids.get(id), id.equals("z") ? f : ItemFeatures.NONE);
        }
        assertTrue(c.remove("x"));
        assertFalse(c.remove("x"));
        assertFalse(c.contains("x"));
        assertEquals(3, c.size());
        assertEquals(List.of("w", "y", "z"), c.idsByRecency());
        assertArrayEquals(ids.get("w"), c.get("w"));
        assertArrayEquals(ids.get("z"), c.idVector("z"), "the moved slot keeps its id part");
        assertEquals(f, c.featuresOf("z"));
        // Ranking sees exactly the remaining items; a new item takes a free slot, the LRU one is evicted next.
        assertEquals(Set.of("w", "y", "z"), Set.copyOf(c.topK(new float[len], 10, Set.of())));
        c.put("n", random(r, len));
        c.put("m", random(r, len));
        assertFalse(c.contains("y"), "the least recently used item (w was read since) was evicted");
        assertTrue(c.contains("w"));
        assertTrue(c.contains("z"));
        assertEquals(1, c.composedItems());
    }

    @Test
    void contextGradientsAreTheQueryGradientScaled() {
        ModelParams p = ModelParams.defaults().set("model.dim", "4").set("model.negatives", "3")
                .set("model.context.weight", "0.5").set("model.features.weight", "0");
        Learner l = new Learner(p);
        ItemVectorCache cache = new ItemVectorCache(100, l.vectorLength());
        NegativeBuffer negatives = new NegativeBuffer(64, 0.5);
        for (int i = 0; i < 20; i++) {
            negatives.add("n" + i);
        }
        cache.putFeature(HOUR, new float[] {1f, 0f, 0f, 0f, 0f});
        UserState u = l.newUser("u");
        String[] context = {HOUR, FeatureKeys.context("weekday", "3")};
        StepResult step = l.train(u, "p", 1f, cache, negatives, new java.util.SplittableRandom(1), context);
        ItemGradient hour = step.itemGradients.stream().filter(g -> g.itemId.equals(HOUR)).findFirst().orElseThrow();
        ItemGradient weekday = step.itemGradients.stream().filter(g -> g.itemId.equals(context[1])).findFirst()
                .orElseThrow();
        float[] expected = new float[5];
        for (int i = 0; i < 4; i++) {
            expected[i] = 0.25f * step.userGradient[i]; // weight 0.5 over two keys
        }
        assertArrayEquals(expected, hour.gradient);
        assertArrayEquals(expected, weekday.gradient, "an unpublished key still learns");
        assertEquals(0f, hour.gradient[4], "no gradient on the bias coordinate");
    }

    @Test
    void featureGradientsAreTheItemGradientsWeightedAndSummedPerFeature() {
        int len = 2;
        ItemVectorCache c = new ItemVectorCache(10, len, 10);
        c.putItem("a", new float[len], ItemFeatures.of(new String[] {COMEDY, DRAMA}, new float[] {0.5f, 0.25f}));
        c.putItem("b", new float[len], ItemFeatures.of(new String[] {COMEDY}, new float[] {2f}));
        c.put("plain", new float[len]);
        List<ItemGradient> items = List.of(new ItemGradient("a", new float[] {1f, 2f}, 3),
                new ItemGradient("b", new float[] {-1f, 1f}, 1), new ItemGradient("plain", new float[] {5f, 5f}, 1),
                new ItemGradient(HOUR, new float[] {7f, 7f}, 1), new ItemGradient("gone", new float[] {1f, 1f}, 1));
        FeatureGradients fg = new FeatureGradients();
        List<ItemGradient> out = fg.expand(items, c);
        assertEquals(items, out.subList(0, items.size()), "the items' own records go out unchanged, first");
        assertEquals(List.of(new ItemGradient(COMEDY, new float[] {0.5f - 2f, 1f + 2f}, 4),
                new ItemGradient(DRAMA, new float[] {0.25f, 0.5f}, 3)), out.subList(items.size(), out.size()));
        assertEquals(1, fg.unknown(), "an item no longer cached sends its id gradient alone");
        assertEquals(items, fg.expand(items.subList(0, 0), c).isEmpty() ? items : List.of(), "state cleared");
    }
}
