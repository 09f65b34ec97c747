package io.streamrec.job.model;

import io.streamrec.schema.features.InitialVectors;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.QuerySpec;

/**
 * The per-event math of both towers, stateless apart from its {@link ModelParams}: operators load their state,
 * pass it in, and store what comes back. No global state, no Flink types.
 *
 * <ul>
 *   <li>UserTower, per event (user u, item p, weight w): first {@link #rankOf} (test), then {@link #train}, which
 *   scores against the subtask's current draw of negatives from its {@link NegativeBuffer} (a
 *   {@link NegativeWindow}, shared by a few consecutive steps), takes one Adagrad step on u's vector, records p in
 *   u's history and in the buffer, and returns the positive's and history items' gradients (and, when the window
 *   closes, the negatives' summed over it); then
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
    private static final long ITEM_SALT = QuerySpec.ITEM_SALT;

    private final ModelParams params;
    private final int dim;
    private final int length;
    /** How queries are formed; shared with the serving node, which forms the same queries from what is published. */
    private final QuerySpec querySpec;
    private final ContextSpec contextSpec;

    /** @param params validated here */
    public Learner(ModelParams params) {
        this.params = params.copy().validate();
        this.dim = params.dim();
        this.length = params.vectorLength();
        this.querySpec = this.params.querySpec();
        this.contextSpec = querySpec.context();
    }

    /** How this model forms queries (published with every snapshot, for the serving node). */
    public QuerySpec querySpec() {
        return querySpec;
    }

    /** The context keys of an event at {@code timeMs} with these properties (none when context is off). */
    public String[] contextOf(long timeMs, java.util.Map<String, String> properties) {
        return contextSpec.keys(timeMs, properties);
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

    /**
     * The deterministic starting state of a never-seen item (raw parameters, bias 0); of a feature or context key
     * ({@link FeatureKeys}): zero, which is also what every reader assumes of a feature it has no vector of.
     */
    public ItemState newItem(String itemId) {
        float[] v = new float[length];
        if (!FeatureKeys.isFeature(itemId)) {
            InitialVectors.fillGaussian(itemId, params.seed() ^ ITEM_SALT, (float) params.initScale(), v, 0, dim);
        }
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
        return queryVector(user, cache, NO_CONTEXT);
    }

    /** {@link #queryVector(UserState, ItemVectorCache)} in a context ({@link #contextOf}). */
    public float[] queryVector(UserState user, ItemVectorCache cache, String[] context) {
        List<String> recent = recentHistory(user);
        return servingQuery(rawQuery(user, cache, recent, recentSlots(user, recent, cache), context));
    }

    /** No context keys. */
    public static final String[] NO_CONTEXT = new String[0];

    /** The published form of a raw query: itself, or normalized and divided by the temperature. */
    private float[] servingQuery(float[] raw) {
        return querySpec.servingForm(raw);
    }

    /**
     * The raw query ({@link QuerySpec}): the user vector plus the weighted recent history items' vectors (as cached;
     * the recent items' cache slots resolved, -1: not cached) plus the context keys' vectors (those in the feature
     * table; an unpublished key counts in the mean and adds nothing, as in serving).
     */
    private float[] rawQuery(UserState user, ItemVectorCache cache, List<String> recent, int[] slots,
                             String[] context) {
        float[] q = user.vector.clone();
        if (!recent.isEmpty()) {
            float[] f = querySpec.historyFactors(recent.size());
            for (int h = 0; h < f.length; h++) {
                if (slots[h] >= 0) {
                    cache.addScaledAt(slots[h], f[h], q, dim);
                } else { // not cached: its initial vector (serving does the same for an item it has none of)
                    querySpec.addTerm(f[h], initialItemVector(recent.get(h)), q);
                }
            }
        }
        if (context.length > 0) {
            float c = contextSpec.factor(context.length);
            FeatureTable table = cache.features();
            for (String key : context) {
                int row = table.rowOf(key);
                if (row >= 0) {
                    table.addScaledTo(row, c, q, 0, dim);
                }
            }
        }
        return q;
    }

    /**
     * The cache slot of each recent history item, -1 for one not cached; read-only (not a use). Most come from
     * the user's hints of the previous query (the window moves by one item per event), checked against the cache,
     * so that a query costs no hash look-up per item; the rest are looked up. The result becomes the new hints.
     */
    private int[] recentSlots(UserState user, List<String> recent, ItemVectorCache cache) {
        int n = recent.size();
        int[] slots = new int[n];
        String[] ids = new String[n];
        String[] hintIds = user.slotHintIds;
        int[] hints = user.slotHints;
        for (int h = 0; h < n; h++) {
            String id = recent.get(h);
            int s = -1;
            if (hintIds != null) {
                for (int m = 0; m < hintIds.length; m++) {
                    if (hintIds[m] == id) {
                        s = cache.holds(hints[m], id) ? hints[m] : -1;
                        break;
                    }
                }
            }
            slots[h] = s >= 0 ? s : cache.peekSlot(id);
            ids[h] = id;
        }
        user.slotHintIds = ids;
        user.slotHints = slots;
        return slots;
    }

    private List<String> recentHistory(UserState user) {
        if (params.historyQueryWeight() == 0 || user.history.isEmpty()) {
            return List.of();
        }
        int n = user.history.size();
        return user.history.subList(Math.max(0, n - params.historyQuerySize()), n);
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
        return rankOf(user, itemId, cache, exclude, limit, NO_CONTEXT);
    }

    /** {@link #rankOf(UserState, String, ItemVectorCache, Set, int)} with the query in a context. */
    public int rankOf(UserState user, String itemId, ItemVectorCache cache, Set<String> exclude, int limit,
                      String[] context) {
        if (!cache.contains(itemId)) {
            return -1;
        }
        return cache.rankOf(queryVector(user, cache, context), itemId, exclude, limit);
    }

    /** A per-event random seed from the event itself, so replays after a restore draw the same negatives. */
    public long eventSeed(String userId, String itemId, long timestamp) {
        return InitialVectors.mix64(InitialVectors.hash64(userId, params.seed())
                ^ InitialVectors.hash64(itemId, timestamp));
    }

    /**
     * The "train" half: one sampled-softmax step for (user, positive) with the given weight.
     *
     * <p>Scores with {@link #queryVector} (user vector plus the decayed mean of recent history items) against the
     * positive and the subtask's current {@link NegativeWindow}: {@code model.negatives} ids drawn from
     * {@code negatives} (before the positive is added to it) and shared by {@code model.negatives.shared-events}
     * consecutive steps; a new window is drawn with {@code rng} when none is open. Masks candidates equal to the
     * positive and, if configured, in the user's history, corrects logits by {@code log(K * Q(id))} (negatives,
     * and the positive with {@code model.logq.positive}), updates the user's vector with Adagrad, appends the
     * positive to the user's history and to {@code negatives}, and increments the user's event counter.
     *
     * <p>The returned item gradients cover the positive and, with {@code model.query.history-gradient}, the
     * history items in the query. The negatives' gradients are summed in the window and returned by the step that
     * closes it (its last one), or by {@link #closeNegatives}; so one item can have two records in one result.
     *
     * @param user the user's state, updated in place
     * @param itemId the item interacted with (the positive)
     * @param weight event weight ({@link ModelParams#weightOf}); 0 still records history but learns nothing
     * @param cache item vectors (a miss falls back to, and caches, the initial vector)
     * @param negatives this subtask's buffer of recent positives and its current window; the positive is appended
     * @param rng source of the negative draws when a window is drawn (e.g. {@code new SplittableRandom(eventSeed(...))})
     * @return the loss and the item gradients, positive first
     */
    public StepResult train(UserState user, String itemId, float weight, ItemVectorCache cache,
                            NegativeBuffer negatives, RandomGenerator rng) {
        return train(user, itemId, weight, cache, negatives, rng, NO_CONTEXT);
    }

    /**
     * {@link #train(UserState, String, float, ItemVectorCache, NegativeBuffer, RandomGenerator)} with the query in a
     * context ({@link #contextOf}): the context keys' vectors enter the query, and each key gets a gradient record
     * ({@code factor * dLoss/dq} on the embedding coordinates, 0 on the bias) after the items' records.
     */
    public StepResult train(UserState user, String itemId, float weight, ItemVectorCache cache,
                            NegativeBuffer negatives, RandomGenerator rng, String[] context) {
        int k = negatives.size() == 0 || weight == 0f ? 0 : params.negatives();
        int positiveSlot = slotOf(itemId, cache);
        // From here on the cache's own instance of the id: it goes into the user's history and the negative buffer,
        // whose later look-ups in the cache (the query's history items every event, the drawn negatives) then
        // match the cache's key by reference instead of comparing characters in two places of memory.
        String positiveId = cache.idAt(positiveSlot);
        // Read now: drawing a window may evict the slot (in a cache smaller than one step's candidates).
        float[] positiveVector = k > 0 ? cache.vectorAt(positiveSlot) : null;
        double loss = 0.0;
        List<ItemGradient> gradients = List.of();
        int[] gradientSlots = new int[0];
        float[] userGradient = null;
        int maskedCount = 0;
        if (k > 0) {
            NegativeWindow w = negatives.window(k, length);
            if (!w.isOpen()) {
                draw(w, negatives, cache, rng);
            }
            HistoryIndex history = params.maskHistoryNegatives() ? user.historyIndex() : HistoryIndex.EMPTY;
            int d = w.size;
            // Candidates: index 0 the positive, then the window's distinct draws.
            float[][] vectors = new float[d + 1][];
            double[] correction = new double[d + 1];
            boolean[] masked = new boolean[d + 1];
            vectors[0] = positiveVector;
            int positiveHash = positiveId.hashCode();
            for (int j = 0; j < d; j++) {
                FrequencyEstimator.Entry e = w.entries[j];
                boolean m = (e.hash == positiveHash && e.id.equals(positiveId)) || history.contains(e.id);
                masked[j + 1] = m;
                if (m) {
                    maskedCount += w.multiplicity[j];
                }
                vectors[j + 1] = w.vectors[j];
                correction[j + 1] = w.correction[j];
            }
            if (params.logq() && params.logqPositive()) {
                correction[0] = Math.log(k * negatives.probability(positiveId));
            }
            ArrayList<ItemGradient> out = new ArrayList<>(2 + params.historyQuerySize());
            IntList outSlots = new IntList(2 + params.historyQuerySize());
            if (k - maskedCount > 0) {
                // Item gradients use the query before its own update.
                List<String> recent = recentHistory(user);
                int[] recentSlots = recentSlots(user, recent, cache);
                float[] raw = rawQuery(user, cache, recent, recentSlots, context);
                float[] query = servingQuery(raw);
                // Normalized: the temperature is already folded into the query, and must not divide the bias.
                float temperature = params.normalize() ? 1f : (float) params.temperature();
                SampledSoftmax.Result r = SampledSoftmax.compute(query, vectors, correction, masked, temperature,
                        weight);
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
                float[] positiveGradient = new float[query.length];
                Vectors.axpy(r.candidateCoefficients[0], query, positiveGradient);
                out.add(new ItemGradient(positiveId, positiveGradient, 1));
                outSlots.add(positiveSlot);
                for (int j = 0; j < d; j++) {
                    if (!masked[j + 1]) {
                        Vectors.axpy(r.candidateCoefficients[j + 1], query, w.gradients[j]);
                        w.appearances[j] += w.multiplicity[j];
                    }
                }
                if (params.historyQueryGradient()) {
                    addHistoryGradients(out, outSlots, recent, recentSlots, rawGradient);
                }
                addContextGradients(out, outSlots, context, rawGradient);
            }
            if (--w.stepsLeft == 0) {
                close(w, out, outSlots);
            }
            gradients = out;
            gradientSlots = outSlots.toArray();
        }
        user.remember(positiveId, params.historyMax());
        user.events++;
        negatives.add(positiveId);
        return new StepResult(loss, gradients, k, maskedCount, userGradient, gradientSlots);
    }

    /**
     * Closes the subtask's open negative window early and returns its summed gradients (one record per candidate
     * with a pending gradient; empty when none): call before sending a bundle or taking a checkpoint, so that the
     * negatives' gradients travel with it. The next step draws a new window.
     */
    public StepResult closeNegatives(NegativeBuffer negatives) {
        NegativeWindow w = negatives.currentWindow();
        if (w == null || !w.isOpen()) {
            return new StepResult(0.0, List.of(), 0, 0, null);
        }
        ArrayList<ItemGradient> out = new ArrayList<>(w.size);
        IntList outSlots = new IntList(w.size);
        close(w, out, outSlots);
        return new StepResult(0.0, out, 0, 0, null, outSlots.toArray());
    }

    /** Appends the window's pending sums to a step's records and empties it. */
    private static void close(NegativeWindow w, List<ItemGradient> out, IntList outSlots) {
        for (int j = 0; j < w.size; j++) {
            if (w.appearances[j] > 0) {
                out.add(new ItemGradient(w.entries[j].id, w.gradients[j].clone(), w.appearances[j]));
                outSlots.add(w.slot[j]);
            }
        }
        w.reset(0);
    }

    /**
     * Draws a new window: {@code model.negatives} draws from the buffer, repeated ids merged into one candidate
     * whose logit correction is lowered by {@code log(multiplicity)} (m equal terms of the sampled sum are one term
     * times m), each distinct candidate's vector copied once. The buffer entry marks its first draw of this window
     * (de-duplication without hashing), knows its window count (logQ) and remembers its cache slot.
     */
    private void draw(NegativeWindow w, NegativeBuffer negatives, ItemVectorCache cache, RandomGenerator rng) {
        w.reset(params.sharedNegativeEvents());
        int k = w.draws;
        long epoch = negatives.nextEpoch();
        for (int i = 0; i < k; i++) {
            FrequencyEstimator.Entry e = negatives.sampleEntry(rng);
            if (e.drawEpoch == epoch) {
                w.multiplicity[e.firstDraw]++;
                continue;
            }
            e.drawEpoch = epoch;
            int j = w.add(e);
            e.firstDraw = j;
            int s = slotOf(e, cache);
            w.slot[j] = s;
            cache.copyVectorAt(s, w.vectors[j]);
            w.correction[j] = params.logq() ? Math.log(k * negatives.probability(e)) : 0.0;
        }
        for (int j = 0; j < w.size; j++) {
            if (w.multiplicity[j] > 1) {
                w.correction[j] -= Math.log(w.multiplicity[j]);
            }
        }
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
        e.cacheSlot = s;
        return s;
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
