package io.streamrec.job.model;

import io.streamrec.schema.EventType;
import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.FeatureSpec;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The learning core's hyperparameters: typed fields with tuned defaults, read from / written to flat
 * {@code model.*} string keys (the job's config and CLI flags), checked once by {@link #validate()} with messages
 * that name the key. Serializable, so operators receive it through their constructors.
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
    private double userLearningRate = 0.05;
    private int negatives = 64;
    private int sharedNegativeEvents = 8;
    private double temperature = 1.0;
    private boolean normalize = false;
    private double l2 = 0.0;
    private double initScale = 0.01;
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

    /** One config key: its name, meaning, and how to read, parse and set it. */
    private static final class Key<T> {
        final String name;
        final String description;
        final Function<String, T> parse;
        final Function<ModelParams, T> get;
        final BiConsumer<ModelParams, T> set;

        Key(String name, String description, Function<String, T> parse, Function<ModelParams, T> get,
            BiConsumer<ModelParams, T> set) {
            this.name = name;
            this.description = description;
            this.parse = parse;
            this.get = get;
            this.set = set;
        }

        void apply(ModelParams p, String raw) {
            T value;
            try {
                value = parse.apply(raw.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Property " + name + " has an unreadable value '" + raw + "'", e);
            }
            set.accept(p, value);
        }
    }

    private static final List<Key<?>> KEYS = new ArrayList<>();

    private static <T> void key(String name, String description, Function<String, T> parse,
                                Function<ModelParams, T> get, BiConsumer<ModelParams, T> set) {
        KEYS.add(new Key<>(name, description, parse, get, set));
    }

    private static boolean parseBoolean(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true": case "on": case "yes": return true;
            case "false": case "off": case "no": return false;
            default: throw new IllegalArgumentException("expected true/false, got " + s);
        }
    }

    static {
        key("model.dim", "Embedding dimension (learned coordinates per user and item).",
                Integer::parseInt, p -> p.dim, (p, v) -> p.dim = v);
        key("model.item-bias", "Learn a per-item bias, carried as an extra last coordinate (user side fixed at 1) so "
                + "that serving still ranks by a plain dot product.",
                ModelParams::parseBoolean, p -> p.itemBias, (p, v) -> p.itemBias = v);
        key("model.learning-rate", "Adagrad learning rate of the ItemTower (item vectors and biases).",
                Double::parseDouble, p -> p.learningRate, (p, v) -> p.learningRate = v);
        key("model.user-learning-rate", "Adagrad learning rate of the UserTower (user vectors).",
                Double::parseDouble, p -> p.userLearningRate, (p, v) -> p.userLearningRate = v);
        key("model.negatives", "Negatives per draw from the negative buffer (one draw serves "
                + "model.negatives.shared-events events).",
                Integer::parseInt, p -> p.negatives, (p, v) -> p.negatives = v);
        key("model.negatives.shared-events", "Consecutive events of a UserTower subtask that share one draw of "
                + "negatives, like the examples of a batch share in-batch negatives; the drawn vectors are read once "
                + "and their gradients summed over the draw's events.",
                Integer::parseInt, p -> p.sharedNegativeEvents, (p, v) -> p.sharedNegativeEvents = v);
        key("model.temperature", "Logits are dot products divided by this.",
                Double::parseDouble, p -> p.temperature, (p, v) -> p.temperature = v);
        key("model.normalize", "Score by cosine: user and item embeddings are L2-normalized (published that way), "
                + "the temperature divides the cosine and the item bias is added unscaled.",
                ModelParams::parseBoolean, p -> p.normalize, (p, v) -> p.normalize = v);
        key("model.l2", "L2 regularization added to the gradient of every learned coordinate except the bias.",
                Double::parseDouble, p -> p.l2, (p, v) -> p.l2 = v);
        key("model.init-scale", "Standard deviation of the deterministic initial vector coordinates.",
                Double::parseDouble, p -> p.initScale, (p, v) -> p.initScale = v);
        key("model.adagrad.initial-accumulator", "Starting value of every Adagrad accumulator coordinate.",
                Double::parseDouble, p -> p.initialAccumulator, (p, v) -> p.initialAccumulator = v);
        key("model.adagrad.decay", "Forgetting factor of the Adagrad accumulators per update (1 = plain Adagrad; "
                + "below 1 the step size stops shrinking).",
                Double::parseDouble, p -> p.adagradDecay, (p, v) -> p.adagradDecay = v);
        key("model.negative-buffer.size", "Recent positives kept per UserTower subtask to draw negatives from.",
                Integer::parseInt, p -> p.negativeBufferSize, (p, v) -> p.negativeBufferSize = v);
        key("model.logq", "Subtract log(K * Q(item)) from each sampled negative's logit (logQ correction).",
                ModelParams::parseBoolean, p -> p.logq, (p, v) -> p.logq = v);
        key("model.logq.positive", "Also correct the positive's logit (as TF sampled_softmax_loss does).",
                ModelParams::parseBoolean, p -> p.logqPositive, (p, v) -> p.logqPositive = v);
        key("model.logq.smoothing", "Pseudo-count of the buffer frequency estimate (matters for a positive that is "
                + "not in the buffer).",
                Double::parseDouble, p -> p.logqSmoothing, (p, v) -> p.logqSmoothing = v);
        key("model.history.max", "Most recent distinct items kept per user: excluded from recommendations and "
                + "from the metric's ranking.",
                Integer::parseInt, p -> p.historyMax, (p, v) -> p.historyMax = v);
        key("model.history.mask-negatives", "Leave sampled negatives that are in the user's history out of the loss.",
                ModelParams::parseBoolean, p -> p.maskHistoryNegatives, (p, v) -> p.maskHistoryNegatives = v);
        key("model.weight.view", "Loss weight of a view event.",
                Double::parseDouble, p -> p.weightView, (p, v) -> p.weightView = v);
        key("model.weight.click", "Loss weight of a click event.",
                Double::parseDouble, p -> p.weightClick, (p, v) -> p.weightClick = v);
        key("model.weight.add_to_cart", "Loss weight of an add-to-cart event.",
                Double::parseDouble, p -> p.weightAddToCart, (p, v) -> p.weightAddToCart = v);
        key("model.weight.purchase", "Loss weight of a purchase event.",
                Double::parseDouble, p -> p.weightPurchase, (p, v) -> p.weightPurchase = v);
        key("model.weight.rating", "Loss weight of a rating event.",
                Double::parseDouble, p -> p.weightRating, (p, v) -> p.weightRating = v);
        key("model.rating.as-weight", "Multiply a rating's weight by value / model.rating.reference.",
                ModelParams::parseBoolean, p -> p.ratingAsWeight, (p, v) -> p.ratingAsWeight = v);
        key("model.rating.reference", "The rating value that weighs exactly model.weight.rating.",
                Double::parseDouble, p -> p.ratingReference, (p, v) -> p.ratingReference = v);
        key("model.seed", "Seed of the deterministic initial vectors (and of negative sampling).",
                Long::decode, p -> p.seed, (p, v) -> p.seed = v);
        key("model.cache.size", "Item vectors cached per UserTower subtask (LRU).",
                Integer::parseInt, p -> p.cacheSize, (p, v) -> p.cacheSize = v);
        key("model.cache.local-learning-rate", "SGD step a UserTower applies to its own cached copy of an item with "
                + "the gradient it just sent (0 = off): its next events see the update before the next snapshot.",
                Double::parseDouble, p -> p.cacheLocalLearningRate, (p, v) -> p.cacheLocalLearningRate = v);
        key("model.popularity.capacity", "Counters of the most-popular baseline (Space-Saving) per subtask.",
                Integer::parseInt, p -> p.popularityCapacity, (p, v) -> p.popularityCapacity = v);
        key("model.popularity.half-life-ms", "Half-life of popularity counts in event time; 0 = most popular so far.",
                Long::decode, p -> p.popularityHalfLifeMs, (p, v) -> p.popularityHalfLifeMs = v);
        key("model.query.history-weight", "Weight of the mean of the user's recent item vectors added to the user "
                + "vector to form the query (0 = query is the user vector alone).",
                Double::parseDouble, p -> p.historyQueryWeight, (p, v) -> p.historyQueryWeight = v);
        key("model.query.history-size", "How many of the most recent history items form that mean.",
                Integer::parseInt, p -> p.historyQuerySize, (p, v) -> p.historyQuerySize = v);
        key("model.query.history-decay", "Recency decay of the history items in the query: the item k events back "
                + "weighs decay^k before normalizing (1 = plain mean).",
                Double::parseDouble, p -> p.historyQueryDecay, (p, v) -> p.historyQueryDecay = v);
        key("model.query.history-gradient", "Also send gradients to the history items through the query "
                + "(more item-side records per event).",
                ModelParams::parseBoolean, p -> p.historyQueryGradient, (p, v) -> p.historyQueryGradient = v);
        key("model.features.weight", "Scale of the feature part of an item's vector: item = id embedding + this "
                + "times the weighted mean of its catalog features' embeddings (0 = ids only).",
                Double::parseDouble, p -> p.featuresWeight, (p, v) -> p.featuresWeight = v);
        key("model.features.attributes", "Catalog attributes that are features, with relative weights: * (all), "
                + "a list such as genre,brand:2,title:0.5, or *,title:0.5 (all, with overrides; 0 leaves one out).",
                String::trim, p -> p.featuresAttributes, (p, v) -> p.featuresAttributes = v);
        key("model.features.text-tokens", "Word tokens taken from each text attribute (title, description) as "
                + "features (0 = text is not used).",
                Integer::parseInt, p -> p.featuresTextTokens, (p, v) -> p.featuresTextTokens = v);
        key("model.features.numeric-linear", "Numeric attributes bucketed by a fixed width, e.g. year:5; the others "
                + "use quarter-octave log buckets (right for prices and sizes).",
                String::trim, p -> p.featuresNumericLinear, (p, v) -> p.featuresNumericLinear = v);
        key("model.features.cache-size", "Feature and context vectors cached per UserTower subtask.",
                Integer::parseInt, p -> p.featuresCacheSize, (p, v) -> p.featuresCacheSize = v);
        key("model.context.weight", "Weight of the mean of the context vectors (hour of day, day of week, "
                + "configured event properties) added to the query (0 = no context).",
                Double::parseDouble, p -> p.contextWeight, (p, v) -> p.contextWeight = v);
        key("model.context.time", "Time context taken from the event time (from the request's or the clock's in "
                + "serving): hour, weekday, both (comma-separated) or none (empty).",
                String::trim, p -> p.contextTime, (p, v) -> p.contextTime = v);
        key("model.context.properties", "Event properties used as context (comma-separated keys of the event's "
                + "properties, e.g. device,page; serving takes them from context.<key> request parameters).",
                String::trim, p -> p.contextProperties, (p, v) -> p.contextProperties = v);
        key("model.context.time-zone", "Time zone of the hour and weekday context (e.g. UTC, Europe/Berlin).",
                String::trim, p -> p.contextTimeZone, (p, v) -> p.contextTimeZone = v);
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
        for (Key<?> k : KEYS) {
            String raw = config.get(k.name);
            if (raw != null) {
                k.apply(p, raw);
            }
        }
        return p;
    }

    /** Sets one key from its string form, e.g. {@code set("model.dim", "32")}. */
    public ModelParams set(String key, String value) {
        for (Key<?> k : KEYS) {
            if (k.name.equals(key)) {
                k.apply(this, value);
                return this;
            }
        }
        throw new IllegalArgumentException("Unknown model property " + key + "; known: " + keyNames());
    }

    /** Every key with its current value as a string, in declaration order. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Key<?> k : KEYS) {
            m.put(k.name, String.valueOf(k.get.apply(this)));
        }
        return m;
    }

    /** Key name -> description, for help text and the README config table. */
    public static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Key<?> k : KEYS) {
            m.put(k.name, k.description);
        }
        return Collections.unmodifiableMap(m);
    }

    private static List<String> keyNames() {
        List<String> names = new ArrayList<>();
        KEYS.forEach(k -> names.add(k.name));
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
        require(dim >= 1 && dim <= 4096, "model.dim", "must be in [1, 4096]", dim);
        require(learningRate > 0 && Double.isFinite(learningRate), "model.learning-rate", "must be > 0", learningRate);
        require(userLearningRate > 0 && Double.isFinite(userLearningRate), "model.user-learning-rate", "must be > 0",
                userLearningRate);
        require(negatives >= 1, "model.negatives", "must be >= 1", negatives);
        require(sharedNegativeEvents >= 1 && sharedNegativeEvents <= 4096, "model.negatives.shared-events",
                "must be in [1, 4096]", sharedNegativeEvents);
        require(temperature > 0 && Double.isFinite(temperature), "model.temperature", "must be > 0", temperature);
        require(l2 >= 0 && Double.isFinite(l2), "model.l2", "must be >= 0", l2);
        require(initScale >= 0 && Double.isFinite(initScale), "model.init-scale", "must be >= 0", initScale);
        require(initialAccumulator >= 0 && Double.isFinite(initialAccumulator), "model.adagrad.initial-accumulator",
                "must be >= 0", initialAccumulator);
        require(adagradDecay > 0 && adagradDecay <= 1, "model.adagrad.decay", "must be in (0, 1]", adagradDecay);
        require(negativeBufferSize >= 1, "model.negative-buffer.size", "must be >= 1", negativeBufferSize);
        require(logqSmoothing >= 0, "model.logq.smoothing", "must be >= 0", logqSmoothing);
        require(historyMax >= 0, "model.history.max", "must be >= 0", historyMax);
        require(weightView >= 0, "model.weight.view", "must be >= 0", weightView);
        require(weightClick >= 0, "model.weight.click", "must be >= 0", weightClick);
        require(weightAddToCart >= 0, "model.weight.add_to_cart", "must be >= 0", weightAddToCart);
        require(weightPurchase >= 0, "model.weight.purchase", "must be >= 0", weightPurchase);
        require(weightRating >= 0, "model.weight.rating", "must be >= 0", weightRating);
        require(ratingReference > 0, "model.rating.reference", "must be > 0", ratingReference);
        require(cacheSize >= 1, "model.cache.size", "must be >= 1", cacheSize);
        require((long) cacheSize * vectorLength() < Integer.MAX_VALUE - 8, "model.cache.size",
                "times the vector length must fit one array", cacheSize);
        require(cacheLocalLearningRate >= 0, "model.cache.local-learning-rate", "must be >= 0",
                cacheLocalLearningRate);
        require(popularityCapacity >= 1, "model.popularity.capacity", "must be >= 1", popularityCapacity);
        require(popularityHalfLifeMs >= 0, "model.popularity.half-life-ms", "must be >= 0", popularityHalfLifeMs);
        require(historyQueryWeight >= 0, "model.query.history-weight", "must be >= 0", historyQueryWeight);
        require(historyQueryDecay > 0 && historyQueryDecay <= 1, "model.query.history-decay", "must be in (0, 1]",
                historyQueryDecay);
        require(historyQuerySize >= 1, "model.query.history-size", "must be >= 1", historyQuerySize);
        require(featuresTextTokens >= 0 && featuresTextTokens <= 64, "model.features.text-tokens",
                "must be in [0, 64]", featuresTextTokens);
        require(featuresCacheSize >= 1, "model.features.cache-size", "must be >= 1", featuresCacheSize);
        featureSpecChecked("model.features.weight", () -> FeatureSpec.parse(featuresWeight, "*", 0, ""));
        featureSpecChecked("model.features.attributes", () -> FeatureSpec.parse(1, featuresAttributes, 0, ""));
        featureSpecChecked("model.features.numeric-linear",
                () -> FeatureSpec.parse(1, "*", 0, featuresNumericLinear));
        featureSpecChecked("model.context.weight", () -> ContextSpec.parse(contextWeight, "", "", "UTC"));
        featureSpecChecked("model.context.time", () -> ContextSpec.parse(1, contextTime, "", "UTC"));
        featureSpecChecked("model.context.properties", () -> ContextSpec.parse(1, "", contextProperties, "UTC"));
        featureSpecChecked("model.context.time-zone", () -> ContextSpec.parse(1, "", "", contextTimeZone));
        return this;
    }

    private static void featureSpecChecked(String key, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Property " + key + ": " + e.getMessage(), e);
        }
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
                temperature, contextSpec(), seed, initScale);
    }

    private static void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("Property " + key + " " + rule + ", got " + value);
        }
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
