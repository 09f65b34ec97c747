package io.streamrec.serving.retrieval;

import java.util.Random;

/**
 * Vectors with the structure of learned embeddings, for tests and benchmarks of approximate top-k: items in
 * clusters (topics), log-normal norms (popular items grow long vectors), and the trainer's item bias as the last
 * coordinate (queries carry 1 there, so the bias adds to every score). Deterministic for a seed.
 */
public final class LearnedLikeVectors {
    private final int dim;
    private final float[][] centers;
    private final Random rnd;

    public LearnedLikeVectors(int dim, int clusters, long seed) {
        this.dim = dim;
        this.rnd = new Random(seed);
        this.centers = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centers[c] = unit(gaussian(dim - 1));
        }
    }

    /** An item: a cluster direction plus noise, scaled by a log-normal norm, and a bias coordinate. */
    public float[] item() {
        float[] c = centers[rnd.nextInt(centers.length)];
        float[] noise = unit(gaussian(dim - 1));
        float norm = (float) Math.exp(0.5 * rnd.nextGaussian() - 1.0);
        float[] v = new float[dim];
        for (int j = 0; j < dim - 1; j++) {
            v[j] = norm * (0.8f * c[j] + 0.6f * noise[j]);
        }
        v[dim - 1] = (float) (0.3 * rnd.nextGaussian() + 0.2 * Math.log(norm + 1e-3));
        return v;
    }

    /** A query: a user leaning towards one or two clusters, with 1 in the bias coordinate. */
    public float[] query() {
        float[] a = centers[rnd.nextInt(centers.length)];
        float[] b = centers[rnd.nextInt(centers.length)];
        float[] noise = unit(gaussian(dim - 1));
        float[] q = new float[dim];
        float mix = rnd.nextFloat();
        for (int j = 0; j < dim - 1; j++) {
            q[j] = 2f * (0.7f * (mix * a[j] + (1 - mix) * b[j]) + 0.5f * noise[j]);
        }
        q[dim - 1] = 1f;
        return q;
    }

    public ItemMatrix matrix(int n) {
        String[] ids = new String[n];
        float[][] v = new float[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = "item-" + i;
            v[i] = item();
        }
        return ItemMatrix.of(ids, v);
    }

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int j = 0; j < v.length; j++) {
            v[j] *= inv;
        }
        return v;
    }
}
