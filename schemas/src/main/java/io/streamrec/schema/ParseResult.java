package io.streamrec.schema;

/** Either a valid {@link InteractionEvent} or the {@link Rejection} saying why there is none. */
public final class ParseResult {
    private final InteractionEvent event;
    private final Rejection rejection;

    private ParseResult(InteractionEvent event, Rejection rejection) {
        this.event = event;
        this.rejection = rejection;
    }

    public static ParseResult valid(InteractionEvent event) {
        return new ParseResult(event, null);
    }

    public static ParseResult rejected(Rejection rejection) {
        return new ParseResult(null, rejection);
    }

    public boolean isValid() {
        return event != null;
    }

    /** The event; throws when this result is a rejection. */
    public InteractionEvent event() {
        if (event == null) {
            throw new IllegalStateException("rejected: " + rejection);
        }
        return event;
    }

    /** The rejection; throws when this result is valid. */
    public Rejection rejection() {
        if (rejection == null) {
            throw new IllegalStateException("not rejected: " + event);
        }
        return rejection;
    }

    @Override
    public String toString() {
        return isValid() ? "valid " + event : "rejected " + rejection;
    }
}
