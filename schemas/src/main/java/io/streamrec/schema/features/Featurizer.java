package io.streamrec.schema.features;

import io.streamrec.schema.catalog.CatalogRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a catalog record into the item's features under a {@link FeatureSpec}: categorical values as they are
 * (trimmed, lower case, inner white space collapsed), the first few word tokens of each text attribute, and one
 * bucket per numeric attribute (a quarter-octave log scale, or a fixed width where configured). The keys come in
 * attribute-name order (categorical, then text, then numeric attributes), values in record order; the same record
 * and spec always give the same features.
 *
 * <p>Thread-safe (stateless apart from the immutable spec).
 */
public final class Featurizer {
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Words that say nothing about an item; kept short on purpose (English only). */
    private static final Set<String> STOP_WORDS = Set.of("the", "a", "an", "and", "or", "of", "in", "on", "for",
            "to", "with", "by", "at", "from", "de", "la", "le", "les", "el", "der", "die", "das", "und");
    /** Buckets per doubling of a numeric value on the log scale. */
    static final int LOG_BUCKETS_PER_OCTAVE = 4;

    private final FeatureSpec spec;

    public Featurizer(FeatureSpec spec) {
        this.spec = spec;
    }

    /** The item's features; {@link ItemFeatures#NONE} for a retired item or when nothing applies. */
    public ItemFeatures features(CatalogRecord record) {
        if (!record.available() || !spec.enabled()) {
            return ItemFeatures.NONE;
        }
        List<String> attributes = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : record.categories().entrySet()) {
            List<String> v = new ArrayList<>(new LinkedHashSet<>(normalized(e.getValue())));
            add(e.getKey(), v, attributes, values);
        }
        if (spec.textTokens() > 0) {
            for (Map.Entry<String, String> e : record.text().entrySet()) {
                add(e.getKey(), tokens(e.getValue(), spec.textTokens()), attributes, values);
            }
        }
        for (Map.Entry<String, Double> e : record.numbers().entrySet()) {
            add(e.getKey(), List.of(bucket(e.getValue(), spec.linearWidth(e.getKey()))), attributes, values);
        }
        float total = 0f;
        for (String a : attributes) {
            total += spec.attributeWeight(a);
        }
        if (total <= 0f) {
            return ItemFeatures.NONE;
        }
        List<String> keys = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            String a = attributes.get(i);
            List<String> v = values.get(i);
            float w = spec.weight() * spec.attributeWeight(a) / total / v.size();
            for (String value : v) {
                String key = FeatureKeys.item(a, value);
                if (!keys.contains(key)) { // an attribute in two groups (categories.x and text.x) counts once
                    keys.add(key);
                    weights.add(w);
                }
            }
        }
        return ItemFeatures.of(keys, weights);
    }

    private void add(String attribute, List<String> v, List<String> attributes, List<List<String>> values) {
        if (!v.isEmpty() && spec.attributeWeight(attribute) > 0) {
            attributes.add(attribute);
            values.add(v);
        }
    }

    private static List<String> normalized(List<String> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (String s : raw) {
            String v = normalize(s);
            if (!v.isEmpty()) {
                out.add(v);
            }
        }
        return out;
    }

    /** A categorical value as a feature: trimmed, lower case, runs of white space as one space. */
    public static String normalize(String value) {
        return SPACES.matcher(value.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    /** The first {@code max} distinct word tokens of a text: lower case, two characters or more, no stop words. */
    public static List<String> tokens(String text, int max) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String t : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            if (out.size() >= max) {
                break;
            }
            if (t.length() >= 2 && !STOP_WORDS.contains(t)) {
                out.add(t);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The bucket of a number: with a width, {@code ~} and the bucket's lower bound ({@code year} 1995 by 5:
     * {@code ~1995}); else {@code ~q} and the quarter-octave index ({@code floor(4 log2 x)}; 19.99 is {@code ~q17}),
     * {@code ~0} for zero and {@code ~-q...} for negative values.
     */
    public static String bucket(double x, double linearWidth) {
        if (!Double.isNaN(linearWidth)) {
            double lo = Math.floor(x / linearWidth) * linearWidth;
            return "~" + (lo == Math.rint(lo) && Math.abs(lo) < 1e15 ? Long.toString((long) lo) : Double.toString(lo));
        }
        if (x == 0) {
            return "~0";
        }
        long b = (long) Math.floor(LOG_BUCKETS_PER_OCTAVE * (StrictMath.log(Math.abs(x)) / StrictMath.log(2)));
        return (x < 0 ? "~-q" : "~q") + b;
    }
}
