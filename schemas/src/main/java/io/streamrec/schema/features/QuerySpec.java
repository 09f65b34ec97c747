package io.streamrec.schema.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How a query vector is formed from what the trainer publishes, so that the serving node forms exactly the query the
 * trainer scored with: {@code q = u + sum_h f_h * v_h + sum_c (contextWeight / n) * x_c} on the first {@code dim}
 * coordinates (the bias coordinate of {@code u} stays 1), where {@code u} is the user's own vector, {@code v_h} the
 * (composed) vectors of the user's most recent distinct items, oldest first, with the recency weights
 * {@link #historyFactors}, and {@code x_c} the vectors of the context keys ({@link ContextSpec}); then, with
 * {@code normalize}, the first {@code dim} coordinates are scaled to length {@code 1 / temperature}.
 *
 * <p>The trainer publishes this as JSON with every snapshot's completion markers. Immutable, Serializable.
 */
public final class QuerySpec implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int dim;
    private final boolean itemBias;
    private final double historyWeight;
    private final int historySize;
    private final double historyDecay;
    private final boolean normalize;
    private final double temperature;
    private final ContextSpec context;
    private final long seed;
    private final double initScale;
    private final double popularityPrior;
    /** historyFactors(n) for n = 0 .. historySize, computed once. */
    private transient float[][] factors;

    /** Mixed into the model seed for item initial vectors (users use another salt, so "42" differs as both). */
    public static final long ITEM_SALT = 0x6974656dL; // "item"

    /**
     * @param seed the model seed of the deterministic initial vectors ({@link #initialItemVector})
     * @param initScale their standard deviation
     */
    public QuerySpec(int dim, boolean itemBias, double historyWeight, int historySize, double historyDecay,
                     boolean normalize, double temperature, ContextSpec context, long seed, double initScale) {
        this(dim, itemBias, historyWeight, historySize, historyDecay, normalize, temperature, context, seed, initScale,
                0);
    }

    /**
     * @param popularityPrior weight of {@code log(1 + popularity)} added to an item's score ({@link #withPrior});
     *     needs {@code itemBias}
     */
    public QuerySpec(int dim, boolean itemBias, double historyWeight, int historySize, double historyDecay,
                     boolean normalize, double temperature, ContextSpec context, long seed, double initScale,
                     double popularityPrior) {
        if (popularityPrior != 0 && !itemBias) {
            throw new IllegalArgumentException("a popularity prior needs the item bias coordinate");
        }
        this.popularityPrior = popularityPrior;
        this.seed = seed;
        this.initScale = initScale;
        this.dim = dim;
        this.itemBias = itemBias;
        this.historyWeight = historyWeight;
        this.historySize = historySize;
        this.historyDecay = historyDecay;
        this.normalize = normalize;
        this.temperature = temperature;
        this.context = context;
    }

    public int dim() {
        return dim;
    }

    public boolean itemBias() {
        return itemBias;
    }

    public int vectorLength() {
        return dim + (itemBias ? 1 : 0);
    }

    public double historyWeight() {
        return historyWeight;
    }

    /** How many of the most recent history items the query uses (0 when the history term is off). */
    public int historySize() {
        return historyWeight == 0 ? 0 : historySize;
    }

    public double historyDecay() {
        return historyDecay;
    }

    public boolean normalize() {
        return normalize;
    }

    public double temperature() {
        return temperature;
    }

    public ContextSpec context() {
        return context;
    }

    /**
     * The weight of each of the n most recent items in the query, oldest first: {@code weight * decay^age / sum},
     * so that they add up to the history weight (decay 1 is the plain mean). The returned array is shared: do not
     * modify it.
     */
    public float[] historyFactors(int n) {
        if (factors == null) {
            float[][] f = new float[historySize + 1][];
            for (int i = 0; i <= historySize; i++) {
                f[i] = computeFactors(i);
            }
            factors = f;
        }
        return factors[n];
    }

    private float[] computeFactors(int n) {
        double[] w = new double[n];
        double sum = 0;
        for (int h = n - 1, age = 0; h >= 0; h--, age++) {
            w[h] = Math.pow(historyDecay, age);
            sum += w[h];
        }
        float[] f = new float[n];
        for (int h = 0; h < n; h++) {
            f[h] = (float) (historyWeight * w[h] / sum);
        }
        return f;
    }

    /**
     * The vector an item has before the trainer ever published it (the trainer starts it there): deterministic from
     * the id ({@link InitialVectors}), bias 0; zero for a feature or context key.
     */
    public float[] initialItemVector(String id) {
        float[] v = new float[vectorLength()];
        if (!FeatureKeys.isFeature(id)) {
            InitialVectors.fillGaussian(id, seed ^ ITEM_SALT, (float) initScale, v, 0, dim);
            if (normalize) { // published normalized, as the trainer publishes every item then
                double s = 0;
                for (int i = 0; i < dim; i++) {
                    s += (double) v[i] * v[i];
                }
                float n = (float) Math.max(Math.sqrt(s), 1e-12);
                for (int i = 0; i < dim; i++) {
                    v[i] /= n;
                }
            }
        }
        return v;
    }

    /** Weight of {@code log(1 + popularity)} in an item's score (0 = none). */
    public double popularityPrior() {
        return popularityPrior;
    }

    /**
     * The popularity prior of an item that has been the positive of {@code popularity} events:
     * {@code popularityPrior * log(1 + popularity)}. A ranking score is {@code query . vector + prior}: serving
     * adds it to the bias coordinate of the item's served row ({@link #withPrior}), whose query coordinate is 1.
     * Training never sees it: the towers learn the logQ-corrected model, whose scores rank by lift; the prior adds
     * back the part of popularity that sparse users' next items follow (see docs/architecture.md).
     */
    public float prior(float popularity) {
        return popularityPrior == 0 || !(popularity > 0) ? 0f : (float) (popularityPrior * Math.log1p(popularity));
    }

    /** The row a reader ranks by: {@code vector} with {@link #prior} added to its bias coordinate (a copy if so). */
    public float[] withPrior(float[] vector, float popularity) {
        float p = prior(popularity);
        if (p == 0f) {
            return vector;
        }
        float[] out = vector.clone();
        out[dim] += p;
        return out;
    }

    /** {@code q[d] += f * v[d]} for d below dim: how every history and context term enters the query. */
    public void addTerm(float f, float[] v, float[] q) {
        for (int d = 0; d < dim; d++) {
            q[d] += f * v[d];
        }
    }

    /**
     * The query of a user: {@code user} (not modified), the user's most recent items oldest first with their vectors
     * ({@code vectors} answers null for an item the reader has none of: it then counts with its initial vector, as
     * in the trainer) and the context keys' vectors (null entries, unpublished keys, count in the mean but add
     * nothing).
     */
    public float[] query(float[] user, List<String> recent, Function<String, float[]> vectors,
                         List<float[]> contextVectors) {
        float[] q = user.clone();
        if (!recent.isEmpty()) {
            float[] f = historyFactors(recent.size());
            for (int h = 0; h < f.length; h++) {
                float[] v = vectors.apply(recent.get(h));
                addTerm(f[h], v != null ? v : initialItemVector(recent.get(h)), q);
            }
        }
        float c = context.factor(contextVectors.size());
        for (float[] x : contextVectors) {
            if (x != null) {
                addTerm(c, x, q);
            }
        }
        return servingForm(q);
    }

    /** With {@code normalize}, a new array scaled to length 1 / temperature on the first dim coordinates; else q. */
    public float[] servingForm(float[] q) {
        if (!normalize) {
            return q;
        }
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (double) q[i] * q[i];
        }
        float norm = (float) Math.max(Math.sqrt(s), 1e-12);
        float[] out = q.clone();
        float f = (float) (1.0 / (norm * temperature));
        for (int i = 0; i < dim; i++) {
            out[i] *= f;
        }
        return out;
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("dim", dim);
        n.put("item_bias", itemBias);
        ObjectNode h = n.putObject("history");
        h.put("weight", historyWeight);
        h.put("size", historySize);
        h.put("decay", historyDecay);
        n.put("normalize", normalize);
        n.put("temperature", temperature);
        ObjectNode c = n.putObject("context");
        c.put("weight", context.weight());
        c.put("hour", context.hour());
        c.put("weekday", context.weekday());
        ArrayNode p = c.putArray("properties");
        context.properties().forEach(p::add);
        c.put("time_zone", context.timeZone());
        ObjectNode init = n.putObject("initial_vectors");
        init.put("seed", seed);
        init.put("scale", initScale);
        n.put("popularity_prior", popularityPrior);
        return n.toString();
    }

    /** @throws IllegalArgumentException when the text is not a query spec this code can read */
    public static QuerySpec fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            JsonNode h = n.path("history");
            JsonNode c = n.path("context");
            List<String> props = new ArrayList<>();
            c.path("properties").forEach(p -> props.add(p.asText()));
            ContextSpec context = new ContextSpec((float) c.path("weight").asDouble(0), c.path("hour").asBoolean(false),
                    c.path("weekday").asBoolean(false), props, c.path("time_zone").asText("UTC"));
            if (!n.has("dim")) {
                throw new IllegalArgumentException("query spec without 'dim': " + json);
            }
            JsonNode init = n.path("initial_vectors");
            return new QuerySpec(n.get("dim").asInt(), n.path("item_bias").asBoolean(true),
                    h.path("weight").asDouble(0), h.path("size").asInt(0), h.path("decay").asDouble(1),
                    n.path("normalize").asBoolean(false), n.path("temperature").asDouble(1), context,
                    init.path("seed").asLong(0), init.path("scale").asDouble(0),
                    n.path("popularity_prior").asDouble(0));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a query spec: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a query spec: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuerySpec && toJson().equals(((QuerySpec) o).toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
