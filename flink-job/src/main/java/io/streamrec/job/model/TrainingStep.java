package io.streamrec.job.model;

import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The "train" half of test-then-train ({@link Learner#train}): one sampled-softmax step for (user, positive)
 * against the subtask's current {@link NegativeWindow}, one Adagrad step on the user's vector, and the item
 * gradients it produces (the positive's, the history items' through the query, the context keys', and the
 * negatives' sums when the window closes).
 *
 * <p>Part of {@link Learner}. Thread-safe (immutable); the states, cache and buffer it is given are not.
 */
final class TrainingStep implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The positive of a step: its id (the cache's own instance), its cache slot and its vector when scored. */
    private record Positive(String id, int slot, float[] vector) {}

    /** A step's candidates: index 0 the positive, then the window's distinct draws. */
    private static final class Candidates {
        final float[][] vectors;
        final double[] correction;
        final boolean[] masked;
        /** Draws left out of the loss (accidental hits and, if configured, items in the user's history). */
        int maskedCount;

        Candidates(int size) {
            vectors = new float[size][];
            correction = new double[size];
            masked = new boolean[size];
        }
    }

    private final ModelParams params;
    private final int dim;
    private final int length;
    private final QuerySpec querySpec;
    private final ContextSpec contextSpec;
    private final VectorForms forms;
    private final Queries queries;
    private final NegativeDraws draws;

    /** @param params validated */
    TrainingStep(ModelParams params, VectorForms forms, Queries queries, NegativeDraws draws) {
        this.params = params;
        this.dim = params.dim();
        this.length = params.vectorLength();
        this.querySpec = queries.spec();
        this.contextSpec = querySpec.context();
        this.forms = forms;
        this.queries = queries;
        this.draws = draws;
    }

    /** One step for (user, positive) with the given weight, in a context; see {@link Learner#train}. */
    StepResult train(UserState user, String itemId, float weight, ItemVectorCache cache, NegativeBuffer negatives,
                     RandomGenerator rng, String[] context) {
        int k = negatives.size() == 0 || weight == 0f ? 0 : params.negatives();
        int positiveSlot = forms.slotOf(itemId, cache);
        // From here on the cache's own instance of the id: it goes into the user's history and the negative buffer,
        // whose later look-ups in the cache (the query's history items every event, the drawn negatives) then
        // match the cache's key by reference instead of comparing characters in two places of memory.
        String positiveId = cache.idAt(positiveSlot);
        StepResult result;
        if (k > 0) {
            // Read now: drawing a window may evict the slot (in a cache smaller than one step's candidates).
            Positive positive = new Positive(positiveId, positiveSlot, cache.vectorAt(positiveSlot));
            result = againstWindow(user, positive, weight, k, cache, negatives, rng, context);
        } else {
            result = new StepResult(0.0, List.of(), 0, 0, null, new int[0]);
        }
        user.remember(positiveId, params.historyMax());
        user.events++;
        negatives.add(positiveId);
        return result;
    }

    /** The step with {@code k > 0} negatives: scores, learns when any negative is left unmasked, closes the window. */
    private StepResult againstWindow(UserState user, Positive positive, float weight, int k, ItemVectorCache cache,
                                     NegativeBuffer negatives, RandomGenerator rng, String[] context) {
        NegativeWindow w = negatives.window(k, length);
        if (!w.isOpen()) {
            draws.draw(w, negatives, cache, rng);
        }
        Candidates c = candidates(w, user, positive, negatives, k);
        double loss = 0.0;
        float[] userGradient = null;
        ArrayList<ItemGradient> out = new ArrayList<>(2 + params.historyQuerySize());
        IntList outSlots = new IntList(2 + params.historyQuerySize());
        if (k - c.maskedCount > 0) {
            // Item gradients use the query before its own update.
            Queries.Query query = queries.query(user, cache, context);
            // Normalized: the temperature is already folded into the query, and must not divide the bias.
            float temperature = params.normalize() ? 1f : (float) params.temperature();
            SampledSoftmax.Result r = SampledSoftmax.compute(query.serving(), c.vectors, c.correction, c.masked,
                    temperature, weight);
            loss = r.loss;
            userGradient = stepUser(user, r.queryGradient, query.raw());
            addItemGradients(out, outSlots, positive, w, c, r.candidateCoefficients, query, userGradient, context);
        }
        if (--w.stepsLeft == 0) {
            NegativeDraws.close(w, out, outSlots);
        }
        return new StepResult(loss, out, k, c.maskedCount, userGradient, outSlots.toArray());
    }

    /**
     * The positive and the window's draws as candidates: masks those equal to the positive and, if configured, in
     * the user's history; logit corrections of the draw, and of the positive with {@code model.logq.positive}.
     */
    private Candidates candidates(NegativeWindow w, UserState user, Positive positive, NegativeBuffer negatives,
                                  int k) {
        HistoryIndex history = params.maskHistoryNegatives() ? user.historyIndex() : HistoryIndex.EMPTY;
        int d = w.size;
        Candidates c = new Candidates(d + 1);
        c.vectors[0] = positive.vector();
        String positiveId = positive.id();
        int positiveHash = positiveId.hashCode();
        for (int j = 0; j < d; j++) {
            FrequencyEstimator.Entry e = w.entries[j];
            boolean m = (e.hash == positiveHash && e.id.equals(positiveId)) || history.contains(e.id);
            c.masked[j + 1] = m;
            if (m) {
                c.maskedCount += w.multiplicity[j];
            }
            c.vectors[j + 1] = w.vectors[j];
            c.correction[j + 1] = w.correction[j];
        }
        if (params.logq() && params.logqPositive()) {
            c.correction[0] = Math.log(k * negatives.probability(positiveId));
        }
        return c;
    }

    /**
     * One Adagrad step on the user's vector along dLoss/dq, mapped to the stored vector (through the normalization
     * and the temperature when vectors are normalized); returns that gradient.
     */
    private float[] stepUser(UserState user, float[] queryGradient, float[] raw) {
        float[] rawGradient = queryGradient.clone();
        if (params.normalize()) {
            forms.throughNormalization(rawGradient, raw);
            for (int i = 0; i < dim; i++) {
                rawGradient[i] /= (float) params.temperature();
            }
        }
        Adagrad.step(user.vector, user.accumulator, rawGradient, dim, (float) params.userLearningRate(),
                (float) params.l2(), dim, (float) params.adagradDecay());
        return rawGradient;
    }

    /**
     * The step's item gradients: the positive's record, each unmasked draw's gradient added to the window's sums,
     * then the history items' records (with {@code model.query.history-gradient}) and the context keys'.
     */
    private void addItemGradients(List<ItemGradient> out, IntList outSlots, Positive positive, NegativeWindow w,
                                  Candidates c, float[] coefficients, Queries.Query query, float[] userGradient,
                                  String[] context) {
        float[] q = query.serving();
        float[] positiveGradient = new float[q.length];
        Vectors.axpy(coefficients[0], q, positiveGradient);
        out.add(new ItemGradient(positive.id(), positiveGradient, 1, 1));
        outSlots.add(positive.slot());
        for (int j = 0; j < w.size; j++) {
            if (!c.masked[j + 1]) {
                Vectors.axpy(coefficients[j + 1], q, w.gradients[j]);
                w.appearances[j] += w.multiplicity[j];
            }
        }
        if (params.historyQueryGradient()) {
            addHistoryGradients(out, outSlots, query.recent(), query.recentSlots(), userGradient);
        }
        addContextGradients(out, outSlots, context, userGradient);
    }

    /**
     * dLoss/dv_h = factor * dLoss/dq on the embedding coordinates, for each history item h in the query: added to
     * the item's record when it already has one, else appended (in history order).
     */
    private void addHistoryGradients(List<ItemGradient> gradients, IntList slots, List<String> recent,
                                     int[] recentSlots, float[] queryGradient) {
        if (recent.isEmpty()) {
            return;
        }
        float[] f = querySpec.historyFactors(recent.size());
        for (int h = 0; h < f.length; h++) {
            String id = recent.get(h);
            ItemGradient g = find(gradients, id);
            if (g == null) {
                g = new ItemGradient(id, new float[length], 0);
                gradients.add(g);
                slots.add(recentSlots[h]);
            }
            for (int i = 0; i < dim; i++) {
                g.gradient[i] += f[h] * queryGradient[i];
            }
            g.appearances++;
        }
    }

    /** dLoss/dx_c = factor * dLoss/dq on the embedding coordinates for each context key c (bias coordinate 0). */
    private void addContextGradients(List<ItemGradient> gradients, IntList slots, String[] context,
                                     float[] queryGradient) {
        if (context.length == 0) {
            return;
        }
        float c = contextSpec.factor(context.length);
        for (String key : context) {
            float[] g = new float[length];
            for (int i = 0; i < dim; i++) {
                g[i] = c * queryGradient[i];
            }
            gradients.add(new ItemGradient(key, g, 1));
            slots.add(-1);
        }
    }

    /** The record of {@code id} among a step's few dozen records; hash codes first (cached in the strings). */
    private static ItemGradient find(List<ItemGradient> gradients, String id) {
        int hash = id.hashCode();
        for (ItemGradient g : gradients) {
            if (g.itemId.hashCode() == hash && g.itemId.equals(id)) {
                return g;
            }
        }
        return null;
    }
}
