package io.streamrec.local.replay;

/**
 * Receives what a {@link Replayer} has to say while it runs: notices (format detected, sorting, ...), every bad
 * record, periodic progress and the final summary. Called on the replaying thread; implementations should be quick.
 */
public interface ProgressListener {

    default void onNotice(String message) {}

    default void onBadRecord(BadRecord bad) {}

    /** Called at most every {@link ReplayOptions#progressInterval()}. */
    default void onProgress(ReplayProgress progress) {}

    /** Called once when the replay ends normally (not when it fails with a {@link ReplayException}). */
    default void onFinished(ReplaySummary summary) {}

    /** Ignores everything. */
    ProgressListener NONE = new ProgressListener() {};
}
