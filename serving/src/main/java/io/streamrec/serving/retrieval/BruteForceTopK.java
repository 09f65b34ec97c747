package io.streamrec.serving.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The test oracle: scores every item in scalar double precision, sorts everything, drops excluded items and keeps
 * the first k. Slow (a full sort) and obviously correct; never used on the serving path.
 *
 * <p>Stateless and thread-safe.
 */
public final class BruteForceTopK implements TopK {

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        List<double[]> scored = new ArrayList<>();
        for (int i = 0; i < matrix.size(); i++) {
            if (!excluded.contains(i)) {
                scored.add(new double[] {score(matrix, query, i, sim), i});
            }
        }
        scored.sort(Comparator.<double[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
        int n = Math.min(k, scored.size());
        int[] ords = new int[n];
        float[] scores = new float[n];
        for (int r = 0; r < n; r++) {
            ords[r] = (int) scored.get(r)[1];
            scores[r] = (float) scored.get(r)[0];
        }
        return new TopKResult(ords, scores);
    }

    /** The exact score of one item, in double precision. */
    public static double score(ItemMatrix matrix, float[] query, int ordinal, Similarity sim) {
        float[] v = matrix.vector(ordinal);
        double dot = 0;
        double nv = 0;
        double nq = 0;
        for (int j = 0; j < v.length; j++) {
            dot += (double) v[j] * query[j];
            nv += (double) v[j] * v[j];
            nq += (double) query[j] * query[j];
        }
        if (sim == Similarity.DOT) {
            return dot;
        }
        return nv == 0 || nq == 0 ? 0 : dot / Math.sqrt(nv) / Math.sqrt(nq);
    }
}
