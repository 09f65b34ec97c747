package io.streamrec.job.model;

import io.streamrec.config.ConfigException;
import io.streamrec.config.Option;
import io.streamrec.config.OptionSet;
import io.streamrec.config.ValueTypes;
import io.streamrec.schema.EventType;
import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.FeatureSpec;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The learning core's hyperparameters: typed fields with tuned defaults, read from / written to flat
 * {@code model.*} string keys (the job's config and CLI flags), each defined as an {@link Option} (type, default,
 * rules, description); values are parsed as they are set and checked once by {@link #validate()}, with messages
 * that name the key ({@code model.dim: must be in [1, 4096], got 0}). Serializable, so operators receive it through their constructors.
 *
 * <p>Defaults are the best robust setting found by {@code TuneMovieLens} (see flink-job/TUNING.md).
 * Setters return {@code this} for chaining; use {@link #copy()} before changing a shared instance.
 */
public final class ModelParams implements Serializable {
    private static final long serialVersionUID = 1L;

    // Field defaults are the tuned values; keep TUNING.md in step when changing one.
    private int dim = 64;
    private boolean itemBias = true;
    private double learningRate = 0.05;
    private double userLearningRate = 0.1;
    private int negatives = 64;
    private int sharedNegativeEvents = 8;
    private double temperature = 1.0;
    private boolean normalize = false;
    private double l2 = 0.0;
    private double initScale = 0.05;
    private double initialAccumulator = 0.1;
    private double adagradDecay = 1.0;
    private int negativeBufferSize = 4096;
    private boolean logq = true;
    private boolean logqPositive = true;
    private double logqSmoothing = 0.5;
    private int historyMax = 500;
    private boolean maskHistoryNegatives = true;
    private double weightView = 0.5;
    private double weightClick = 1.0;
    private double weightAddToCart = 2.0;
    private double weightPurchase = 4.0;
    private double weightRating = 1.0;
    private boolean ratingAsWeight = false;
    private double ratingReference = 4.0;
    private long seed = 0x5eed_5eedL;
    private int cacheSize = 200_000;
    private double cacheLocalLearningRate = 0.02;
    private int popularityCapacity = 2_000;
    private long popularityHalfLifeMs = 0L;
    private double popularityPrior = 0.3;
    private double historyQueryWeight = 1.5;
    private int historyQuerySize = 10;
    private boolean historyQueryGradient = true;
    private double historyQueryDecay = 0.7;
    private double featuresWeight = 1.0;
    private String featuresAttributes = "*";
    private int featuresTextTokens = 4;
    private String featuresNumericLinear = "";
    private int featuresCacheSize = ItemVectorCache.DEFAULT_FEATURE_CAPACITY;
    private double contextWeight = 0.0;
    private String contextTime = "hour,weekday";
    private String contextProperties = "";
    private String contextTimeZone = "UTC";

    /** One key: its definition ({@link Option}: type, default, rules, description) and the field it sets. */
    private static final class Key<T> {
        final Option<T> option;
        final Function<ModelParams, T> get;
        final BiConsumer<ModelParams, T> set;

        Key(Option<T> option, Function<ModelParams, T> get, BiConsumer<ModelParams, T> set) {
            this.option = option;
            this.get = get;
            this.set = set;
        }

        void apply(ModelParams p, String raw) {
            set.accept(p, option.parse(raw));
        }

        void check(ModelParams p) {
            option.check(get.apply(p));
        }

        String format(ModelParams p) {
            return option.format(get.apply(p));
        }
    }

    private static final List<Key<?>> KEYS = new ArrayList<>();

    /** Defines a key whose default is the field's initial value. */
    private static <T> void key(Option.Builder<T> option, Function<ModelParams, T> get,
                                BiConsumer<ModelParams, T> set) {
        KEYS.add(new Key<>(option.defaultValue(get.apply(new ModelParams())).build(), get, set));
    }

    private static Option.Builder<Integer> integer(String name, String description) {
        return Option.named(name, ValueTypes.INTEGER).description(description);
    }

    private static Option.Builder<Double> number(String name, String description) {
        return Option.named(name, ValueTypes.NUMBER).description(description);
    }

    private static Option.Builder<Boolean> bool(String name, String description) {
        return Option.named(name, ValueTypes.BOOLEAN).description(description);
    }

    private static Option.Builder<String> text(String name, String description) {
        return Option.named(name, ValueTypes.STRING).description(description);
    }

    private static <N extends Number & Comparable<N>> Predicate<N> atLeast(N min) {
        return v -> v.compareTo(min) >= 0;
    }

    private static Predicate<Double> positive() {
        return v -> v > 0;
    }

    private static final String POSITIVE = "must be > 0";
    private static final String NOT_NEGATIVE = "must be >= 0";

    static {
        key(integer("model.dim", "Embedding dimension (learned coordinates per user and item).")
                .check(Option.between(1, 4096), "must be in [1, 4096]"), p -> p.dim, (p, v) -> p.dim = v);
        key(bool("model.item-bias", "Learn a per-item bias, carried as an extra last coordinate (user side fixed at "
                + "1) so that serving still ranks by a plain dot product."), p -> p.itemBias, (p, v) -> p.itemBias = v);
        key(number("model.learning-rate", "Adagrad learning rate of the ItemTower (item vectors and biases).")
                .check(positive(), POSITIVE), p -> p.learningRate, (p, v) -> p.learningRate = v);
        key(number("model.user-learning-rate", "Adagrad learning rate of the UserTower (user vectors).")
                .check(positive(), POSITIVE), p -> p.userLearningRate, (p, v) -> p.userLearningRate = v);
        key(integer("model.negatives", "Negatives per draw from the negative buffer (one draw serves "
                + "model.negatives.shared-events events).").check(atLeast(1), "must be >= 1"),
                p -> p.negatives, (p, v) -> p.negatives = v);
        key(integer("model.negatives.shared-events", "Consecutive events of a UserTower subtask that share one draw "
                + "of negatives, like the examples of a batch share in-batch negatives; the drawn vectors are read "
                + "once and their gradients summed over the draw's events.")
                .check(Option.between(1, 4096), "must be in [1, 4096]"),
                p -> p.sharedNegativeEvents, (p, v) -> p.sharedNegativeEvents = v);
        key(number("model.temperature", "Logits are dot products divided by this.").check(positive(), POSITIVE),
                p -> p.temperature, (p, v) -> p.temperature = v);
        key(bool("model.normalize", "Score by cosine: user and item embeddings are L2-normalized (published that "
                + "way), the temperature divides the cosine and the item bias is added unscaled."),
                p -> p.normalize, (p, v) -> p.normalize = v);
        key(number("model.l2", "L2 regularization added to the gradient of every learned coordinate except the bias.")
                .check(atLeast(0.0), NOT_NEGATIVE), p -> p.l2, (p, v) -> p.l2 = v);
        key(number("model.init-scale", "Standard deviation of the deterministic initial vector coordinates.")
                .check(atLeast(0.0), NOT_NEGATIVE), p -> p.initScale, (p, v) -> p.initScale = v);
        key(number("model.adagrad.initial-accumulator", "Starting value of every Adagrad accumulator coordinate.")
                .check(atLeast(0.0), NOT_NEGATIVE), p -> p.initialAccumulator, (p, v) -> p.initialAccumulator = v);
        key(number("model.adagrad.decay", "Forgetting factor of the Adagrad accumulators per update (1 = plain "
                + "Adagrad; below 1 the step size stops shrinking).").check(v -> v > 0 && v <= 1, "must be in (0, 1]"),
                p -> p.adagradDecay, (p, v) -> p.adagradDecay = v);
        key(integer("model.negative-buffer.size", "Recent positives kept per UserTower subtask to draw negatives "
                + "from.").check(atLeast(1), "must be >= 1"),
                p -> p.negativeBufferSize, (p, v) -> p.negativeBufferSize = v);
        key(bool("model.logq", "Subtract log(K * Q(item)) from each sampled negative's logit (logQ correction)."),
                p -> p.logq, (p, v) -> p.logq = v);
        key(bool("model.logq.positive", "Also correct the positive's logit (as TF sampled_softmax_loss does)."),
                p -> p.logqPositive, (p, v) -> p.logqPositive = v);
        key(number("model.logq.smoothing", "Pseudo-count of the buffer frequency estimate (matters for a positive "
                + "that is not in the buffer).").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.logqSmoothing, (p, v) -> p.logqSmoothing = v);
        key(integer("model.history.max", "Most recent distinct items kept per user: excluded from recommendations "
                + "and from the metric's ranking.").check(atLeast(0), NOT_NEGATIVE),
                p -> p.historyMax, (p, v) -> p.historyMax = v);
        key(bool("model.history.mask-negatives", "Leave sampled negatives that are in the user's history out of the "
                + "loss."), p -> p.maskHistoryNegatives, (p, v) -> p.maskHistoryNegatives = v);
        key(number("model.weight.view", "Loss weight of a view event.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.weightView, (p, v) -> p.weightView = v);
        key(number("model.weight.click", "Loss weight of a click event.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.weightClick, (p, v) -> p.weightClick = v);
        key(number("model.weight.add_to_cart", "Loss weight of an add-to-cart event.")
                .check(atLeast(0.0), NOT_NEGATIVE), p -> p.weightAddToCart, (p, v) -> p.weightAddToCart = v);
        key(number("model.weight.purchase", "Loss weight of a purchase event.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.weightPurchase, (p, v) -> p.weightPurchase = v);
        key(number("model.weight.rating", "Loss weight of a rating event.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.weightRating, (p, v) -> p.weightRating = v);
        key(bool("model.rating.as-weight", "Multiply a rating's weight by value / model.rating.reference."),
                p -> p.ratingAsWeight, (p, v) -> p.ratingAsWeight = v);
        key(number("model.rating.reference", "The rating value that weighs exactly model.weight.rating.")
                .check(positive(), POSITIVE), p -> p.ratingReference, (p, v) -> p.ratingReference = v);
        key(Option.named("model.seed", ValueTypes.LONG).description("Seed of the deterministic initial vectors (and "
                + "of negative sampling)."), p -> p.seed, (p, v) -> p.seed = v);
        key(integer("model.cache.size", "Item vectors cached per UserTower subtask (LRU).")
                .check(atLeast(1), "must be >= 1"), p -> p.cacheSize, (p, v) -> p.cacheSize = v);
        key(number("model.cache.local-learning-rate", "SGD step a UserTower applies to its own cached copy of an "
                + "item with the gradient it just sent (0 = off): its next events see the update before the next "
                + "snapshot.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.cacheLocalLearningRate, (p, v) -> p.cacheLocalLearningRate = v);
        key(integer("model.popularity.capacity", "Counters of the most-popular baseline (Space-Saving) per subtask.")
                .check(atLeast(1), "must be >= 1"), p -> p.popularityCapacity, (p, v) -> p.popularityCapacity = v);
        key(Option.named("model.popularity.half-life", ValueTypes.DURATION).description("Half-life of popularity "
                + "counts in event time; 0 = most popular so far.")
                .deprecatedName("model.popularity.half-life-ms", ms -> ms.strip() + "ms"),
                p -> Duration.ofMillis(p.popularityHalfLifeMs), (p, v) -> p.popularityHalfLifeMs = v.toMillis());
        key(number("model.popularity.prior", "Weight of log(1 + the item's count of positive events) added to its "
                + "ranking score in serving and evaluation (not in training, which is logQ-corrected and so ranks by "
                + "lift); 0 = none. Needs model.item-bias.").check(atLeast(0.0), NOT_NEGATIVE),
                p -> p.popularityPrior, (p, v) -> p.popularityPrior = v);
        key(number("model.query.history-weight", "Weight of the mean of the user's recent item vectors added to the "
                + "user vector to form the query (0 = query is the user vector alone).")
                .check(atLeast(0.0), NOT_NEGATIVE), p -> p.historyQueryWeight, (p, v) -> p.historyQueryWeight = v);
        key(integer("model.query.history-size", "How many of the most recent history items form that mean.")
                .check(atLeast(1), "must be >= 1"), p -> p.historyQuerySize, (p, v) -> p.historyQuerySize = v);
        key(number("model.query.history-decay", "Recency decay of the history items in the query: the item k events "
                + "back weighs decay^k before normalizing (1 = plain mean).")
                .check(v -> v > 0 && v <= 1, "must be in (0, 1]"),
                p -> p.historyQueryDecay, (p, v) -> p.historyQueryDecay = v);
        key(bool("model.query.history-gradient", "Also send gradients to the history items through the query "
                + "(more item-side records per event)."),
                p -> p.historyQueryGradient, (p, v) -> p.historyQueryGradient = v);
        key(number("model.features.weight", "Scale of the feature part of an item's vector: item = id embedding + "
                + "this times the weighted mean of its catalog features' embeddings (0 = ids only).")
                .validate(v -> FeatureSpec.parse(v, "*", 0, "")),
                p -> p.featuresWeight, (p, v) -> p.featuresWeight = v);
        key(text("model.features.attributes", "Catalog attributes that are features, with relative weights: * (all), "
                + "a list such as genre,brand:2,title:0.5, or *,title:0.5 (all, with overrides; 0 leaves one out).")
                .validate(v -> FeatureSpec.parse(1, v, 0, "")),
                p -> p.featuresAttributes, (p, v) -> p.featuresAttributes = v);
        key(integer("model.features.text-tokens", "Word tokens taken from each text attribute (title, description) "
                + "as features (0 = text is not used).").check(Option.between(0, 64), "must be in [0, 64]"),
                p -> p.featuresTextTokens, (p, v) -> p.featuresTextTokens = v);
        key(text("model.features.numeric-linear", "Numeric attributes bucketed by a fixed width, e.g. year:5; the "
                + "others use quarter-octave log buckets (right for prices and sizes).")
                .validate(v -> FeatureSpec.parse(1, "*", 0, v)),
                p -> p.featuresNumericLinear, (p, v) -> p.featuresNumericLinear = v);
        key(integer("model.features.cache-size", "Feature and context vectors cached per UserTower subtask.")
                .check(atLeast(1), "must be >= 1"), p -> p.featuresCacheSize, (p, v) -> p.featuresCacheSize = v);
        key(number("model.context.weight", "Weight of the mean of the context vectors (hour of day, day of week, "
                + "configured event properties) added to the query (0 = no context).")
                .validate(v -> ContextSpec.parse(v, "", "", "UTC")),
                p -> p.contextWeight, (p, v) -> p.contextWeight = v);
        key(text("model.context.time", "Time context taken from the event time (in serving from the request, or the "
                + "clock): hour, weekday, both (comma-separated) or none (empty).")
                .validate(v -> ContextSpec.parse(1, v, "", "UTC")),
                p -> p.contextTime, (p, v) -> p.contextTime = v);
        key(text("model.context.properties", "Event properties used as context (comma-separated keys of the event's "
                + "properties, e.g. device,page; serving takes them from context.<key> request parameters).")
                .validate(v -> ContextSpec.parse(1, "", v, "UTC")),
                p -> p.contextProperties, (p, v) -> p.contextProperties = v);
        key(text("model.context.time-zone", "Time zone of the hour and weekday context (e.g. UTC, Europe/Berlin).")
                .validate(v -> ContextSpec.parse(1, "", "", v)),
                p -> p.contextTimeZone, (p, v) -> p.contextTimeZone = v);
    }

    /** The definitions of every {@code model.*} key, in declaration order. */
    public static List<Option<?>> options() {
        List<Option<?>> out = new ArrayList<>();
        KEYS.forEach(k -> out.add(k.option));
        return out;
    }

    public ModelParams() {}

    /** The tuned defaults. */
    public static ModelParams defaults() {
        return new ModelParams();
    }

    /**
     * Defaults overridden by those {@code model.*} entries of {@code config} that are present; other keys are
     * ignored (the job config holds more than the model's). Does not validate.
     *
     * @throws IllegalArgumentException naming the key when a value does not parse
     */
    public static ModelParams fromMap(Map<String, String> config) {
        ModelParams p = new ModelParams();
        for (Map.Entry<String, String> e : config.entrySet()) {
            Key<?> k = find(e.getKey());
            if (k != null) {
                k.apply(p, translate(k, e.getKey(), e.getValue()));
            }
        }
        return p;
    }

    /** Sets one key from its string form, e.g. {@code set("model.dim", "32")}. */
    public ModelParams set(String key, String value) {
        Key<?> k = find(key);
        if (k == null) {
            throw OptionSet.unknown(key, "model key", keyNames());
        }
        k.apply(this, translate(k, key, value));
        return this;
    }

    /** The key of a current or deprecated name, or null. */
    private static Key<?> find(String name) {
        for (Key<?> k : KEYS) {
            if (k.option.name().equals(name)
                    || k.option.deprecatedNames().stream().anyMatch(d -> d.name().equals(name))) {
                return k;
            }
        }
        return null;
    }

    /** A value given under a deprecated name, in the grammar of the current one. */
    private static String translate(Key<?> k, String name, String value) {
        return k.option.deprecatedNames().stream().filter(d -> d.name().equals(name)).findFirst()
                .map(d -> d.translate(value)).orElse(value);
    }

    /** Every key with its current value as a string, in declaration order. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Key<?> k : KEYS) {
            m.put(k.option.name(), k.format(this));
        }
        return m;
    }

    /** Key name -> description, for help text and the README config table. */
    public static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Key<?> k : KEYS) {
            m.put(k.option.name(), k.option.description());
        }
        return Collections.unmodifiableMap(m);
    }

    private static List<String> keyNames() {
        List<String> names = new ArrayList<>();
        KEYS.forEach(k -> names.add(k.option.name()));
        return names;
    }

    public ModelParams copy() {
        ModelParams p = new ModelParams();
        toMap().forEach(p::set);
        return p;
    }

    /**
     * Checks every value once, at job start.
     *
     * @return this
     * @throws IllegalArgumentException with a message naming the offending key
     */
    public ModelParams validate() {
        for (Key<?> k : KEYS) {
            k.check(this);
        }
        if (popularityPrior > 0 && !itemBias) {
            throw new ConfigException("model.popularity.prior", "needs model.item-bias=true (the prior is added in "
                    + "the bias coordinate), got " + popularityPrior + " with the item bias off");
        }
        if ((long) cacheSize * vectorLength() >= Integer.MAX_VALUE - 8) {
            throw new ConfigException("model.cache.size", "times the vector length must fit one array, got "
                    + cacheSize);
        }
        return this;
    }

    /** Which catalog attributes become features ({@code model.features.*}). */
    public FeatureSpec featureSpec() {
        return FeatureSpec.parse(featuresWeight, featuresAttributes, featuresTextTokens, featuresNumericLinear);
    }

    /** The query's context ({@code model.context.*}). */
    public ContextSpec contextSpec() {
        return ContextSpec.parse(contextWeight, contextTime, contextProperties, contextTimeZone);
    }

    /** How queries are formed: what the serving node needs to form the trainer's queries. */
    public QuerySpec querySpec() {
        return new QuerySpec(dim, itemBias, historyQueryWeight, historyQuerySize, historyQueryDecay, normalize,
                temperature, contextSpec(), seed, initScale, popularityPrior);
    }

    /**
     * Loss weight of one event: the type's weight, times value / reference for ratings when
     * {@code model.rating.as-weight} is on (a missing rating value counts as the reference).
     */
    public float weightOf(EventType type, Double value) {
        switch (type) {
            case VIEW: return (float) weightView;
            case CLICK: return (float) weightClick;
            case ADD_TO_CART: return (float) weightAddToCart;
            case PURCHASE: return (float) weightPurchase;
            case RATING:
                return (float) (ratingAsWeight && value != null ? weightRating * value / ratingReference : weightRating);
            default: throw new IllegalArgumentException("no weight for event type " + type);
        }
    }

    /**
     * Floats in a stored and published vector: {@code dim}, plus one when the item bias is on (items carry the
     * bias there, users a constant 1).
     */
    public int vectorLength() {
        return dim + (itemBias ? 1 : 0);
    }

    public int dim() { return dim; }
    public boolean itemBias() { return itemBias; }
    public double learningRate() { return learningRate; }
    public double userLearningRate() { return userLearningRate; }
    public int negatives() { return negatives; }
    public int sharedNegativeEvents() { return sharedNegativeEvents; }
    public double temperature() { return temperature; }
    public boolean normalize() { return normalize; }
    public double l2() { return l2; }
    public double initScale() { return initScale; }
    public double initialAccumulator() { return initialAccumulator; }
    public double adagradDecay() { return adagradDecay; }
    public int negativeBufferSize() { return negativeBufferSize; }
    public boolean logq() { return logq; }
    public boolean logqPositive() { return logqPositive; }
    public double logqSmoothing() { return logqSmoothing; }
    public int historyMax() { return historyMax; }
    public boolean maskHistoryNegatives() { return maskHistoryNegatives; }
    public boolean ratingAsWeight() { return ratingAsWeight; }
    public long seed() { return seed; }
    public int cacheSize() { return cacheSize; }
    public double cacheLocalLearningRate() { return cacheLocalLearningRate; }
    public int popularityCapacity() { return popularityCapacity; }
    public long popularityHalfLifeMs() { return popularityHalfLifeMs; }
    public double popularityPrior() { return popularityPrior; }
    public double historyQueryWeight() { return historyQueryWeight; }
    public int historyQuerySize() { return historyQuerySize; }
    public boolean historyQueryGradient() { return historyQueryGradient; }
    public double historyQueryDecay() { return historyQueryDecay; }
    public int featuresCacheSize() { return featuresCacheSize; }

    @Override
    public String toString() {
        return "ModelParams" + toMap();
    }
}
