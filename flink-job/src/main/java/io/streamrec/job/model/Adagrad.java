package io.streamrec.job.model;

/**
 * One per-coordinate Adagrad step on an embedding row: a vector, its accumulator of squared gradients and a
 * gradient go in; the vector and the accumulator are updated in place.
 *
 * <p>{@code g' = g + l2 * w;  acc += g'^2;  w -= lr * g' / (sqrt(acc) + eps)}. This is the TensorFlow/Keras
 * Adagrad that the TFRS tutorials use (initial accumulator 0.1 there), applied one row at a time: a row that
 * receives few updates keeps a large step size, which is what an open-vocabulary streaming model needs for new
 * users and items, while frequent items calm down.
 *
 * <p>Thread-safe (stateless).
 */
public final class Adagrad {
    /** Guards the division on a zero accumulator (initial accumulator 0 is allowed). */
    public static final float EPSILON = 1e-7f;

    private Adagrad() {}

    /**
     * Applies one step to {@code w[0..n)}.
     *
     * @param w the row, updated in place
     * @param acc the row's accumulator (same length as {@code w}), updated in place
     * @param grad gradient of the loss w.r.t. {@code w}
     * @param n number of leading coordinates to update (coordinates beyond stay untouched, e.g. a fixed 1)
     * @param lr learning rate
     * @param l2 L2 coefficient added to the gradient ({@code 0} for none); applied to the first
     *     {@code l2Coordinates} coordinates only, so that a bias coordinate is not shrunk towards 0
     * @param l2Coordinates how many leading coordinates get the L2 term
     */
    public static void step(float[] w, float[] acc, float[] grad, int n, float lr, float l2, int l2Coordinates) {
        step(w, acc, grad, n, lr, l2, l2Coordinates, 1f);
    }

    /**
     * {@link #step(float[], float[], float[], int, float, float, int)} with a forgetting factor on the
     * accumulator: {@code acc = decay * acc + g^2}. {@code decay = 1} is Adagrad. Below 1 the step size stops
     * shrinking for ever (RMSProp-like, applied lazily per update of the row), which lets a frequently updated row
     * keep tracking a drifting stream, e.g. an item whose popularity changes.
     */
    public static void step(float[] w, float[] acc, float[] grad, int n, float lr, float l2, int l2Coordinates,
                            float decay) {
        for (int i = 0; i < n; i++) {
            float g = grad[i];
            if (i < l2Coordinates) {
                g += l2 * w[i];
            }
            if (g == 0f) {
                // No signal: leaving acc alone keeps the step size for the next real gradient.
                continue;
            }
            float a = decay * acc[i] + g * g;
            acc[i] = a;
            w[i] -= lr * g / ((float) Math.sqrt(a) + EPSILON);
        }
    }

    /** {@link #step} over every coordinate, with L2 on all of them. */
    public static void step(float[] w, float[] acc, float[] grad, float lr, float l2) {
        step(w, acc, grad, w.length, lr, l2, w.length);
    }
}
