package io.streamrec.serving.rank;

import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerModel;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.TopKResult;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranking stage: re-orders the candidates retrieval found for one query by the ranker model's logit (how likely
 * the user acts on the item), best first, ties in retrieval order, and keeps the best k. Its features are exactly
 * the trainer's ({@link RankerBatch}): the query vector retrieval used, each candidate's row as served (the
 * popularity prior already in its bias coordinate) and the retrieval score {@code q . row} it computed.
 *
 * <p>It never fails a request. Without a model ({@code no_model}), with a model for another vector length
 * ({@code vector_length}), when the model throws ({@code error}) or returns a non-finite score
 * ({@code non_finite}), the caller answers in retrieval order; each case is counted in
 * {@code streamrec_ranker_fallbacks_total{reason}} and logged once per reason and model version, not per request.
 *
 * <p>Thread-safe: the model in use is read from the {@link RankerHolder} once per request; the metrics are.
 */
public final class Reranker {
    private static final Logger LOG = LoggerFactory.getLogger(Reranker.class);

    /** Why an answer that could have been ranked was not. */
    public enum Fallback {
        NO_MODEL, VECTOR_LENGTH, ERROR, NON_FINITE;

        /** The metric's label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The best k candidates by the ranker: indices into the retrieved candidates, their logits, the version. */
    public static final class Ranking {
        /** Indices into the retrieval result, best first, at most k. */
        public final int[] order;
        /** The logit of each entry of {@link #order}. */
        public final float[] logits;
        public final long modelVersion;

        Ranking(int[] order, float[] logits, long modelVersion) {
            this.order = order;
            this.logits = logits;
            this.modelVersion = modelVersion;
        }
    }

    private final RankerHolder holder;
    private final ServingMetrics metrics;
    private final int candidates;
    /** Per reason, the model version last logged (-1: no model), so that a reason is logged once per version. */
    private final ConcurrentHashMap<Fallback, Long> logged = new ConcurrentHashMap<>();

    /** @param candidates how many candidates to retrieve for the ranker ({@code rank.candidates}) */
    public Reranker(RankerHolder holder, ServingMetrics metrics, int candidates) {
        if (candidates < 1) {
            throw new IllegalArgumentException("candidates must be at least 1, was " + candidates);
        }
        this.holder = holder;
        this.metrics = metrics;
        this.candidates = candidates;
    }

    /** How many candidates to retrieve for an answer of k items that the ranker will order. */
    public int candidates(int k) {
        return Math.max(k, candidates);
    }

    /**
     * The model to rank a query of {@code vectorLength} floats with, or null when there is none that takes it (a
     * fallback, counted and logged).
     */
    public RankerModel modelFor(int vectorLength) {
        RankerModel model = holder.get();
        if (model == null) {
            fallback(Fallback.NO_MODEL, -1, "no ranker model has been read yet: answering in retrieval order", null);
            return null;
        }
        if (model.vectorLength() != vectorLength) {
            fallback(Fallback.VECTOR_LENGTH, model.version(), "ranker model version " + model.version()
                    + " takes vectors of length " + model.vectorLength() + ", the served query and rows have "
                    + vectorLength + ": answering in retrieval order until a model for them arrives", null);
            return null;
        }
        return model;
    }

    /**
     * Scores the retrieved candidates with {@code model} and orders them; null when the model failed (a fallback,
     * counted and logged: the caller answers in retrieval order).
     *
     * @param userId the user ("" for an anonymous session): only the model's rating head reads it, not the logit
     * @param query the query retrieval used, of {@code model.vectorLength()} floats
     * @param retrieved the candidates, best retrieval score first, ordinals of {@code matrix}
     */
    public Ranking rank(RankerModel model, ItemMatrix matrix, String userId, float[] query, TopKResult retrieved,
                        int k) {
        long start = System.nanoTime();
        int n = retrieved.size();
        float[] logits;
        try {
            RankerBatch batch = new RankerBatch(model.vectorLength(), n);
            for (int i = 0; i < n; i++) {
                int o = retrieved.ordinal(i);
                batch.add(userId, query, matrix.id(o), matrix.vector(o), retrieved.score(i));
            }
            logits = model.score(batch).logits();
        } catch (RuntimeException e) {
            // Whatever the model or its engine throws (DJL's EngineException, a bad shape, ...): the answer falls
            // back to retrieval order, it never becomes a 500.
            fallback(Fallback.ERROR, model.version(), "ranker model version " + model.version() + " failed to score "
                    + n + " candidates: answering in retrieval order", e);
            return null;
        }
        for (float l : logits) {
            if (!Float.isFinite(l)) {
                fallback(Fallback.NON_FINITE, model.version(), "ranker model version " + model.version()
                        + " returned a non-finite score: answering in retrieval order", null);
                return null;
            }
        }
        int[] order = bestFirst(logits, Math.min(k, n));
        float[] kept = new float[order.length];
        for (int i = 0; i < order.length; i++) {
            kept[i] = logits[order[i]];
        }
        metrics.rankerRanked.inc();
        metrics.rankerLatency.observe((System.nanoTime() - start) / 1e9);
        return new Ranking(order, kept, model.version());
    }

    /**
     * The indices of the {@code k} highest scores, highest first, equal scores in index order (retrieval order).
     * Each index is sorted as one long: the score's bits made to sort descending as a signed int in the upper half,
     * the index in the lower half, so a primitive sort is stable by construction.
     */
    static int[] bestFirst(float[] scores, int k) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            int bits = Float.floatToIntBits(scores[i] + 0f); // + 0f: -0 sorts as 0
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // signed-int order = float order
            keys[i] = ((long) ~ascending << 32) | i; // ~ reverses the order
        }
        Arrays.sort(keys);
        int[] out = new int[Math.min(k, scores.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    private void fallback(Fallback reason, long version, String message, RuntimeException e) {
        metrics.rankerFallbacks.labelValues(reason.label()).inc();
        Long before = logged.put(reason, version);
        if (before == null || before != version) {
            if (e != null) {
                LOG.warn(message, e);
            } else if (reason == Fallback.NO_MODEL) {
                LOG.info(message);
            } else {
                LOG.warn(message);
            }
        }
    }
}
