package io.streamrec.job.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The per-event math of both towers, stateless apart from its {@link ModelParams}: operators load their state,
 * pass it in, and store what comes back. No global state, no Flink types.
 *
 * <ul>
 *   <li>UserTower, per event (user u, item p, weight w): first {@link #rankOf} (test), then {@link #train}, which
 *   samples negatives from the subtask's {@link NegativeBuffer}, takes one Adagrad step on u's vector, records p in
 *   u's history and in the buffer, and returns the gradient of every distinct touched item, summed; then
 *   {@link #applyLocally} (own updates visible in the cache at once) and adding the gradients to the subtask's
 *   {@link GradientBundle}. The user vector to publish is {@link #queryVector}.</li>
 *   <li>ItemTower, per gradient record: {@link #applyItemGradient}; it publishes {@link #servingItemVector}.</li>
 *   <li>Both, for unseen keys: {@link #newUser}/{@link #newItem}, whose vectors derive from the id only
 *   ({@link InitialVectors}), so every subtask agrees on them.</li>
 * </ul>
 *
 * <p>With the item bias on, vectors have {@code dim + 1} floats: items keep a learned bias in the last one and
 * users a constant 1, so that {@code user . item = <u, v> + b_item} is still a plain dot product for serving.
 *
 * <p>Stored vs published vectors: the ItemTower stores raw parameters and publishes
 * {@link #servingItemVector}; the UserTower caches and scores with published vectors and publishes
 * {@link #queryVector}. Item gradients are always with respect to the published vector; the ItemTower maps them
 * to its raw parameters in {@link #applyItemGradient}. Without {@code model.normalize} both forms are equal; with
 * it the published embedding is L2-normalized (and the query's is divided by the temperature), so serving still
 * ranks by a plain dot product: {@code cos(u, v) / temperature + b_item}.
 *
 * <p>Thread-safe (immutable); Serializable so it can be a field of an operator.
 */
public final class Learner implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Different salts so that user "42" and item "42" do not start at the same point. */
    private static final long USER_SALT = 0x75736572L; // "user"
    private static final long ITEM_SALT = 0x6974656dL; // "item"

    private final ModelParams params;
    private final int dim;
    private final int length;

    /** @param params validated here */
    public Learner(ModelParams params) {
        this.params = params.copy().validate();
        this.dim = params.dim();
        this.length = params.vectorLength();
    }

    public ModelParams params() {
        return params.copy();
    }

    /** Floats per stored/published vector. */
    public int vectorLength() {
        return length;
    }

    /** The deterministic starting state of a never-seen user. */
    public UserState newUser(String userId) {
        float[] v = new float[length];
        InitialVectors.fillGaussian(userId, params.seed() ^ USER_SALT, (float) params.initScale(), v, 0, dim);
        if (params.itemBias()) {
            v[dim] = 1f;
        }
        return new UserState(v, filledAccumulator());
    }

    /** The deterministic starting state of a never-seen item (raw parameters, bias 0). */
    public ItemState newItem(String itemId) {
        float[] v = new float[length];
        InitialVectors.fillGaussian(itemId, params.seed() ^ ITEM_SALT, (float) params.initScale(), v, 0, dim);
        return new ItemState(v, filledAccumulator());
    }

    /**
     * The published form of a never-seen item's vector; what a cache miss falls back to. Equal to
     * {@code servingItemVector(newItem(itemId))}.
     */
    public float[] initialItemVector(String itemId) {
        return servingItemVector(newItem(itemId));
    }

    /**
     * What the ItemTower publishes for {@code item} (a new array): its raw vector, or with {@code model.normalize}
     * the L2-normalized embedding followed by the unchanged bias.
     */
    public float[] servingItemVector(ItemState item) {
        float[] v = item.vector.clone();
        if (params.normalize()) {
            float n = norm(v);
            for (int i = 0; i < dim; i++) {
                v[i] /= n;
            }
        }
        return v;
    }

    /** Norm of the first dim coordinates, floored so that a zero vector does not divide by zero. */
    private float norm(float[] v) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (double) v[i] * v[i];
        }
        return (float) Math.max(Math.sqrt(s), 1e-12);
    }

    /**
     * Maps a gradient with respect to a normalized vector {@code v / |v|} to one with respect to {@code v}:
     * {@code (g - (g . v^) v^) / |v|}, on the first dim coordinates, in place.
     */
    void throughNormalization(float[] g, float[] raw) {
        float n = norm(raw);
        double dot = 0;
        for (int i = 0; i < dim; i++) {
            dot += (double) g[i] * raw[i];
        }
        float along = (float) (dot / n);
        for (int i = 0; i < dim; i++) {
            g[i] = (g[i] - along * raw[i] / n) / n;
        }
    }

    private float[] filledAccumulator() {
        float[] acc = new float[length];
        java.util.Arrays.fill(acc, (float) params.initialAccumulator());
        return acc;
    }

    /**
     * The cached vector of {@code itemId}; on a miss its initial vector, which is also put into the cache: the item
     * is known from now on (rankable, and updated locally), and its initial vector is computed once, not per use.
     * The next snapshot that carries the item replaces it with the ItemTower's vector.
     */
    public float[] itemVector(String itemId, ItemVectorCache cache) {
        float[] v = cache.get(itemId);
        if (v == null) {
            v = initialItemVector(itemId);
            cache.put(itemId, v);
        }
        return v;
    }

    /**
     * The user's query vector: the user's own vector plus, when {@code model.query.history-weight} is above 0, that
     * weight times the mean of the embeddings of the user's most recent history items (from the cache, initial
     * vector on a miss). The bias coordinate stays 1. This is also the vector to publish for serving.
     *
     * <p>Why the history term: a user who arrived a few events ago has an almost untrained vector, but the items
     * they just touched are well trained; their mean points at similar items at once (the asymmetric, FISM/SVD++
     * style of factorization), while the user vector learns the rest.
     */
    public float[] queryVector(UserState user, ItemVectorCache cache) {
        return servingQuery(rawQuery(user, cache));
    }

    /** The published form of a raw query: itself, or normalized and divided by the temperature. */
    private float[] servingQuery(float[] raw) {
        if (!params.normalize()) {
            return raw;
        }
        float[] q = raw.clone();
        float f = (float) (1.0 / (norm(raw) * params.temperature()));
        for (int i = 0; i < dim; i++) {
            q[i] *= f;
        }
        return q;
    }

    /** User vector plus the weighted mean of recent history items' published embeddings. */
    private float[] rawQuery(UserState user, ItemVectorCache cache) {
        float[] q = user.vector.clone();
        List<String> recent = recentHistory(user);
        if (!recent.isEmpty()) {
            float[] f = historyFactors(recent.size());
            float[] buf = new float[length];
            for (int h = 0; h < f.length; h++) {
                String id = recent.get(h);
                if (!cache.get(id, buf)) {
                    buf = initialItemVector(id);
                }
                for (int i = 0; i < dim; i++) {
                    q[i] += f[h] * buf[i];
                }
            }
        }
        return q;
    }

    private List<String> recentHistory(UserState user) {
        if (params.historyQueryWeight() == 0 || user.history.isEmpty()) {
            return List.of();
        }
        int n = user.history.size();
        return user.history.subList(Math.max(0, n - params.historyQuerySize()), n);
    }

    /**
     * Weight of each of the n recent items in the query, oldest first: {@code weight * decay^age / sum}, so that
     * they always add up to the history weight (decay 1 is the plain mean).
     */
    private float[] historyFactors(int n) {
        double decay = params.historyQueryDecay();
        double[] w = new double[n];
        double sum = 0;
        for (int h = n - 1, age = 0; h >= 0; h--, age++) {
            w[h] = Math.pow(decay, age);
            sum += w[h];
        }
        float[] f = new float[n];
        for (int h = 0; h < n; h++) {
            f[h] = (float) (params.historyQueryWeight() * w[h] / sum);
        }
        return f;
    }

    /**
     * The prequential "test" half of test-then-train: rank of {@code itemId} for the user's query among all cached
     * items, excluding the user's history (0 = top). -1 when the item is not cached (never seen), which the metric
     * counts as a miss. Call before {@link #train} for the same event.
     */
    public int rankOf(UserState user, String itemId, ItemVectorCache cache) {
        return rankOf(user, itemId, cache, user.historySet(), Integer.MAX_VALUE);
    }

    /**
     * {@link #rankOf(UserState, String, ItemVectorCache)} with the exclusions given and the rank capped at
     * {@code limit} (e.g. 100 when only HR@10/HR@100/NDCG@10 are needed; the scan stops early).
     */
    public int rankOf(UserState user, String itemId, ItemVectorCache cache, Set<String> exclude, int limit) {
        if (!cache.contains(itemId)) {
            return -1;
        }
        return cache.rankOf(queryVector(user, cache), itemId, exclude, limit);
    }

    /** A per-event random seed from the event itself, so replays after a restore draw the same negatives. */
    public long eventSeed(String userId, String itemId, long timestamp) {
        return InitialVectors.mix64(InitialVectors.hash64(userId, params.seed())
                ^ InitialVectors.hash64(itemId, timestamp));
    }

    /**
     * The "train" half: one sampled-softmax step for (user, positive) with the given weight.
     *
     * <p>Scores with {@link #queryVector} (user vector plus the decayed mean of recent history items). Draws
     * {@code model.negatives} ids from {@code negatives} (before adding the positive to it), masks draws equal to the
     * positive and, if configured, draws in the user's history, corrects logits by {@code log(K * Q(id))} (negatives,
     * and the positive with {@code model.logq.positive}), updates the user's vector with Adagrad, appends the
     * positive to the user's history and to {@code negatives}, and increments the user's event counter. The item
     * gradients cover the positive, the unmasked negatives and, with {@code model.query.history-gradient}, the
     * history items in the query.
     *
     * @param user the user's state, updated in place
     * @param positiveId the item interacted with
     * @param weight event weight ({@link ModelParams#weightOf}); 0 still records history but learns nothing
     * @param cache item vectors (a miss falls back to, and caches, the initial vector)
     * @param negatives this subtask's buffer of recent positives; the positive is appended
     * @param rng source of the negative draws (e.g. {@code new SplittableRandom(eventSeed(...))})
     * @return the loss and the item gradients, one per distinct item, positive first
     */
    public StepResult train(UserState user, String positiveId, float weight, ItemVectorCache cache,
                            NegativeBuffer negatives, RandomGenerator rng) {
        int k = negatives.size() == 0 || weight == 0f ? 0 : params.negatives();
        HistoryIndex history = params.maskHistoryNegatives() && k > 0 ? HistoryIndex.of(user.history)
                : HistoryIndex.EMPTY;

        // Candidates: index 0 the positive, then the draws (duplicates stay separate terms of the estimator).
        // Everything per candidate is found through the drawn buffer entry, not by id: the entry marks its first
        // draw of this step (de-duplication), knows its window count (logQ) and remembers its cache slot.
        String[] ids = new String[k + 1];
        float[][] vectors = new float[k + 1][];
        double[] correction = new double[k + 1];
        boolean[] masked = new boolean[k + 1];
        int[] first = new int[k + 1];
        int[] slot = new int[k + 1];
        long epoch = negatives.nextEpoch();
        int positiveHash = positiveId.hashCode();
        ids[0] = positiveId;
        slot[0] = slotOf(positiveId, cache);
        vectors[0] = cache.vectorAt(slot[0]);
        int maskedCount = 0;
        for (int j = 1; j <= k; j++) {
            FrequencyEstimator.Entry e = negatives.sampleEntry(rng);
            ids[j] = e.id;
            if (e.drawEpoch == epoch) {
                int f = e.firstDraw;
                first[j] = f;
                vectors[j] = vectors[f];
                masked[j] = masked[f];
                correction[j] = correction[f];
                slot[j] = slot[f];
            } else {
                e.drawEpoch = epoch;
                e.firstDraw = j;
                first[j] = j;
                if (e.hash == positiveHash && e.id.equals(positiveId)) {
                    vectors[j] = vectors[0];
                    slot[j] = slot[0];
                    masked[j] = true;
                } else {
                    slot[j] = slotOf(e, cache);
                    vectors[j] = cache.vectorAt(slot[j]);
                    masked[j] = history.contains(e.id);
                }
                if (!masked[j] && params.logq()) {
                    correction[j] = Math.log(k * negatives.probability(e));
                }
            }
            if (masked[j]) {
                maskedCount++;
            }
        }
        if (params.logq() && params.logqPositive() && k > 0) {
            correction[0] = Math.log(k * negatives.probability(positiveId));
        }

        double loss = 0.0;
        List<ItemGradient> gradients = List.of();
        int[] gradientSlots = new int[0];
        float[] userGradient = null;
        if (k - maskedCount > 0) {
            // Item gradients use the query before its own update.
            float[] raw = rawQuery(user, cache);
            float[] query = servingQuery(raw);
            // Normalized: the temperature is already folded into the query, and must not divide the bias.
            float temperature = params.normalize() ? 1f : (float) params.temperature();
            SampledSoftmax.Result r = SampledSoftmax.compute(query, vectors, correction, masked, temperature, weight);
            loss = r.loss;
            float[] rawGradient = r.queryGradient.clone();
            if (params.normalize()) {
                throughNormalization(rawGradient, raw);
                for (int i = 0; i < dim; i++) {
                    rawGradient[i] /= (float) params.temperature();
                }
            }
            userGradient = rawGradient;
            Adagrad.step(user.vector, user.accumulator, rawGradient, dim, (float) params.userLearningRate(),
                    (float) params.l2(), dim, (float) params.adagradDecay());
            ArrayList<ItemGradient> out = new ArrayList<>(k + 1 + params.historyQuerySize());
            IntList outSlots = new IntList(k + 1 + params.historyQuerySize());
            sumPerItem(ids, first, slot, masked, r.candidateCoefficients, query, out, outSlots);
            if (params.historyQueryGradient()) {
                addHistoryGradients(out, outSlots, recentHistory(user), rawGradient);
            }
            gradients = out;
            gradientSlots = outSlots.toArray();
        }
        user.remember(positiveId, params.historyMax());
        user.events++;
        negatives.add(positiveId);
        return new StepResult(loss, gradients, k, maskedCount, userGradient, gradientSlots);
    }

    /** The cache slot of {@code itemId}, inserting its initial vector on a miss (as {@link #itemVector} does). */
    private int slotOf(String itemId, ItemVectorCache cache) {
        int s = cache.slotOf(itemId);
        return s >= 0 ? s : cache.putSlot(itemId, initialItemVector(itemId));
    }

    /** {@link #slotOf(String, ItemVectorCache)} through the entry's slot hint: no hash look-up when it holds. */
    private int slotOf(FrequencyEstimator.Entry e, ItemVectorCache cache) {
        int s = e.cacheSlot;
        if (cache.holds(s, e.id)) {
            cache.use(s);
            return s;
        }
        s = slotOf(e.id, cache);
        cache.adoptId(s, e.id); // the entry's instance, so that the next holds() is a reference comparison
        e.cacheSlot = s;
        return s;
    }

    /**
     * One gradient per distinct id, in order of first appearance: the coefficients of its appearances summed (in
     * candidate order), times the query.
     */
    private static void sumPerItem(String[] ids, int[] first, int[] slot, boolean[] masked, float[] coef,
                                   float[] query, List<ItemGradient> out, IntList outSlots) {
        float[] sum = new float[ids.length];
        int[] appearances = new int[ids.length];
        int[] order = new int[ids.length];
        int distinct = 0;
        for (int j = 0; j < ids.length; j++) {
            if (masked[j]) {
                continue;
            }
            int f = first[j];
            if (appearances[f]++ == 0) {
                order[distinct++] = f;
            }
            sum[f] += coef[j];
        }
        for (int i = 0; i < distinct; i++) {
            int f = order[i];
            float[] g = new float[query.length];
            Vectors.axpy(sum[f], query, g);
            out.add(new ItemGradient(ids[f], g, appearances[f]));
            outSlots.add(slot[f]);
        }
    }

    /**
     * dLoss/dv_h = factor * dLoss/dq on the embedding coordinates, for each history item h in the query: added to
     * the item's record when it already has one, else appended (in history order).
     */
    private void addHistoryGradients(List<ItemGradient> gradients, IntList slots, List<String> recent,
                                     float[] queryGradient) {
        if (recent.isEmpty()) {
            return;
        }
        float[] f = historyFactors(recent.size());
        for (int h = 0; h < f.length; h++) {
            String id = recent.get(h);
            ItemGradient g = find(gradients, id);
            if (g == null) {
                g = new ItemGradient(id, new float[length], 0);
                gradients.add(g);
                slots.add(-1);
            }
            for (int i = 0; i < dim; i++) {
                g.gradient[i] += f[h] * queryGradient[i];
            }
            g.appearances++;
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

    /**
     * Optional, UserTower side: applies the item gradients just produced to this subtask's cached copies (plain SGD
     * with {@code model.cache.local-learning-rate}; renormalized when vectors are normalized), so that the
     * subtask's next events see its own updates before the ItemTower's next snapshot overwrites them with the
     * authoritative vectors. Does nothing when that rate is 0 or an item is not cached.
     *
     * <p>Why: staleness of the cached item vectors costs accuracy quickly once it exceeds a few thousand events
     * (see TUNING.md); this recovers part of it without another round trip.
     */
    public void applyLocally(ItemVectorCache cache, StepResult step) {
        if (params.cacheLocalLearningRate() == 0) {
            return;
        }
        List<ItemGradient> gradients = step.itemGradients;
        int[] slots = step.itemSlots;
        for (int i = 0; i < gradients.size(); i++) {
            ItemGradient g = gradients.get(i);
            int s = i < slots.length && cache.holds(slots[i], g.itemId) ? slots[i] : cache.slotOf(g.itemId);
            if (s >= 0) {
                applyLocally(cache, s, g.gradient);
            }
        }
    }

    private void applyLocally(ItemVectorCache cache, int slot, float[] gradient) {
        float lr = (float) params.cacheLocalLearningRate();
        if (!params.normalize()) {
            cache.axpyAt(slot, -lr, gradient); // in place
            return;
        }
        float[] v = cache.vectorAt(slot);
        Vectors.axpy(-lr, gradient, v);
        float n = norm(v);
        for (int i = 0; i < dim; i++) {
            v[i] /= n;
        }
        cache.setVectorAt(slot, v);
    }

    /**
     * The ItemTower's update: one Adagrad step of {@code item} along {@code gradient} (a summed
     * {@link ItemGradient#gradient}, with respect to the published vector; mapped through the normalization when
     * it is on), with L2 on the embedding coordinates but not on the bias, once per summed appearance, so that
     * the regularization does not depend on how many events a bundle sums.
     */
    public void applyItemGradient(ItemState item, float[] gradient, int appearances) {
        if (params.normalize()) {
            gradient = gradient.clone();
            throughNormalization(gradient, item.vector);
        }
        Adagrad.step(item.vector, item.accumulator, gradient, length, (float) params.learningRate(),
                (float) (params.l2() * Math.max(1, appearances)), dim, (float) params.adagradDecay());
        item.updates++;
    }

    /** A growable list of ints, for the few dozen slots of one step. */
    private static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(1, capacity)];
        }

        void add(int v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * size);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
