package io.streamrec.config;

/**
 * How the values of one kind are written: parsed from text and formatted back (a formatted value parses to the
 * same value). {@link ValueTypes} holds the one grammar of each kind.
 *
 * @param <T> the Java type of the values
 */
public interface ValueType<T> {

    /**
     * Parses a value.
     *
     * @throws IllegalArgumentException saying what was expected and what was given (without the key's name, which
     *     the caller adds)
     */
    T parse(String text);

    /** The value as text that {@link #parse} reads back. */
    String format(T value);

    /** A short placeholder for usage texts, e.g. {@code DUR}, {@code N}, {@code true|false}. */
    String label();
}
