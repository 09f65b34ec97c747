package io.streamrec.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RankerModelTest {
    private static final RankerConfig SMALL = new RankerConfig(8, 4, 0.01f, 0.1f, 0f, 64, 7L);

    @Test
    void scoresAreTheForwardPassComputedByHand() {
        RankerModel m = randomWeights(RankerModel.create(SMALL, 2), 3);
        RankerBatch b = new RankerBatch(2, 2);
        float[] q = {0.5f, 1f};
        float[] v = {-0.25f, 0.75f};
        b.add("u", q, "i", v, 0.625f);
        b.add("u2", new float[] {1f, 1f}, "j", new float[] {2f, -1f}, 1f);
        RankerModel.Scores s = m.score(b);
        float[] theta = theta(m);
        for (int row = 0; row < 2; row++) {
            float[] x = new float[7];
            System.arraycopy(b.features, row * 7, x, 0, 7);
            float[] out = forward(theta, x, 8, 4);
            assertEquals(out[0], s.logits()[row], 1e-5f);
            assertEquals(out[1], s.ratings()[row], 1e-5f); // no ratings seen: mean and biases are 0
        }
        assertEquals(0.5f * -0.25f, b.features[4], 0f); // the product features
        assertEquals(0.625f - 1f, b.features[6], 0f); // the score, relative to the list's best
    }

    @Test
    void aNewRankerOrdersAsRetrievalDoes() {
        RankerModel m = RankerModel.create(SMALL, 3);
        RankerBatch b = batch(3, 4);
        float[] logits = m.score(b).logits();
        for (int i = 0; i < b.size(); i++) {
            assertEquals(b.features[i * b.width + b.width - 1], logits[i], 1e-6f);
        }
    }

    @Test
    void gradientStepMatchesFiniteDifferences() {
        // One plain-SGD-equivalent check: the first Adam step moves every weight by -lr * sign(gradient), so the
        // direction of each move must agree with a finite-difference gradient of the loss.
        RankerModel m = randomWeights(RankerModel.create(new RankerConfig(3, 2, 1e-3f, 0.1f, 0f, 16, 3L), 2), 4);
        RankerBatch b = new RankerBatch(2, 3);
        b.add("u", new float[] {0.3f, 1f}, "a", new float[] {0.2f, 0.4f}, 0.46f, 1f, 1f, 4f, 1f);
        b.add("u", new float[] {0.3f, 1f}, "b", new float[] {-0.5f, 0.1f}, -0.05f, 0f, 2f, 0f, 0f);
        b.add("w", new float[] {-1f, 1f}, "c", new float[] {0.7f, -0.2f}, -0.9f, 1f, 1f, 2f, 1f);
        float[] before = theta(m);
        RankerModel probe = RankerModel.fromBytes(m.toBytes());
        m.train(b);
        float[] after = theta(m);
        int agree = 0;
        int checked = 0;
        for (int i = 0; i < before.length; i++) {
            double g = numericGradient(probe, b, before, i);
            if (Math.abs(g) < 1e-3) {
                continue;
            }
            checked++;
            float moved = after[i] - before[i];
            assertEquals(1e-3, Math.abs(moved), 2e-4, "first Adam step of weight " + i);
            if (Math.signum(moved) == -Math.signum(g)) {
                agree++;
            }
        }
        assertTrue(checked > 10, "checked " + checked);
        assertEquals(checked, agree);
    }

    /** The loss of the batch as train computes it, from a plain-Java forward pass, with weight i nudged. */
    private static double numericGradient(RankerModel m, RankerBatch b, float[] theta, int i) {
        float h = 1e-3f;
        float[] plus = theta.clone();
        plus[i] += h;
        float[] minus = theta.clone();
        minus[i] -= h;
        return (loss(plus, b, 3, 2) - loss(minus, b, 3, 2)) / (2 * h);
    }

    private static double loss(float[] theta, RankerBatch b, int h1, int h2) {
        // One list (no beginList): a softmax over its rows, the positives' weighted log-likelihood. The two rating
        // rows have ratings 4 and 2, so the running mean before the step is 3; biases 0.
        int w = b.width;
        double[] logits = new double[b.size()];
        double rate = 0;
        double rateW = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < b.size(); r++) {
            float[] x = new float[w];
            System.arraycopy(b.features, r * w, x, 0, w);
            float[] out = forward(theta, x, h1, h2);
            logits[r] = out[0];
            max = Math.max(max, out[0]);
            double d = out[1] + 3.0 - b.ratings[r];
            rate += b.ratingWeights[r] * d * d;
            rateW += b.ratingWeights[r];
        }
        double z = 0;
        for (double l : logits) {
            z += Math.exp(l - max);
        }
        double logZ = max + Math.log(z);
        double imp = 0;
        double impW = 0;
        for (int r = 0; r < b.size(); r++) {
            if (b.labels[r] > 0) {
                imp -= b.implicitWeights[r] * (logits[r] - logZ);
                impW += b.implicitWeights[r];
            }
        }
        return imp / impW + rate / rateW;
    }

    @Test
    void learnsWhichCandidatesUsersActOnAndTheirRatings() {
        // Users act on items whose vector points their way; ratings are 3 + a user bias + an item bias.
        Random rnd = new Random(5);
        RankerModel m = RankerModel.create(new RankerConfig(16, 8, 0.01f, 0.1f, 0f, 256, 1L), 4);
        double firstRmse = 0;
        double lastRmse = 0;
        int correct = 0;
        int pairs = 0;
        for (int step = 0; step < 400; step++) {
            RankerBatch b = new RankerBatch(4, 64);
            for (int e = 0; e < 32; e++) {
                int u = rnd.nextInt(20);
                float[] q = unit(new float[] {(float) Math.cos(u), (float) Math.sin(u), 0.1f, 1f});
                float[] pos = unit(new float[] {(float) Math.cos(u + 0.2), (float) Math.sin(u + 0.2), 0.3f, 0.5f});
                float[] neg = unit(new float[] {(float) Math.cos(u + 3), (float) Math.sin(u + 3), 0.3f, 0.5f});
                int item = rnd.nextInt(30);
                float rating = 3f + (u % 3) - 1f + (item % 2 == 0 ? 0.5f : -0.5f);
                b.beginList();
                b.add("u" + u, q, "i" + item, pos, dot(q, pos), 1f, 1f, rating, 1f);
                b.add("u" + u, q, "n" + item, neg, dot(q, neg), 0f, 1f, 0f, 0f);
            }
            if (step == 0 || step == 399) {
                RankerModel.Scores s = m.score(b);
                double se = 0;
                for (int r = 0; r < b.size(); r += 2) {
                    double d = s.ratings()[r] - b.ratings[r];
                    se += d * d;
                    if (step == 399) {
                        pairs++;
                        correct += s.logits()[r] > s.logits()[r + 1] ? 1 : 0;
                    }
                }
                double rmse = Math.sqrt(se / (b.size() / 2));
                if (step == 0) {
                    firstRmse = rmse;
                } else {
                    lastRmse = rmse;
                }
            }
            m.train(b);
        }
        assertEquals(pairs, correct, "the positive outranks its negative");
        assertTrue(lastRmse < 0.35 && lastRmse < firstRmse / 3, firstRmse + " -> " + lastRmse);
        assertEquals(400, m.version());
    }

    @Test
    void aBatchWithNothingToLearnChangesNothing() {
        RankerModel m = RankerModel.create(SMALL, 2);
        RankerBatch b = new RankerBatch(2, 2);
        b.beginList();
        b.add("u", new float[] {1f, 0f}, "i", new float[] {0f, 1f}, 0f, 1f, 1f, 0f, 0f); // a positive alone
        b.beginList();
        b.add("u", new float[] {1f, 0f}, "j", new float[] {1f, 1f}, 1f, 0f, 0f, 0f, 0f); // no weight at all
        byte[] before = m.toBytes();
        assertEquals(0f, m.train(b));
        assertArrayEquals(before, m.toBytes());
        assertEquals(0, m.version());
    }

    @Test
    void aRestoredModelContinuesExactly() {
        RankerModel a = RankerModel.create(SMALL, 3);
        RankerBatch b = batch(3, 11);
        a.train(b);
        RankerModel restored = RankerModel.fromBytes(a.toBytes());
        a.train(batch(3, 12));
        restored.train(batch(3, 12));
        assertArrayEquals(a.toBytes(), restored.toBytes());
        assertEquals(2, restored.version());
    }

    @Test
    void aPublishedModelScoresTheSameAndCannotLearn() {
        RankerModel a = RankerModel.create(SMALL, 3);
        a.train(batch(3, 1));
        byte[] published = a.toPublishedBytes();
        assertTrue(published.length < a.toBytes().length);
        RankerModel p = RankerModel.fromBytes(published);
        RankerModel.Scores x = a.score(batch(3, 2));
        RankerModel.Scores y = p.score(batch(3, 2));
        assertArrayEquals(x.logits(), y.logits());
        assertArrayEquals(x.ratings(), y.ratings());
        assertEquals(1, p.version());
        assertThrows(IllegalStateException.class, () -> p.train(batch(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> RankerModel.fromBytes(new byte[] {1, 2, 3, 4}));
        // A header that promises more than the record holds is refused before anything is allocated.
        byte[] huge = published.clone();
        ByteBuffer.wrap(huge).putInt(12, 1_000_000); // the vector length
        assertThrows(IllegalArgumentException.class, () -> RankerModel.fromBytes(huge));
        assertThrows(IllegalArgumentException.class, () -> RankerModel.fromBytes(
                java.util.Arrays.copyOf(published, published.length - 4)));
    }

    @Test
    void configProblemsNameTheirKeys() {
        RankerConfig bad = new RankerConfig(0, 4, 0f, 0.1f, 0f, 1 << 20, 1L);
        String msg = assertThrows(IllegalArgumentException.class, bad::validate).getMessage();
        assertTrue(msg.contains("ranker.hidden ") && msg.contains("ranker.learning-rate")
                && msg.contains("ranker.buckets"), msg);
        assertThrows(IllegalArgumentException.class, () -> RankerModel.create(SMALL, 4).score(batch(3, 1)));
    }

    private static RankerBatch batch(int len, long seed) {
        Random rnd = new Random(seed);
        RankerBatch b = new RankerBatch(len, 8);
        for (int i = 0; i < 8; i++) {
            float[] q = new float[len];
            float[] v = new float[len];
            for (int d = 0; d < len; d++) {
                q[d] = (float) rnd.nextGaussian();
                v[d] = (float) rnd.nextGaussian();
            }
            b.add("u" + rnd.nextInt(3), q, "i" + rnd.nextInt(5), v, dot(q, v), i % 2, 1f, 1 + rnd.nextInt(5),
                    i % 3 == 0 ? 1f : 0f);
        }
        return b;
    }

    /** A plain-Java forward pass: x W1 + b1, relu, W2 + b2, relu, W3 + b3; the logit plus wide x score. */
    private static float[] forward(float[] t, float[] x, int h1, int h2) {
        int w = x.length;
        int o = 0;
        float[] a = layer(t, o, x, w, h1, true);
        o += w * h1 + h1;
        float[] c = layer(t, o, a, h1, h2, true);
        o += h1 * h2 + h2;
        float[] out = layer(t, o, c, h2, 2, false);
        out[0] += t[t.length - 1] * x[w - 1];
        return out;
    }

    private static float[] layer(float[] t, int o, float[] in, int n, int out, boolean relu) {
        float[] r = new float[out];
        for (int j = 0; j < out; j++) {
            double s = t[o + n * out + j];
            for (int i = 0; i < n; i++) {
                s += in[i] * t[o + i * out + j];
            }
            r[j] = relu ? (float) Math.max(0, s) : (float) s;
        }
        return r;
    }

    /** The model with every network weight drawn at random (a new model's output layer is 0). */
    private static RankerModel randomWeights(RankerModel m, long seed) {
        ByteBuffer b = ByteBuffer.wrap(m.toBytes());
        Random rnd = new Random(seed);
        int n = RankerModel.paramCount(m.config(), RankerBatch.featureWidth(m.vectorLength()));
        for (int i = 0; i < n; i++) {
            b.putFloat(THETA_OFFSET + 4 * i, (float) (rnd.nextGaussian() * 0.7));
        }
        return RankerModel.fromBytes(b.array());
    }

    /** Where the network's weights start in the model's bytes (after the header). */
    private static final int THETA_OFFSET = 4 * 4 + 4 * 6 + 8 + 4 + 8 + 8 + 8 + 8;

    /** The network's weights as the published bytes hold them. */
    private static float[] theta(RankerModel m) {
        ByteBuffer b = ByteBuffer.wrap(m.toPublishedBytes());
        b.position(THETA_OFFSET);
        float[] t = new float[RankerModel.paramCount(m.config(), RankerBatch.featureWidth(m.vectorLength()))];
        b.asFloatBuffer().get(t);
        return t;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float[] unit(float[] a) {
        float n = (float) Math.sqrt(dot(a, a));
        for (int i = 0; i < a.length; i++) {
            a[i] /= n;
        }
        return a;
    }
}
