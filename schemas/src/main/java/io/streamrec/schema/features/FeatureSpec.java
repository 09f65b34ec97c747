package io.streamrec.schema.features;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which catalog attributes become item features and how much each weighs: the parsed form of the trainer's
 * {@code model.features.*} keys. An item's vector is {@code e(id) + weight * sum over its features}, where each
 * attribute's share is its weight divided by the sum of the weights of the attributes the item has, split equally
 * among the attribute's values (a genre of a three-genre movie gets a third of the genre share).
 *
 * <p>Immutable and Serializable (operators receive it through their constructors).
 */
public final class FeatureSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Features off: every item is its id vector alone. */
    public static final FeatureSpec NONE = new FeatureSpec(0f, false, Map.of(), 0, Map.of());

    private final float weight;
    private final boolean allAttributes;
    private final Map<String, Float> attributeWeights;
    private final int textTokens;
    private final Map<String, Double> linearWidths;

    /**
     * @param weight scale of the feature part of an item's vector; 0 turns features off
     * @param allAttributes every attribute is a feature (weight 1 unless {@code attributeWeights} says otherwise)
     * @param attributeWeights per attribute name; 0 leaves the attribute out
     * @param textTokens word tokens taken from each text attribute (0: text attributes are not features)
     * @param linearWidths numeric attributes bucketed by a fixed width (e.g. year by 5); others by a log scale
     */
    public FeatureSpec(float weight, boolean allAttributes, Map<String, Float> attributeWeights, int textTokens,
                       Map<String, Double> linearWidths) {
        this.weight = weight;
        this.allAttributes = allAttributes;
        this.attributeWeights = Collections.unmodifiableMap(new LinkedHashMap<>(attributeWeights));
        this.textTokens = textTokens;
        this.linearWidths = Collections.unmodifiableMap(new LinkedHashMap<>(linearWidths));
    }

    /**
     * Parses the config forms: {@code attributes} is {@code *} (all), a list {@code genre,brand:2,title:0.5}, or
     * {@code *,title:0.5} (all, with overrides); {@code linear} is {@code year:5,size:10}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static FeatureSpec parse(double weight, String attributes, int textTokens, String linear) {
        boolean all = false;
        Map<String, Float> weights = new LinkedHashMap<>();
        for (String part : attributes.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("*")) {
                all = true;
                continue;
            }
            String[] kv = p.split(":", 2);
            String name = kv[0].trim();
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("'" + name + "' is not an attribute name ([A-Za-z0-9_-]{1,64})");
            }
            float w = 1f;
            if (kv.length == 2) {
                try {
                    w = Float.parseFloat(kv[1].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("weight of '" + name + "' is not a number: " + kv[1]);
                }
                if (!(w >= 0) || !Float.isFinite(w)) {
                    throw new IllegalArgumentException("weight of '" + name + "' must be >= 0, got " + kv[1]);
                }
            }
            weights.put(name, w);
        }
        Map<String, Double> widths = new LinkedHashMap<>();
        for (String part : linear.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] kv = p.split(":", 2);
            double width;
            try {
                width = kv.length == 2 ? Double.parseDouble(kv[1].trim()) : Double.NaN;
            } catch (NumberFormatException e) {
                width = Double.NaN;
            }
            if (!(width > 0) || Double.isInfinite(width)) {
                throw new IllegalArgumentException("expected name:width with a width > 0, got '" + p + "'");
            }
            widths.put(kv[0].trim(), width);
        }
        if (textTokens < 0) {
            throw new IllegalArgumentException("text tokens must be >= 0, got " + textTokens);
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
        return new FeatureSpec((float) weight, all, weights, textTokens, widths);
    }

    /** Whether any item can have features under this spec. */
    public boolean enabled() {
        return weight > 0 && (allAttributes || attributeWeights.values().stream().anyMatch(w -> w > 0));
    }

    public float weight() {
        return weight;
    }

    /** The weight of an attribute, 0 when it is not a feature. */
    public float attributeWeight(String name) {
        Float w = attributeWeights.get(name);
        if (w != null) {
            return w;
        }
        return allAttributes ? 1f : 0f;
    }

    public int textTokens() {
        return textTokens;
    }

    /** The bucket width of a numeric attribute bucketed linearly, or NaN for the log scale. */
    public double linearWidth(String name) {
        Double w = linearWidths.get(name);
        return w == null ? Double.NaN : w;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FeatureSpec{weight=%s, all=%s, weights=%s, textTokens=%d, linear=%s}",
                weight, allAttributes, attributeWeights, textTokens, linearWidths);
    }
}
