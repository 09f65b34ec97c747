package io.streamrec.local.evaluate;

import io.streamrec.job.model.Vectors;
import io.streamrec.local.evaluate.TopKAccuracy.Pair;
import io.streamrec.local.evaluate.TopKAccuracy.Result;
import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerModel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two stages as serving runs them, offline: each test pair's query retrieves the top {@code candidates}
 * items (the user's excluded items left out), the ranker re-orders them, and the items below keep their retrieval
 * order. A pair's rank is its item's place in that list; as in {@link TopKAccuracy}, the target is ranked even when
 * it is among the user's excluded items (it then competes for a place as if it were not excluded), and ties count
 * against it. Also the ranker's rating error on rated test pairs.
 */
final class RankedAccuracy {
    private RankedAccuracy() {}

    /** The ranker's predictions of the test ratings against the truth. */
    record RatingError(long pairs, long unscored, double rmse, double mae) {}

    /**
     * Evaluates every pair.
     *
     * @param itemIds the candidates (distinct), with their served rows in {@code rows}
     * @param exclusions per user, items not recommended to that user (the target excepted); null for none
     */
    static Result evaluate(List<String> itemIds, List<float[]> rows, TopKAccuracy.Queries queries, List<Pair> pairs,
                           Map<String, ? extends Set<String>> exclusions, RankerModel ranker, int candidates,
                           int... ks) {
        int n = itemIds.size();
        float[][] items = rows.toArray(new float[0][]);
        Map<String, Integer> ordinal = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ordinal.put(itemIds.get(i), i);
        }
        Map<String, List<Pair>> byGroup = new LinkedHashMap<>();
        for (Pair p : pairs) {
            byGroup.computeIfAbsent(queries.group(p), g -> new ArrayList<>()).add(p);
        }
        long[] hits = new long[ks.length];
        long missingUser = 0;
        long missingItem = 0;
        for (List<Pair> group : byGroup.values()) {
            Pair first = group.get(0);
            float[] q = queries.query(first);
            if (q == null) {
                missingUser += group.size();
                continue;
            }
            double[] s = new double[n];
            for (int j = 0; j < n; j++) {
                s[j] = Vectors.dot(q, items[j]);
            }
            BitSet excluded = new BitSet(n);
            Set<String> ex = exclusions == null ? null : exclusions.get(first.userId());
            if (ex != null) {
                for (String id : ex) {
                    Integer o = ordinal.get(id);
                    if (o != null) {
                        excluded.set(o);
                    }
                }
            }
            int[] top = topNotExcluded(s, excluded, candidates);
            // The rows to score: the retrieved candidates, then every excluded target that would have been one.
            List<Integer> scored = new ArrayList<>();
            for (int j : top) {
                scored.add(j);
            }
            Map<Integer, Integer> retrievalRank = new HashMap<>();
            for (Pair p : group) {
                Integer t = ordinal.get(p.itemId());
                if (t == null || retrievalRank.containsKey(t)) {
                    continue;
                }
                int r = TopKAccuracy.rank(s, t, excluded);
                retrievalRank.put(t, r);
                if (r < candidates && excluded.get(t)) {
                    scored.add(t);
                }
            }
            RankerBatch batch = new RankerBatch(q.length, scored.size());
            batch.beginList(top.length > 0 ? (float) s[top[0]] : Float.NaN);
            for (int j : scored) {
                batch.add(first.userId(), q, itemIds.get(j), items[j], (float) s[j]);
            }
            float[] logits = ranker.score(batch).logits();
            Map<Integer, Float> logitOf = new HashMap<>();
            for (int i = 0; i < scored.size(); i++) {
                logitOf.putIfAbsent(scored.get(i), logits[i]);
            }
            for (Pair p : group) {
                Integer t = ordinal.get(p.itemId());
                if (t == null) {
                    missingItem++;
                    continue;
                }
                int r = retrievalRank.get(t);
                int rank = r;
                if (r < candidates) {
                    float lt = logitOf.get(t);
                    rank = 0;
                    for (int i = 0; i < top.length; i++) {
                        if (top[i] != t && logits[i] >= lt) {
                            rank++;
                        }
                    }
                }
                for (int i = 0; i < ks.length; i++) {
                    if (rank < ks[i]) {
                        hits[i]++;
                    }
                }
            }
        }
        return new Result(ks, pairs.size(), hits, missingUser, missingItem);
    }

    /**
     * The ranker's predicted rating of each rated pair against its rating; pairs without vectors are unscored. Each
     * pair's score is taken relative to its user's best retrieval score then (the user's excluded items left out),
     * as the job's examples are.
     */
    static RatingError ratingError(Map<String, float[]> items, TopKAccuracy.Queries queries, List<Pair> pairs,
                                   List<Double> ratings, Map<String, ? extends Set<String>> exclusions,
                                   RankerModel ranker) {
        List<Map.Entry<String, float[]>> all = new ArrayList<>(items.entrySet());
        RankerBatch batch = null;
        List<Double> truth = new ArrayList<>();
        long unscored = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            float[] q = queries.query(p);
            float[] v = items.get(p.itemId());
            if (q == null || v == null) {
                unscored++;
                continue;
            }
            if (batch == null) {
                batch = new RankerBatch(q.length, pairs.size());
            }
            Set<String> ex = exclusions == null ? null : exclusions.get(p.userId());
            float top = Float.NEGATIVE_INFINITY;
            for (Map.Entry<String, float[]> e : all) {
                if (ex == null || !ex.contains(e.getKey())) {
                    top = Math.max(top, Vectors.dot(q, e.getValue()));
                }
            }
            batch.beginList(top);
            batch.add(p.userId(), q, p.itemId(), v, Vectors.dot(q, v));
            truth.add(ratings.get(i));
        }
        if (batch == null) {
            return new RatingError(0, unscored, Double.NaN, Double.NaN);
        }
        float[] predicted = ranker.score(batch).ratings();
        double se = 0;
        double ae = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = predicted[i] - truth.get(i);
            se += d * d;
            ae += Math.abs(d);
        }
        return new RatingError(predicted.length, unscored, Math.sqrt(se / predicted.length), ae / predicted.length);
    }

    /** Indices of the {@code k} best-scoring items not excluded, best first (ties: lower index first). */
    static int[] topNotExcluded(double[] s, BitSet excluded, int k) {
        int[] best = new int[k];
        int size = 0;
        for (int j = 0; j < s.length; j++) {
            if (excluded.get(j) || (size == k && s[j] <= s[best[size - 1]])) {
                continue;
            }
            int pos = size < k ? size++ : size - 1;
            while (pos > 0 && s[best[pos - 1]] < s[j]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = j;
        }
        return java.util.Arrays.copyOf(best, size);
    }
}
