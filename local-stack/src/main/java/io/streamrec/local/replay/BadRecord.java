package io.streamrec.local.replay;

/**
 * A line (or, for OTTO, one event inside a line) that was skipped: its 1-based line number, a short reason used to
 * group the summary ("bad timestamp"), and a detail sentence a person can act on.
 */
public record BadRecord(long line, String reason, String detail) {

    @Override
    public String toString() {
        return "line " + line + ": " + detail;
    }
}
