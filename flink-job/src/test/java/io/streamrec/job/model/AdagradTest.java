package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class AdagradTest {

    @Test
    void oneStepMatchesHandComputation() {
        // w = (1, -2, 0.5), acc = (0.1, 0.1, 0.1), g = (0.3, -0.4, 0), lr = 0.1, l2 = 0.
        // acc' = (0.1 + 0.09, 0.1 + 0.16, 0.1) = (0.19, 0.26, 0.1)
        // w'   = (1 - 0.1 * 0.3 / sqrt(0.19), -2 + 0.1 * 0.4 / sqrt(0.26), 0.5)
        //      = (1 - 0.068825, -2 + 0.078446, 0.5) = (0.931175, -1.921554, 0.5)
        float[] w = {1f, -2f, 0.5f};
        float[] acc = {0.1f, 0.1f, 0.1f};
        Adagrad.step(w, acc, new float[] {0.3f, -0.4f, 0f}, 0.1f, 0f);
        assertArrayEquals(new float[] {0.19f, 0.26f, 0.1f}, acc, 1e-6f);
        assertArrayEquals(new float[] {0.931175f, -1.921554f, 0.5f}, w, 1e-5f);
    }

    @Test
    void l2IsAddedToTheGradientOfTheFirstCoordinatesOnly() {
        // w = (2, 3), g = (0, 0), l2 = 0.5 on coordinate 0 only: g0' = 0.5 * 2 = 1, acc0 = 0 + 1 = 1,
        // w0 = 2 - 0.1 * 1 / 1 = 1.9; coordinate 1 has no gradient and no L2: untouched.
        float[] w = {2f, 3f};
        float[] acc = {0f, 0f};
        Adagrad.step(w, acc, new float[] {0f, 0f}, 2, 0.1f, 0.5f, 1);
        assertArrayEquals(new float[] {1.9f, 3f}, w, 1e-6f);
        assertArrayEquals(new float[] {1f, 0f}, acc, 1e-6f);
    }

    @Test
    void coordinatesBeyondNAreLeftAlone() {
        float[] w = {1f, 1f};
        float[] acc = {1f, 1f};
        Adagrad.step(w, acc, new float[] {1f, 1f}, 1, 1f, 0f, 1);
        // acc0 = 2, w0 = 1 - 1/sqrt(2) = 0.292893; the fixed user coordinate (index 1) stays 1.
        assertArrayEquals(new float[] {0.292893f, 1f}, w, 1e-6f);
        assertArrayEquals(new float[] {2f, 1f}, acc, 1e-6f);
    }
}
