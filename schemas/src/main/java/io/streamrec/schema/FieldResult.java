package io.streamrec.schema;

/**
 * One field read from a JSON record: its value, or the {@link Rejection} explaining why it could not be read. What
 * the field readers shared by {@link EventParser} and {@code CatalogParser} ({@link IdRules},
 * {@link TimestampRules}) return. Immutable.
 */
public final class FieldResult<T> {
    private final T value;
    private final Rejection rejection;

    private FieldResult(T value, Rejection rejection) {
        this.value = value;
        this.rejection = rejection;
    }

    public static <T> FieldResult<T> of(T value) {
        return new FieldResult<>(value, null);
    }

    public static <T> FieldResult<T> rejected(Rejection rejection) {
        return new FieldResult<>(null, rejection);
    }

    public boolean isValid() {
        return rejection == null;
    }

    /** The value; null when the field was rejected. */
    public T value() {
        return value;
    }

    /** The rejection; null when the field was read. */
    public Rejection rejection() {
        return rejection;
    }
}
