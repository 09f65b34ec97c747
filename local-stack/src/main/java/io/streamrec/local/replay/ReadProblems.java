package io.streamrec.local.replay;

/**
 * Receives what a {@link LogReader} skips: bad lines (reported with their line number and counted) and lines
 * deliberately ignored (e.g. a type mapped to {@code skip}, a rating below the minimum; only counted).
 */
public interface ReadProblems {

    void bad(BadRecord bad);

    /** A deliberately skipped record; {@code reason} groups the count, e.g. "type 'remove_from_cart' mapped to skip". */
    void ignored(String reason);

    /** Drops everything: for a pre-pass over a file whose problems are reported by the main pass. */
    ReadProblems NONE = new ReadProblems() {
        @Override
        public void bad(BadRecord bad) {}

        @Override
        public void ignored(String reason) {}
    };
}
