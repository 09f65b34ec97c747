package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;
import java.util.function.LongSupplier;

/**
 * Decides when each event may be sent: event in, nanoseconds to wait out. Implementations keep state across calls
 * and are called once per event, in sending order, from one thread.
 *
 * <ul>
 *   <li>{@link #unlimited()}: as fast as the sink takes them.
 *   <li>{@link #rate(double)}: a steady number of events per second (the generator).
 *   <li>{@link #eventTime(LongSupplier)}: no event before its own timestamp; past events go at once. A generator
 *       whose simulated clock starts in the past therefore replays a backlog at full speed and then continues live.
 *   <li>{@link SpeedPacing}: the events' own timestamp gaps divided by a factor (replay {@code --speed 10x}).
 * </ul>
 */
public interface Pacing {

    /**
     * Nanoseconds to wait before sending {@code event}; 0 sends it now. {@code nowNanos} is System.nanoTime().
     * {@code event} is null when {@link #dependsOnEvent()} is false (the wait is asked before the event exists).
     */
    long waitNanos(InteractionEvent event, long nowNanos);

    /**
     * Whether the wait depends on the event. When it does not, a publisher waits before taking the next event from
     * its source, so that a live source stamps it with the time it is actually sent.
     */
    default boolean dependsOnEvent() {
        return true;
    }

    static Pacing unlimited() {
        return new Pacing() {
            @Override
            public long waitNanos(InteractionEvent event, long nowNanos) {
                return 0;
            }

            @Override
            public boolean dependsOnEvent() {
                return false;
            }
        };
    }

    /** {@code eventsPerSecond} on average, evenly spaced; after a stall of over a second it does not burst to catch up. */
    static Pacing rate(double eventsPerSecond) {
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of events per second, got "
                    + eventsPerSecond);
        }
        double intervalNanos = 1e9 / eventsPerSecond;
        return new Pacing() {
            private long start = Long.MIN_VALUE;
            private long sent;

            @Override
            public long waitNanos(InteractionEvent event, long nowNanos) {
                if (start == Long.MIN_VALUE) {
                    start = nowNanos;
                }
                long due = start + (long) (sent * intervalNanos);
                if (nowNanos - due > 1_000_000_000L) {
                    // Fell behind (slow broker, GC, suspended laptop): restart the schedule instead of a burst.
                    start = nowNanos;
                    sent = 0;
                    due = nowNanos;
                }
                sent++;
                return Math.max(0, due - nowNanos);
            }

            @Override
            public boolean dependsOnEvent() {
                return false;
            }
        };
    }

    /** Each event waits until the wall clock reaches its timestamp; events in the past are sent at once. */
    static Pacing eventTime(LongSupplier wallClockMs) {
        return (event, nowNanos) -> Math.max(0, (event.timestamp - wallClockMs.getAsLong()) * 1_000_000L);
    }
}
