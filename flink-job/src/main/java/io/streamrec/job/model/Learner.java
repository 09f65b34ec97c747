package io.streamrec.job.model;

import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.InitialVectors;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The per-event math of both towers, stateless apart from its {@link ModelParams}: operators load their state,
 * pass it in, and store what comes back. No global state, no Flink types. The one entry point of the math; the
 * work is done by its parts, one job each: {@link VectorForms} (starting states, published forms), {@link Queries}
 * (the query), {@link TrainingStep} (the sampled-softmax step), {@link NegativeDraws} (the negative window) and
 * {@link ItemUpdates} (applying item gradients).
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

    /** No context keys. */
    public static final String[] NO_CONTEXT = new String[0];

    private final ModelParams params;
    private final int length;
    private final VectorForms forms;
    private final Queries queries;
    private final NegativeDraws draws;
    private final TrainingStep step;
    private final ItemUpdates updates;

    /** @param params validated here */
    public Learner(ModelParams params) {
        this.params = params.copy().validate();
        this.length = params.vectorLength();
        this.forms = new VectorForms(this.params);
        this.queries = new Queries(this.params, forms);
        this.draws = new NegativeDraws(this.params, forms);
        this.step = new TrainingStep(this.params, forms, queries, draws);
        this.updates = new ItemUpdates(this.params, forms);
    }

    /** How this model forms queries (published with every snapshot, for the serving node). */
    public QuerySpec querySpec() {
        return queries.spec();
    }

    /** The context keys of an event at {@code timeMs} with these properties (none when context is off). */
    public String[] contextOf(long timeMs, Map<String, String> properties) {
        return queries.contextOf(timeMs, properties);
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
        return forms.newUser(userId);
    }

    /**
     * The deterministic starting state of a never-seen item (raw parameters, bias 0); of a feature or context key
     * ({@link FeatureKeys}): zero.
     */
    public ItemState newItem(String itemId) {
        return forms.newItem(itemId);
    }

    /** The published form of a never-seen item's vector; what a cache miss falls back to. */
    public float[] initialItemVector(String itemId) {
        return forms.initialItemVector(itemId);
    }

    /** What the ItemTower publishes for {@code item} (a new array); see {@link VectorForms#servingItemVector}. */
    public float[] servingItemVector(ItemState item) {
        return forms.servingItemVector(item);
    }

    /** The cached vector of {@code itemId}; on a miss its initial vector, which is also put into the cache. */
    public float[] itemVector(String itemId, ItemVectorCache cache) {
        return forms.itemVector(itemId, cache);
    }

    /**
     * The user's query vector ({@link Queries}): the user's own vector plus, when
     * {@code model.query.history-weight} is above 0, that weight times the mean of the embeddings of the user's
     * most recent history items (from the cache, initial vector on a miss). The bias coordinate stays 1. This is
     * also the vector to publish for serving.
     */
    public float[] queryVector(UserState user, ItemVectorCache cache) {
        return queryVector(user, cache, NO_CONTEXT);
    }

    /** {@link #queryVector(UserState, ItemVectorCache)} in a context ({@link #contextOf}). */
    public float[] queryVector(UserState user, ItemVectorCache cache, String[] context) {
        return queries.query(user, cache, context).serving();
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
     * The "train" half: one sampled-softmax step for (user, positive) with the given weight ({@link TrainingStep}).
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
        return step.train(user, itemId, weight, cache, negatives, rng, context);
    }

    /**
     * Closes the subtask's open negative window early and returns its summed gradients (empty when none): call
     * before sending a bundle or taking a checkpoint, so that the negatives' gradients travel with it.
     */
    public StepResult closeNegatives(NegativeBuffer negatives) {
        return draws.closeNegatives(negatives);
    }

    /**
     * UserTower side: applies the item gradients just produced to this subtask's cached copies
     * ({@link ItemUpdates#applyLocally}); nothing when {@code model.cache.local-learning-rate} is 0.
     */
    public void applyLocally(ItemVectorCache cache, StepResult step) {
        updates.applyLocally(cache, step);
    }

    /** The ItemTower's update: one Adagrad step of {@code item} ({@link ItemUpdates#applyItemGradient}). */
    public void applyItemGradient(ItemState item, float[] gradient, int appearances) {
        updates.applyItemGradient(item, gradient, appearances);
    }

    /** {@link #applyItemGradient(ItemState, float[], int)}, counting the events that had the item as positive. */
    public void applyItemGradient(ItemState item, float[] gradient, int appearances, int positives) {
        updates.applyItemGradient(item, gradient, appearances);
        item.positives += positives;
    }
}
