package io.streamrec.serving.rank;

import io.streamrec.ranker.RankerModel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ranker model in use: the newest the {@code ranker-model} consumer has read (or restored from the state
 * store), swapped atomically and read once by every request that ranks, so one answer is scored by one model. The
 * newest record wins, whatever its version: the topic has one partition and one writer (the job's Ranker at
 * parallelism 1), so its order is the trainer's, and a trainer restored from an older checkpoint, or started with a
 * ranker of another shape, publishes lower versions that are nonetheless the model it now learns.
 *
 * <p>Thread-safe: an atomic reference to a model that only scores (read from its published form, so nothing trains
 * it, and its {@code score} may run on many request threads at once).
 */
public final class RankerHolder {
    private final AtomicReference<RankerModel> current = new AtomicReference<>();

    /** The model in use, or null before the first. */
    public RankerModel get() {
        return current.get();
    }

    /** Makes {@code model} the one in use. */
    public void offer(RankerModel model) {
        current.set(model);
    }

    /** The version in use, -1 before the first model. */
    public long version() {
        RankerModel m = current.get();
        return m == null ? -1 : m.version();
    }
}
