package io.streamrec.schema.features;

/**
 * How feature and context values are named as learned entities. Every feature value ({@code genre=comedy},
 * {@code brand=acme}, {@code title=running}, {@code price=~17}) and every context value ({@code ctx:hour=13}) is a
 * key with its own learned vector, held and published by the trainer exactly like an item id.
 *
 * <p>All such keys start with {@link #PREFIX}, the ASCII unit separator: the event and catalog contracts forbid
 * control characters in ids, so no item id can ever collide with a feature key, and a reader of the
 * {@code item-embeddings} topic tells items and features apart by the first character of the key.
 *
 * <p>Thread-safe (stateless).
 */
public final class FeatureKeys {
    /** First character of every feature and context key (U+001F, never in a valid item id). */
    public static final char PREFIX = '\u001F';
    private static final String CONTEXT = "ctx:";

    private FeatureKeys() {}

    /** The key of an item feature: attribute name and (normalized) value. */
    public static String item(String attribute, String value) {
        return PREFIX + attribute + '=' + value;
    }

    /** The key of a query context value, e.g. {@code context("hour", "13")}. */
    public static String context(String name, String value) {
        return PREFIX + CONTEXT + name + '=' + value;
    }

    /** Whether {@code key} names a feature or a context value (not an item). */
    public static boolean isFeature(String key) {
        return !key.isEmpty() && key.charAt(0) == PREFIX;
    }

    /** Whether {@code key} names a context value. */
    public static boolean isContext(String key) {
        return isFeature(key) && key.startsWith(CONTEXT, 1);
    }

    /** The key without its prefix, for people: {@code genre=comedy}, {@code ctx:hour=13}. */
    public static String display(String key) {
        return isFeature(key) ? key.substring(1) : key;
    }
}
