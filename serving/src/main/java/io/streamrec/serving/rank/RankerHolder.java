package io.streamrec.serving.rank;

import io.streamrec.ranker.RankerModel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ranker model in use: the highest version the {@code ranker-model} consumer has read (or restored from the
 * state store), swapped atomically and read once by every request that ranks, so one answer is scored by one model.
 * A record of a lower or equal version never replaces it.
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

    /** Makes {@code model} the one in use unless one of the same or a higher version is; returns whether it did. */
    public boolean offer(RankerModel model) {
        RankerModel before = current.getAndAccumulate(model,
                (held, offered) -> held == null || offered.version() > held.version() ? offered : held);
        return before == null || model.version() > before.version();
    }

    /** The version in use, -1 before the first model. */
    public long version() {
        RankerModel m = current.get();
        return m == null ? -1 : m.version();
    }
}
