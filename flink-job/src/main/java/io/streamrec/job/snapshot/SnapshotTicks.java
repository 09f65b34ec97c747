package io.streamrec.job.snapshot;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;

/**
 * The snapshot clock: a source that emits snapshot versions 1, 2, 3, ... once per snapshot interval. It runs with
 * parallelism 1 and is broadcast to every ItemTower subtask, so all subtasks cut snapshot N at the same point of
 * their input. Its position is part of every checkpoint, so after a restore versions continue from the restored
 * one without gaps.
 */
public final class SnapshotTicks {
    private SnapshotTicks() {}

    public static DataGeneratorSource<Long> source(Duration interval) {
        double perSecond = 1000.0 / interval.toMillis();
        return new DataGeneratorSource<>(index -> index + 1, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(perSecond), Types.LONG);
    }
}
