package io.streamrec.job.rank;

import io.streamrec.ranker.RankerConfig;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the UserTower (sampling) and the RankerTrainer (learning, publishing) need of the {@code ranker.*} keys.
 * Immutable.
 */
public final class RankerSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final boolean enabled;
    /** Share of events that become examples, in [0, 1]. */
    public final double sample;
    public final int candidates;
    public final int negatives;
    public final int batchRows;
    public final long publishIntervalMs;
    public final RankerConfig model;

    public RankerSettings(boolean enabled, double sample, int candidates, int negatives, int batchRows,
                          Duration publishInterval, RankerConfig model) {
        this.enabled = enabled;
        this.sample = sample;
        this.candidates = candidates;
        this.negatives = Math.min(negatives, candidates - 1);
        this.batchRows = batchRows;
        this.publishIntervalMs = publishInterval.toMillis();
        this.model = model.validate();
    }

    /** No ranker: the UserTower samples nothing. */
    public static RankerSettings disabled() {
        return new RankerSettings(false, 0, 50, 4, 256, Duration.ofSeconds(10), RankerConfig.DEFAULTS);
    }

    /** Whether an event with this seed becomes an example (the same events on every run and after a restore). */
    public boolean isSampled(long seed) {
        if (!enabled || sample <= 0) {
            return false;
        }
        return sample >= 1.0 || (seed >>> 1) < (long) (sample * Long.MAX_VALUE);
    }
}
