package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampledSoftmaxTest {

    /**
     * An independent double-precision implementation of the loss, written straight from the formula, used as the
     * oracle for both the value and (through central differences) the gradients.
     */
    private static double referenceLoss(double[] q, double[][] c, double[] corr, boolean[] masked, double t,
                                        double w) {
        double[] z = new double[c.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c.length; j++) {
            if (masked[j]) {
                continue;
            }
            double d = 0;
            for (int i = 0; i < q.length; i++) {
                d += q[i] * c[j][i];
            }
            z[j] = d / t - corr[j];
            max = Math.max(max, z[j]);
        }
        double s = 0;
        for (int j = 0; j < c.length; j++) {
            if (!masked[j]) {
                s += Math.exp(z[j] - max);
            }
        }
        return w * (max + Math.log(s) - z[0]);
    }

    @Test
    void lossMatchesHandComputedLogSumExpWithLogQ() {
        // q = (1, 2); positive (1, 0) -> dot 1; negatives (0, 1) -> 2 and (1, 1) -> 3.
        // Corrections log(K*Q): positive 0, negative 1 ln 2, negative 2 ln 0.5; temperature 1, weight 1.
        // z = (1, 2 - ln2, 3 + ln2); loss = ln(e^1 + e^2/2 + 2 e^3) - 1.
        float[] q = {1f, 2f};
        float[][] c = {{1f, 0f}, {0f, 1f}, {1f, 1f}};
        double[] corr = {0.0, Math.log(2), Math.log(0.5)};
        SampledSoftmax.Result r = SampledSoftmax.compute(q, c, corr, null, 1f, 1f);
        double expected = Math.log(Math.E + Math.exp(2) / 2 + 2 * Math.exp(3)) - 1.0;
        assertEquals(expected, r.loss, 1e-6);
        // By hand: e = 2.718282, e^2/2 = 3.694528, 2e^3 = 40.171074; sum 46.583884; ln = 3.841254; minus 1.
        assertEquals(2.841254, r.loss, 1e-6);
        assertEquals(2.718282 / 46.583884, r.probabilities[0], 1e-6);
        assertEquals(40.171074 / 46.583884, r.probabilities[2], 1e-6);
    }

    @Test
    void maskedCandidatesDropOutOfTheSoftmaxAndGetNoGradient() {
        float[] q = {1f, 2f};
        float[][] c = {{1f, 0f}, {0f, 1f}, {1f, 1f}};
        SampledSoftmax.Result masked = SampledSoftmax.compute(q, c, null, new boolean[] {false, false, true}, 1f, 1f);
        SampledSoftmax.Result without = SampledSoftmax.compute(q, new float[][] {c[0], c[1]}, null, null, 1f, 1f);
        assertEquals(without.loss, masked.loss, 1e-9);
        assertEquals(0f, masked.candidateCoefficients[2]);
        assertEquals(0.0, masked.probabilities[2]);
        assertArrayEquals(without.queryGradient, masked.queryGradient, 1e-7f);
    }

    @Test
    void everyNegativeMaskedGivesZeroLossAndGradient() {
        SampledSoftmax.Result r = SampledSoftmax.compute(new float[] {1f}, new float[][] {{1f}, {2f}}, null,
                new boolean[] {false, true}, 1f, 1f);
        assertEquals(0.0, r.loss, 1e-12);
        assertArrayEquals(new float[] {0f}, r.queryGradient);
    }

    @Test
    void positiveCannotBeMasked() {
        assertThrows(IllegalArgumentException.class, () -> SampledSoftmax.compute(new float[] {1f},
                new float[][] {{1f}}, null, new boolean[] {true}, 1f, 1f));
    }

    @Test
    void gradientsMatchCentralFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(7);
        int dim = 6;
        int n = 9;
        for (int trial = 0; trial < 20; trial++) {
            float[] q = new float[dim];
            float[][] c = new float[n][dim];
            for (int i = 0; i < dim; i++) {
                q[i] = (float) rnd.nextGaussian();
            }
            for (float[] row : c) {
                for (int i = 0; i < dim; i++) {
                    row[i] = (float) rnd.nextGaussian();
                }
            }
            double[] corr = new double[n];
            boolean[] masked = new boolean[n];
            for (int j = 1; j < n; j++) {
                corr[j] = Math.log(rnd.nextDouble(0.01, 3.0)); // logQ-style corrections, some negative
                masked[j] = rnd.nextInt(4) == 0;
            }
            masked[1] = false; // at least one live negative
            float t = trial % 2 == 0 ? 1f : 0.3f;
            float w = 1.7f;
            SampledSoftmax.Result r = SampledSoftmax.compute(q, c, corr, masked, t, w);

            double[] qd = toDouble(q);
            double[][] cd = new double[n][];
            for (int j = 0; j < n; j++) {
                cd[j] = toDouble(c[j]);
            }
            assertEquals(referenceLoss(qd, cd, corr, masked, t, w), r.loss, 1e-5);
            double h = 1e-5;
            for (int i = 0; i < dim; i++) {
                double keep = qd[i];
                qd[i] = keep + h;
                double up = referenceLoss(qd, cd, corr, masked, t, w);
                qd[i] = keep - h;
                double down = referenceLoss(qd, cd, corr, masked, t, w);
                qd[i] = keep;
                assertEquals((up - down) / (2 * h), r.queryGradient[i], 1e-4, "dL/dq[" + i + "]");
            }
            for (int j = 0; j < n; j++) {
                float[] gj = r.candidateGradient(j, q);
                for (int i = 0; i < dim; i++) {
                    double keep = cd[j][i];
                    cd[j][i] = keep + h;
                    double up = referenceLoss(qd, cd, corr, masked, t, w);
                    cd[j][i] = keep - h;
                    double down = referenceLoss(qd, cd, corr, masked, t, w);
                    cd[j][i] = keep;
                    assertEquals((up - down) / (2 * h), gj[i], 1e-4, "dL/dc" + j + "[" + i + "]");
                }
            }
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
