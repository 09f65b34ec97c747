package io.streamrec.job.learn;

import java.io.Serializable;
import java.time.Duration;

/** The job-level (non-model) settings the two towers need, passed through their constructors. Immutable. */
public final class TowerSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int bundleMaxEvents;
    public final long bundleMaxDelayMs;
    public final long userPublishIntervalMs;
    /** Share of events scored before learning, in [0, 1]. */
    public final double prequentialSample;
    /** Emit every prequential result on a side output (evaluation, tests). */
    public final boolean emitPrequential;
    public final Duration userTtl;
    public final Duration itemTtl;
    /** Item states the ItemTower keeps on the heap in front of RocksDB, per subtask (at least 1). */
    public final int itemHotCapacity;
    /** User states the UserTower keeps on the heap in front of RocksDB, per subtask (at least 1). */
    public final int userHotCapacity;

    public TowerSettings(int bundleMaxEvents, Duration bundleMaxDelay, Duration userPublishInterval,
                         double prequentialSample, boolean emitPrequential, Duration userTtl, Duration itemTtl,
                         int itemHotCapacity, int userHotCapacity) {
        if (itemHotCapacity < 1 || userHotCapacity < 1) {
            throw new IllegalArgumentException("itemHotCapacity and userHotCapacity must be at least 1, got "
                    + itemHotCapacity + ", " + userHotCapacity);
        }
        this.bundleMaxEvents = bundleMaxEvents;
        this.bundleMaxDelayMs = bundleMaxDelay.toMillis();
        this.userPublishIntervalMs = userPublishInterval.toMillis();
        this.prequentialSample = prequentialSample;
        this.emitPrequential = emitPrequential;
        this.userTtl = userTtl;
        this.itemTtl = itemTtl;
        this.itemHotCapacity = itemHotCapacity;
        this.userHotCapacity = userHotCapacity;
    }
}
