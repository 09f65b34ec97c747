package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LearnerTest {

    /** Small vectors; the query is the user vector alone (the history term has its own test below). */
    private static ModelParams small() {
        return ModelParams.defaults().set("model.dim", "4").set("model.negatives", "6")
                .set("model.init-scale", "0.5").set("model.query.history-weight", "0")
                .set("model.logq.positive", "false").set("model.negatives.shared-events", "1");
    }

    private static ItemVectorCache cacheWith(Learner l, String... ids) {
        ItemVectorCache c = new ItemVectorCache(100, l.vectorLength());
        for (String id : ids) {
            float[] v = l.initialItemVector(id);
            v[v.length - 1] = id.length() * 0.1f; // some bias, so the bias coordinate is exercised
            c.put(id, v);
        }
        return c;
    }

    @Test
    void trainSumsGradientsPerItemExactlyAsTheLossDefinesThem() {
        Learner l = new Learner(small());
        ItemVectorCache cache = cacheWith(l, "p", "a", "bb", "ccc", "seen");
        NegativeBuffer buffer = new NegativeBuffer(16, 0.5);
        for (String id : List.of("a", "a", "a", "bb", "bb", "p", "ccc", "seen", "uncached")) {
            buffer.add(id);
        }
        UserState user = l.newUser("u1");
        user.remember("seen", 10);
        float[] before = user.vector.clone();
        NegativeBuffer replay = NegativeBuffer.fromBytes(buffer.toBytes());

        StepResult step = l.train(user, "p", 2f, cache, buffer, new SplittableRandom(42));

        // Re-derive the step by hand from the same draws.
        SplittableRandom rng = new SplittableRandom(42);
        int k = 6;
        String[] ids = new String[k + 1];
        float[][] vecs = new float[k + 1][];
        double[] corr = new double[k + 1];
        boolean[] masked = new boolean[k + 1];
        ids[0] = "p";
        vecs[0] = cache.get("p");
        int maskedCount = 0;
        for (int j = 1; j <= k; j++) {
            ids[j] = replay.sample(rng);
            vecs[j] = l.itemVector(ids[j], cache);
            masked[j] = ids[j].equals("p") || ids[j].equals("seen");
            maskedCount += masked[j] ? 1 : 0;
            corr[j] = masked[j] ? 0 : Math.log(k * replay.probability(ids[j]));
        }
        SampledSoftmax.Result r = SampledSoftmax.compute(before, vecs, corr, masked, 1f, 2f);
        assertEquals(r.loss, step.loss, 1e-9);
        assertEquals(maskedCount, step.negativesMasked);
        Map<String, float[]> expected = new LinkedHashMap<>();
        Map<String, Integer> appearances = new HashMap<>();
        for (int j = 0; j <= k; j++) {
            if (!masked[j]) {
                Vectors.axpy(r.candidateCoefficients[j], before,
                        expected.computeIfAbsent(ids[j], x -> new float[before.length]));
                appearances.merge(ids[j], 1, Integer::sum);
            }
        }
        List<String> got = new ArrayList<>();
        for (ItemGradient g : step.itemGradients) {
            got.add(g.itemId);
            assertArrayEquals(expected.get(g.itemId), g.gradient, 1e-6f, g.itemId);
            assertEquals(appearances.get(g.itemId), g.appearances);
            // The bias coordinate's gradient is the summed coefficient (user side carries a 1 there).
        }
        assertEquals(new ArrayList<>(expected.keySet()), got);
        assertEquals("p", got.get(0));
        assertFalse(got.contains("seen"), "history items are masked out of the loss");

        // The user moved by one Adagrad step on the learned coordinates; the constant 1 stayed.
        float[] v = before.clone();
        float[] acc = l.newUser("u1").accumulator;
        Adagrad.step(v, acc, r.queryGradient, 4, (float) small().userLearningRate(), 0f, 4);
        assertArrayEquals(v, user.vector, 1e-7f);
        assertEquals(1f, user.vector[4]);
        assertEquals(List.of("seen", "p"), user.history);
        assertEquals(1, user.events);
        assertEquals("p", buffer.contents().get(buffer.size() - 1));
    }

    /**
     * With {@code model.negatives.shared-events} 3, three consecutive steps (different users and positives) score
     * against one draw of negatives, made with the first step's random source; each step's loss is the sampled
     * softmax over those draws (repeats as separate terms), and the third step returns, besides its positive, each
     * drawn item's gradient summed over the three steps. A fourth step draws anew; closing early returns its sums.
     */
    @Test
    void sharedNegativesAreOneDrawSummedOverTheWindow() {
        ModelParams p = small().set("model.negatives.shared-events", "3").set("model.cache.local-learning-rate", "0");
        Learner l = new Learner(p);
        ItemVectorCache cache = cacheWith(l, "p", "a", "bb", "ccc", "dddd");
        NegativeBuffer buffer = new NegativeBuffer(16, 0.5);
        for (String id : List.of("a", "a", "a", "bb", "bb", "p", "ccc", "dddd")) {
            buffer.add(id);
        }
        NegativeBuffer replay = NegativeBuffer.fromBytes(buffer.toBytes());
        String[] positives = {"p", "a", "ccc"};
        UserState[] users = {l.newUser("u1"), l.newUser("u2"), l.newUser("u3")};
        float[][] queries = new float[3][];
        StepResult[] steps = new StepResult[3];
        for (int i = 0; i < 3; i++) {
            queries[i] = users[i].vector.clone();
            steps[i] = l.train(users[i], positives[i], 1f, cache, buffer, new SplittableRandom(40 + i));
        }

        // The window as drawn by the first step, from the buffer as it was then.
        int k = 6;
        SplittableRandom rng = new SplittableRandom(40);
        String[] draws = new String[k];
        double[] drawCorrection = new double[k];
        for (int j = 0; j < k; j++) {
            draws[j] = replay.sample(rng);
            drawCorrection[j] = Math.log(k * replay.probability(draws[j]));
        }
        Map<String, float[]> expected = new LinkedHashMap<>();
        Map<String, Integer> appearances = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            float[][] vecs = new float[k + 1][];
            double[] corr = new double[k + 1];
            boolean[] masked = new boolean[k + 1];
            vecs[0] = cache.get(positives[i]);
            for (int j = 0; j < k; j++) {
                vecs[j + 1] = cache.get(draws[j]);
                masked[j + 1] = draws[j].equals(positives[i]);
                corr[j + 1] = drawCorrection[j];
            }
            SampledSoftmax.Result r = SampledSoftmax.compute(queries[i], vecs, corr, masked, 1f, 1f);
            assertEquals(r.loss, steps[i].loss, 1e-9, "step " + i);
            ItemGradient positive = steps[i].itemGradients.get(0);
            assertEquals(positives[i], positive.itemId);
            assertArrayEquals(r.candidateGradient(0, queries[i]), positive.gradient, 1e-6f);
            for (int j = 0; j < k; j++) {
                if (!masked[j + 1]) {
                    Vectors.axpy(r.candidateCoefficients[j + 1], queries[i],
                            expected.computeIfAbsent(draws[j], x -> new float[queries[0].length]));
                    appearances.merge(draws[j], 1, Integer::sum);
                }
            }
        }
        assertEquals(1, steps[0].itemGradients.size(), "the window is still open: the positive only");
        assertEquals(1, steps[1].itemGradients.size());
        List<ItemGradient> closing = steps[2].itemGradients.subList(1, steps[2].itemGradients.size());
        assertEquals(new ArrayList<>(expected.keySet()), closing.stream().map(g -> g.itemId).toList());
        for (ItemGradient g : closing) {
            assertArrayEquals(expected.get(g.itemId), g.gradient, 1e-6f, g.itemId);
            assertEquals(appearances.get(g.itemId), g.appearances, g.itemId);
        }

        // A fourth step opens a new window (drawn with its own random source); closing it early returns its sums.
        StepResult fourth = l.train(l.newUser("u4"), "bb", 1f, cache, buffer, new SplittableRandom(7));
        assertEquals(1, fourth.itemGradients.size());
        StepResult rest = l.closeNegatives(buffer);
        assertFalse(rest.itemGradients.isEmpty());
        assertEquals(k - fourth.negativesMasked, rest.itemGradients.stream().mapToInt(g -> g.appearances).sum());
        assertTrue(l.closeNegatives(buffer).itemGradients.isEmpty(), "closed: nothing left");
    }

    /**
     * End to end, in the most involved configuration (normalized vectors, temperature, item bias, decayed history
     * in the query with gradients to the history items, logQ on positive and negatives, history masking): the user
     * gradient that train applies and every item gradient it emits match central differences of train's own loss.
     */
    @Test
    void normalizedHistoryQueryGradientsMatchFiniteDifferences() {
        ModelParams p = small().set("model.normalize", "true").set("model.temperature", "0.2")
                .set("model.query.history-weight", "0.7").set("model.query.history-size", "2")
                .set("model.query.history-decay", "0.5").set("model.query.history-gradient", "true")
                .set("model.logq.positive", "true").set("model.negatives", "5");
        Learner l = new Learner(p);
        ItemVectorCache cache = cacheWith(l, "p", "a", "bb", "ccc", "h1", "h2");
        NegativeBuffer buffer = new NegativeBuffer(16, 0.5);
        for (String id : List.of("a", "bb", "bb", "ccc", "p", "h1", "a")) {
            buffer.add(id);
        }
        UserState user = l.newUser("u");
        user.remember("h1", 10);
        user.remember("h2", 10);
        long seed = 99L;
        StepResult step = l.train(copy(user), "p", 1.3f, cache, NegativeBuffer.fromBytes(buffer.toBytes()),
                new SplittableRandom(seed));
        double h = 1e-3;
        for (int i = 0; i < 4; i++) {
            UserState up = copy(user);
            up.vector[i] += h;
            UserState down = copy(user);
            down.vector[i] -= h;
            double fd = (lossOf(l, up, cache, buffer, seed) - lossOf(l, down, cache, buffer, seed)) / (2 * h);
            assertEquals(fd, step.userGradient[i], 2e-3 * Math.max(1, Math.abs(fd)), "user coordinate " + i);
        }
        // Item gradients are with respect to the published (cached) vector, bias included.
        for (ItemGradient g : step.itemGradients) {
            for (int i = 0; i < 5; i++) {
                float[] v = cache.get(g.itemId);
                float keep = v[i];
                v[i] = (float) (keep + h);
                cache.put(g.itemId, v);
                double up = lossOf(l, user, cache, buffer, seed);
                v[i] = (float) (keep - h);
                cache.put(g.itemId, v);
                double down = lossOf(l, user, cache, buffer, seed);
                v[i] = keep;
                cache.put(g.itemId, v);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, g.gradient[i], 2e-3 * Math.max(1, Math.abs(fd)), g.itemId + "[" + i + "]");
            }
        }
        // The history items in the query received gradients too (and were checked above).
        assertTrue(step.itemGradients.stream().anyMatch(g -> g.itemId.equals("h2")), step.itemGradients.toString());
    }

    private static UserState copy(UserState u) {
        return UserState.fromBytes(u.toBytes());
    }

    private static double lossOf(Learner l, UserState u, ItemVectorCache cache, NegativeBuffer buffer, long seed) {
        return l.train(copy(u), "p", 1.3f, cache, NegativeBuffer.fromBytes(buffer.toBytes()),
                new SplittableRandom(seed)).loss;
    }

    @Test
    void normalizationJacobianMatchesFiniteDifferences() {
        VectorForms l = new VectorForms(small().set("model.normalize", "true").validate());
        SplittableRandom rnd = new SplittableRandom(4);
        float[] raw = new float[5];
        float[] c = new float[5];
        for (int i = 0; i < 4; i++) {
            raw[i] = (float) rnd.nextGaussian();
            c[i] = (float) rnd.nextGaussian();
        }
        // f(x) = c . (x / |x|); its gradient is (c - (c . x^) x^) / |x|.
        float[] g = c.clone();
        l.throughNormalization(g, raw);
        double h = 1e-4;
        for (int i = 0; i < 4; i++) {
            double[] up = new double[4];
            double[] down = new double[4];
            for (int k = 0; k < 4; k++) {
                up[k] = raw[k];
                down[k] = raw[k];
            }
            up[i] += h;
            down[i] -= h;
            assertEquals((cosine(c, up) - cosine(c, down)) / (2 * h), g[i], 1e-4);
        }
    }

    private static double cosine(float[] c, double[] x) {
        double n = 0;
        double d = 0;
        for (int k = 0; k < 4; k++) {
            n += x[k] * x[k];
            d += c[k] * x[k];
        }
        return d / Math.sqrt(n);
    }

    @Test
    void sameEventSeedGivesTheSameStep() {
        Learner l = new Learner(small());
        List<StepResult> results = new ArrayList<>();
        List<float[]> users = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            ItemVectorCache cache = cacheWith(l, "a", "b", "c");
            NegativeBuffer buffer = new NegativeBuffer(8, 0.5);
            for (String id : List.of("a", "b", "c", "b")) {
                buffer.add(id);
            }
            UserState u = l.newUser("u");
            long seed = l.eventSeed("u", "a", 1234L);
            results.add(l.train(u, "a", 1f, cache, buffer, new SplittableRandom(seed)));
            users.add(u.vector);
        }
        assertEquals(results.get(0).loss, results.get(1).loss, 0.0);
        assertArrayEquals(users.get(0), users.get(1));
        assertNotEquals(l.eventSeed("u", "a", 1L), l.eventSeed("u", "a", 2L));
    }

    @Test
    void emptyBufferOrZeroWeightRecordsHistoryButLearnsNothing() {
        Learner l = new Learner(small());
        ItemVectorCache cache = cacheWith(l, "a");
        UserState u = l.newUser("u");
        float[] before = u.vector.clone();
        NegativeBuffer empty = new NegativeBuffer(4, 0.5);
        StepResult s = l.train(u, "a", 1f, cache, empty, new SplittableRandom(1));
        assertTrue(s.itemGradients.isEmpty());
        assertArrayEquals(before, u.vector);
        assertEquals(List.of("a"), u.history);
        assertEquals(1, empty.size());
        StepResult z = l.train(u, "b", 0f, cache, empty, new SplittableRandom(1));
        assertTrue(z.itemGradients.isEmpty());
        assertEquals(List.of("a", "b"), u.history);
    }

    @Test
    void itemSideAppliesAdagradWithL2OnTheEmbeddingOnly() {
        Learner l = new Learner(small().set("model.l2", "0.1"));
        ItemState item = l.newItem("x");
        float[] v = item.vector.clone();
        float[] acc = item.accumulator.clone();
        float[] g = {0.1f, -0.2f, 0.3f, 0f, 0.5f};
        l.applyItemGradient(item, g, 1);
        Adagrad.step(v, acc, g, 5, (float) small().learningRate(), 0.1f, 4);
        assertArrayEquals(v, item.vector);
        assertEquals(1, item.updates);
    }

    @Test
    void itemL2CountsEverySummedAppearance() {
        Learner l = new Learner(small().set("model.l2", "0.1"));
        ItemState item = l.newItem("x");
        float[] v = item.vector.clone();
        float[] acc = item.accumulator.clone();
        float[] g = {0.1f, -0.2f, 0.3f, 0f, 0.5f};
        l.applyItemGradient(item, g, 3);
        // Three appearances summed in one record: the L2 term is what three separate records would have added.
        Adagrad.step(v, acc, g, 5, (float) small().learningRate(), 0.3f, 4);
        assertArrayEquals(v, item.vector, 1e-7f);
    }

    @Test
    void historyIsBoundedAndRefreshedOnRepeat() {
        UserState u = new Learner(small()).newUser("u");
        for (String id : List.of("a", "b", "c", "a", "d")) {
            u.remember(id, 3);
        }
        assertEquals(List.of("c", "a", "d"), u.history);
    }

    @Test
    void userAndItemStatesRoundTripThroughBytes() {
        Learner l = new Learner(small());
        UserState u = l.newUser("u");
        u.remember("a", 5);
        u.events = 3;
        u.lastEventTime = 99L;
        UserState u2 = UserState.fromBytes(u.toBytes());
        assertArrayEquals(u.vector, u2.vector);
        assertArrayEquals(u.accumulator, u2.accumulator);
        assertEquals(u.history, u2.history);
        assertEquals(3, u2.events);
        assertEquals(99L, u2.lastEventTime);
        ItemState i = l.newItem("i");
        i.updates = 7;
        ItemState i2 = ItemState.fromBytes(i.toBytes());
        assertArrayEquals(i.vector, i2.vector);
        assertEquals(7, i2.updates);
    }

    @Test
    void gradientBundleSumsPerItemAndRoundTrips() {
        GradientBundle b = new GradientBundle();
        b.addEvent(List.of(new ItemGradient("a", new float[] {1, 2}, 1), new ItemGradient("b", new float[] {1, 1}, 2)));
        b.addEvent(List.of(new ItemGradient("a", new float[] {0.5f, -1}, 3)));
        assertEquals(2, b.events());
        GradientBundle r = GradientBundle.fromBytes(b.toBytes());
        List<ItemGradient> out = b.drain();
        assertEquals(List.of(new ItemGradient("a", new float[] {1.5f, 1}, 4),
                new ItemGradient("b", new float[] {1, 1}, 2)), out);
        assertTrue(b.isEmpty());
        assertEquals(0, b.events());
        assertEquals(out, r.drain());
    }

    /**
     * An item's popularity (published for the popularity prior) counts the events that had it as their positive:
     * once per event, through the training step, the bundle (also across a snapshot of it) and the ItemTower's
     * update, and never for an appearance as a negative or in a history.
     */
    @Test
    void positivesAreCountedOncePerEventIntoTheItemState() {
        Learner l = new Learner(small());
        ItemVectorCache cache = cacheWith(l, "p", "a", "bb", "ccc");
        NegativeBuffer buffer = new NegativeBuffer(16, 0.5);
        for (String id : List.of("a", "bb", "p", "ccc")) {
            buffer.add(id);
        }
        GradientBundle bundle = new GradientBundle();
        UserState u = l.newUser("u");
        String[] positives = {"p", "a", "p", "p"}; // u's history holds p and a after the first two
        for (int i = 0; i < positives.length; i++) {
            bundle.addEvent(l.train(u, positives[i], 1f, cache, buffer, new SplittableRandom(i)));
            u.remember(positives[i], 10);
            if (i == 1) {
                bundle = GradientBundle.fromBytes(bundle.toBytes()); // a checkpoint in between
            }
        }
        bundle.addGradients(l.closeNegatives(buffer));
        Map<String, ItemState> items = new HashMap<>();
        for (ItemGradient g : bundle.drain()) {
            l.applyItemGradient(items.computeIfAbsent(g.itemId, l::newItem), g.gradient, g.appearances, g.positives);
        }
        assertEquals(3, items.get("p").positives);
        assertEquals(1, items.get("a").positives);
        for (String negative : List.of("bb", "ccc")) {
            if (items.containsKey(negative)) {
                assertEquals(0, items.get(negative).positives, negative);
            }
        }
        assertEquals(3, ItemState.fromBytes(items.get("p").toBytes()).positives);
    }

    /**
     * The bundle's slot fast path (rows found through the cache slot each gradient had) sums exactly like summing by
     * id, also when a slot is reused by another item, when the same item arrives with and without a slot, and
     * across drains.
     */
    @Test
    void gradientBundleBySlotSumsExactlyLikeById() {
        SplittableRandom rng = new SplittableRandom(5);
        GradientBundle bySlot = new GradientBundle();
        GradientBundle byId = new GradientBundle();
        String[] items = {"a", "b", "c", "d", "e", "f", "Aa", "BB"}; // "Aa" and "BB" share a hash code
        for (int round = 0; round < 3; round++) {
            for (int event = 0; event < 200; event++) {
                List<ItemGradient> gradients = new ArrayList<>();
                int[] slots = new int[1 + rng.nextInt(6)];
                for (int i = 0; i < slots.length; i++) {
                    float[] g = {(float) rng.nextGaussian(), (float) rng.nextGaussian(), (float) rng.nextGaussian()};
                    gradients.add(new ItemGradient(items[rng.nextInt(items.length)], g, 1 + rng.nextInt(3)));
                    // Few slots for many items: slots are reused by other items all the time; -1 is "no slot".
                    slots[i] = rng.nextInt(4) - 1;
                }
                bySlot.addEvent(new StepResult(0, gradients, 0, 0, null, slots));
                byId.addEvent(gradients);
            }
            assertEquals(byId.events(), bySlot.events());
            assertEquals(byId.drain(), bySlot.drain(), "round " + round);
        }
    }

    /** Membership in the history, including ids whose hash codes collide, and an empty history. */
    @Test
    void historyIndexAnswersMembershipExactly() {
        List<String> history = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            history.add("item-" + (i * 7));
        }
        history.add("Aa");
        HistoryIndex index = HistoryIndex.of(history);
        for (int i = 0; i < 3000; i++) {
            String id = "item-" + i;
            assertEquals(history.contains(id), index.contains(id), id);
        }
        assertTrue(index.contains("Aa"));
        assertFalse(index.contains("BB"), "same hash code as Aa, different id");
        assertFalse(HistoryIndex.of(List.of()).contains("Aa"));
    }

    /**
     * The index kept in step with the history: random adds and removes (with colliding hash codes and long probe
     * runs in a small table) answer exactly like a HashSet; remember() keeps it equal to the history list.
     */
    @Test
    void historyIndexFollowsAddsRemovesAndRemember() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        HistoryIndex index = HistoryIndex.of(List.of());
        java.util.Set<String> truth = new java.util.HashSet<>();
        String[] ids = new String[200];
        for (int i = 0; i < ids.length; i++) {
            // "Aa" and "BB" share a hash code, so these pairs collide.
            ids[i] = (i % 2 == 0 ? "Aa" : "BB") + (i / 2);
        }
        for (int step = 0; step < 20_000; step++) {
            String id = ids[rnd.nextInt(ids.length)];
            if (rnd.nextBoolean()) {
                if (!truth.contains(id)) {
                    index.add(id);
                    truth.add(id);
                }
            } else {
                index.remove(id);
                truth.remove(id);
            }
            String probe = ids[rnd.nextInt(ids.length)];
            assertEquals(truth.contains(probe), index.contains(probe), "step " + step + " " + probe);
            assertEquals(truth.size(), index.size());
        }
        for (String id : ids) {
            assertEquals(truth.contains(id), index.contains(id), id);
        }

        UserState u = new UserState(new float[2], new float[2]);
        for (int step = 0; step < 5_000; step++) {
            u.remember(ids[rnd.nextInt(40)], 25);
            assertEquals(new java.util.HashSet<>(u.history).size(), u.history.size(), "distinct");
            String probe = ids[rnd.nextInt(40)];
            assertEquals(u.history.contains(probe), u.historyIndex().contains(probe), "step " + step);
            assertEquals(u.history.size(), u.historyIndex().size());
        }
        assertEquals(25, u.history.size());
    }

    /**
     * Training reads candidate vectors through cache slots (remembered per negative-buffer entry): with a cache too
     * small for one step's candidates, slots are evicted and reused within the step, and the result must still be
     * what a large cache gives (every vector here is the initial one, so both caches agree on all of them).
     */
    @Test
    void trainIsUnaffectedByEvictionsWithinTheStep() {
        ModelParams p = small().set("model.negatives", "16").set("model.cache.local-learning-rate", "0")
                .set("model.query.history-weight", "0.5").set("model.query.history-gradient", "true");
        Learner l = new Learner(p);
        ItemVectorCache tiny = new ItemVectorCache(2, l.vectorLength());
        ItemVectorCache large = new ItemVectorCache(1000, l.vectorLength());
        NegativeBuffer tinyBuffer = new NegativeBuffer(64, 0.5);
        NegativeBuffer largeBuffer = new NegativeBuffer(64, 0.5);
        Map<String, UserState> tinyUsers = new HashMap<>();
        Map<String, UserState> largeUsers = new HashMap<>();
        SplittableRandom items = new SplittableRandom(3);
        int learned = 0;
        for (int event = 0; event < 300; event++) {
            String item = "i" + items.nextInt(40);
            String user = "u" + items.nextInt(100);
            StepResult a = l.train(tinyUsers.computeIfAbsent(user, l::newUser), item, 1f, tiny, tinyBuffer,
                    new SplittableRandom(event));
            StepResult b = l.train(largeUsers.computeIfAbsent(user, l::newUser), item, 1f, large, largeBuffer,
                    new SplittableRandom(event));
            l.applyLocally(tiny, a);
            assertEquals(b.loss, a.loss, 0.0, "event " + event);
            assertEquals(b.itemGradients, a.itemGradients, "event " + event);
            learned += a.itemGradients.size() > 1 ? 1 : 0;
        }
        assertTrue(learned > 250, "events with negatives: " + learned);
        for (String u : largeUsers.keySet()) {
            assertArrayEquals(largeUsers.get(u).vector, tinyUsers.get(u).vector, u);
        }
        assertTrue(tiny.size() <= 2);
    }
}
