package io.streamrec.local.evaluate;

import io.streamrec.job.model.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Top-K categorical accuracy as TFRS {@code FactorizedTopK} computes it: test (user, item) pairs and a way to score
 * every candidate item for a user go in; for each K, the share of pairs whose item is among the user's K
 * highest-scoring candidates comes out.
 *
 * <p>The rank of a pair's item is the number of <em>other</em> candidates that score at least as high: ties count
 * against the target, so a model that scores everything equally gets no credit. Optionally some items are excluded
 * per user (e.g. the user's training items, as serving's {@code exclude_seen} does); the target itself is never
 * excluded, so a repeated interaction is still rankable. A pair whose user cannot be scored (no user vector) or
 * whose item is not a candidate (no item vector, never seen in training) counts as a miss, never as skipped: both
 * are counted separately in the {@link Result}.
 *
 * <p>Pairs are grouped by user, so each user's candidate scores are computed once (users x items dot products,
 * then one comparison per candidate and pair). Stateless apart from its inputs; not thread-safe while a scorer is.
 */
public final class TopKAccuracy {
    /** The cut-offs of the TFRS tutorials. */
    public static final int[] DEFAULT_KS = {1, 5, 10, 50, 100};

    private TopKAccuracy() {}

    /** One test interaction, at a time (epoch ms; the moment a query's context comes from; 0 when unknown). */
    public record Pair(String userId, String itemId, long time) {
        public Pair(String userId, String itemId) {
            this(userId, itemId, 0L);
        }
    }

    /** Scores every candidate (by its index in the candidate list) for a user. */
    public interface Scorer {
        /** The candidates' scores, or null when this user cannot be scored (e.g. has no vector). */
        double[] scores(String userId);

        /** The candidates' scores for a pair (its user at its time); by default the user's. */
        default double[] scores(Pair pair) {
            return scores(pair.userId());
        }

        /** Pairs with the same group share one scoring (by default: the same user). */
        default String group(Pair pair) {
            return pair.userId();
        }
    }

    /**
     * The two-tower model: candidate {@code i} scores {@code user . items[i]}, the plain dot product serving ranks
     * by (with the item bias the item vector's last coordinate and the user's a constant 1).
     *
     * @param candidateVectors the vectors of the candidates, in candidate order
     * @param userVectors user id to vector; users missing here cannot be scored
     */
    public static Scorer dotProduct(List<float[]> candidateVectors, Map<String, float[]> userVectors) {
        float[][] items = candidateVectors.toArray(new float[0][]);
        return userId -> {
            float[] u = userVectors.get(userId);
            if (u == null) {
                return null;
            }
            double[] s = new double[items.length];
            for (int i = 0; i < items.length; i++) {
                if (items[i].length != u.length) {
                    throw new IllegalArgumentException("user " + userId + " has a vector of " + u.length
                            + " floats but an item has " + items[i].length + ": not published by the same model");
                }
                s[i] = Vectors.dot(u, items[i]);
            }
            return s;
        };
    }

    /** How a pair's query is formed (null: the pair's user cannot be scored), and which pairs share one. */
    public interface Queries {
        float[] query(Pair pair);

        String group(Pair pair);
    }

    /**
     * The two-tower model with queries formed per pair (the user's vector, latest items and the moment's context,
     * as serving forms them): candidate {@code i} scores {@code query . items[i]}.
     */
    public static Scorer queries(List<float[]> candidateVectors, Queries queries) {
        float[][] items = candidateVectors.toArray(new float[0][]);
        return new Scorer() {
            @Override
            public double[] scores(String userId) {
                return scores(new Pair(userId, "", 0L));
            }

            @Override
            public double[] scores(Pair pair) {
                float[] q = queries.query(pair);
                if (q == null) {
                    return null;
                }
                double[] s = new double[items.length];
                for (int i = 0; i < items.length; i++) {
                    if (items[i].length != q.length) {
                        throw new IllegalArgumentException("user " + pair.userId() + " has a query of " + q.length
                                + " floats but an item has " + items[i].length + ": not published by the same model");
                    }
                    s[i] = Vectors.dot(q, items[i]);
                }
                return s;
            }

            @Override
            public String group(Pair pair) {
                return queries.group(pair);
            }
        };
    }

    /** The most-popular baseline: every user gets the same scores (e.g. training counts). */
    public static Scorer sameForEveryone(double[] scores) {
        double[] copy = scores.clone();
        return userId -> copy;
    }

