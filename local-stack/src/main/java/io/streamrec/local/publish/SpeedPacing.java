package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;

/**
 * Replays events at N times the pace of their own timestamps: the first paced event is sent at once and fixes the
 * anchor; an event {@code d} ms of event time later is sent {@code d / N} ms of wall time after it. Scheduling
 * against the anchor (rather than sleeping each gap) keeps rounding and send time from accumulating as drift.
 *
 * <p>Events before {@code backlogUntilMs} are the backlog and go at full speed; pacing starts with the first event
 * at or after it. An event older than the newest one already paced (the file is not in timestamp order) is sent at
 * once and counted in {@link #outOfOrder()}; the schedule never moves backwards. A gap longer than
 * {@code maxWaitNanos} of wall time is shortened to it (the rest of the schedule moves up accordingly), so a quiet
 * night in a log does not stall a demo.
 *
 * <p>Not thread-safe; {@link #outOfOrder()} may be read from another thread.
 */
public final class SpeedPacing implements Pacing {
    private final double factor;
    private final long backlogUntilMs;
    private final long maxWaitNanos;

    private boolean anchored;
    private long anchorNanos;
    private long anchorTs;
    private long newestTs;
    private volatile long outOfOrder;

    /**
     * @param factor speed-up over the events' own pace, e.g. 10 for "10x"; must be positive
     * @param backlogUntilMs events with a timestamp before this go unpaced; {@code Long.MIN_VALUE} for none
     * @param maxWaitNanos longest single wait; {@code Long.MAX_VALUE} for no limit
     */
    public SpeedPacing(double factor, long backlogUntilMs, long maxWaitNanos) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("speed factor must be a positive number, got " + factor);
        }
        if (maxWaitNanos <= 0) {
            throw new IllegalArgumentException("max wait must be positive, got " + maxWaitNanos + " ns");
        }
        this.factor = factor;
        this.backlogUntilMs = backlogUntilMs;
        this.maxWaitNanos = maxWaitNanos;
    }

    @Override
    public long waitNanos(InteractionEvent event, long nowNanos) {
        long ts = event.timestamp;
        if (ts < backlogUntilMs) {
            return 0;
        }
        if (!anchored) {
            anchored = true;
            anchorNanos = nowNanos;
            anchorTs = ts;
            newestTs = ts;
            return 0;
        }
        if (ts < newestTs) {
            outOfOrder++;
            return 0;
        }
        newestTs = ts;
        long due = anchorNanos + (long) ((ts - anchorTs) * 1e6 / factor);
        long wait = due - nowNanos;
        if (wait > maxWaitNanos) {
            anchorNanos -= wait - maxWaitNanos;
            wait = maxWaitNanos;
        }
        return Math.max(0, wait);
    }

    /** Events that were older than an event already sent and therefore went without waiting. */
    public long outOfOrder() {
        return outOfOrder;
    }

    public double factor() {
        return factor;
    }
}