    /**
     * Evaluates every pair.
     *
     * @param candidates the candidate item ids (distinct); the scorer's score {@code i} belongs to candidate i
     * @param exclusions per user, items that are not recommended to that user (the target excepted); null for none
     * @param ks the cut-offs, each at least 1
     */
    public static Result evaluate(List<String> candidates, Scorer scorer, List<Pair> pairs,
                                  Map<String, ? extends Set<String>> exclusions, int... ks) {
        int[] cutoffs = ks.length == 0 ? DEFAULT_KS.clone() : ks.clone();
        for (int k : cutoffs) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + k);
            }
        }
        Map<String, Integer> ordinal = new HashMap<>(candidates.size() * 2);
        for (int i = 0; i < candidates.size(); i++) {
            if (ordinal.put(candidates.get(i), i) != null) {
                throw new IllegalArgumentException("candidate " + candidates.get(i) + " appears twice");
            }
        }
        Map<String, List<Pair>> byGroup = new LinkedHashMap<>();
        for (Pair p : pairs) {
            byGroup.computeIfAbsent(scorer.group(p), u -> new ArrayList<>()).add(p);
        }

        long[] hits = new long[cutoffs.length];
        long missingUser = 0;
        long missingItem = 0;
        int n = candidates.size();
        for (Map.Entry<String, List<Pair>> e : byGroup.entrySet()) {
            String user = e.getValue().get(0).userId();
            double[] scores = scorer.scores(e.getValue().get(0));
            if (scores == null) {
                missingUser += e.getValue().size();
                continue;
            }
            if (scores.length != n) {
                throw new IllegalArgumentException("scorer returned " + scores.length + " scores for " + n
                        + " candidates");
            }
            BitSet excluded = new BitSet(n);
            Set<String> ex = exclusions == null ? null : exclusions.get(user);
            if (ex != null) {
                for (String id : ex) {
                    Integer o = ordinal.get(id);
                    if (o != null) {
                        excluded.set(o);
                    }
                }
            }
            for (Pair p : e.getValue()) {
                Integer target = ordinal.get(p.itemId());
                if (target == null) {
                    missingItem++;
                    continue;
                }
                int rank = rank(scores, target, excluded);
                for (int i = 0; i < cutoffs.length; i++) {
                    if (rank < cutoffs[i]) {
                        hits[i]++;
                    }
                }
            }
        }
        return new Result(cutoffs, pairs.size(), hits, missingUser, missingItem);
    }

    /**
     * The 0-based rank of candidate {@code target}: how many other, non-excluded candidates score at least as high
     * (ties against the target). The target is ranked even when it is in {@code excluded}.
     */
    static int rank(double[] scores, int target, BitSet excluded) {
        double t = scores[target];
        int rank = 0;
        for (int j = 0; j < scores.length; j++) {
            if (j != target && scores[j] >= t && !excluded.get(j)) {
                rank++;
            }
        }
        return rank;
    }

    /** Hits per cut-off over all pairs, with the misses that had no score at all. Immutable. */
    public static final class Result {
        private final int[] ks;
        private final long pairs;
        private final long[] hits;
        private final long missingUser;
        private final long missingItem;

        Result(int[] ks, long pairs, long[] hits, long missingUser, long missingItem) {
            this.ks = ks.clone();
            this.pairs = pairs;
            this.hits = hits.clone();
            this.missingUser = missingUser;
            this.missingItem = missingItem;
        }

        public int[] ks() {
            return ks.clone();
        }

        /** All test pairs (the denominator). */
        public long pairs() {
            return pairs;
        }

        /** Pairs whose user had no score (no user vector): misses. */
        public long missingUser() {
            return missingUser;
        }

        /** Pairs (of scorable users) whose item was not a candidate: misses. */
        public long missingItem() {
            return missingItem;
        }

        public long hits(int k) {
            return hits[indexOf(k)];
        }

        /** Share of all pairs whose item ranked in the top k; 0 without pairs. */
        public double accuracy(int k) {
            long h = hits(k);
            return pairs == 0 ? 0.0 : (double) h / pairs;
        }

        /** {@code top_1 -> accuracy, top_5 -> ...}, in cut-off order. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int k : ks) {
                m.put("top_" + k, accuracy(k));
            }
            return m;
        }

        private int indexOf(int k) {
            for (int i = 0; i < ks.length; i++) {
                if (ks[i] == k) {
                    return i;
                }
            }
            throw new IllegalArgumentException("k=" + k + " was not evaluated; evaluated: " + Arrays.toString(ks));
        }

        @Override
        public String toString() {
            return "TopKAccuracy" + asMap() + " over " + pairs + " pairs (" + missingUser + " without user vector, "
                    + missingItem + " without item)";
        }
    }
}
