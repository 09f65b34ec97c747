package io.streamrec.local.publish;

import io.streamrec.schema.EventJson;
import io.streamrec.schema.InteractionEvent;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes events from an iterator (e.g. the {@code ClickstreamGenerator}) and publishes them to an {@link EventSink}
 * on a background thread, paced by a {@link Pacing}, until the source ends, a limit or duration is reached, it is
 * stopped, or the sink fails. It owns the sink: it flushes and closes it when it ends.
 *
 * <pre>{@code
 * Publisher p = Publisher.builder(generator, KafkaEventSink.open(KafkaTarget.defaults()))
 *         .pacing(Pacing.rate(200)).start();
 * ... p.stop();   // flushes; p.sent(), p.acknowledged(), p.failure()
 * }</pre>
 *
 * <p>Thread-safe: the getters and {@link #stop()} may be called from any thread.
 */
public final class Publisher implements AutoCloseable {
    private final Iterator<InteractionEvent> events;
    private final EventSink sink;
    private final Pacing pacing;
    private final long limit;
    private final Duration duration;
    private final Thread thread;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private volatile RuntimeException failure;

    private Publisher(Builder b) {
        this.events = b.events;
        this.sink = b.sink;
        this.pacing = b.pacing;
        this.limit = b.limit;
        this.duration = b.duration;
        this.thread = new Thread(this::loop, b.threadName);
        thread.setDaemon(true);
    }

    public static Builder builder(Iterator<InteractionEvent> events, EventSink sink) {
        return new Builder(events, sink);
    }

    private void loop() {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        try {
            while (sent.get() < limit && events.hasNext()) {
                InteractionEvent event = null;
                if (!pacing.dependsOnEvent()) {
                    if (pause(pacing.waitNanos(null, System.nanoTime()), deadline)) {
                        break;
                    }
                    event = events.next();
                } else {
                    event = events.next();
                    if (pause(pacing.waitNanos(event, System.nanoTime()), deadline)) {
                        break;
                    }
                }
                sink.publish(event, EventJson.toBytes(event));
                sent.incrementAndGet();
            }
            sink.flush();
        } catch (RuntimeException e) {
            // Kept for the owner (failure()); the thread ends either way and the finally block releases the sink.
            failure = e;
        } finally {
            sink.close();
            finished.countDown();
        }
    }

    /** Waits; true when the publisher should stop instead (stop requested, deadline reached, interrupted). */
    private boolean pause(long waitNanos, long deadline) {
        try {
            long now = System.nanoTime();
            if (waitNanos > 0) {
                long untilDeadline = deadline - now;
                if (untilDeadline <= waitNanos) {
                    stopRequested.await(Math.max(0, untilDeadline), TimeUnit.NANOSECONDS);
                    return true;
                }
                return stopRequested.await(waitNanos, TimeUnit.NANOSECONDS);
            }
            return stopRequested.getCount() == 0 || now >= deadline;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Events handed to the sink so far. */
    public long sent() {
        return sent.get();
    }

    /** Events confirmed stored by the sink so far. */
    public long acknowledged() {
        return sink.acknowledged();
    }

    public boolean isRunning() {
        return finished.getCount() > 0;
    }

    /** Why publishing stopped early (e.g. a {@link PublishException}); null while running or after a clean end. */
    public RuntimeException failure() {
        return failure;
    }

    /** Waits until the publisher has ended on its own (source, limit, duration or failure); true if it has. */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Asks the publisher to stop after the event in hand, and waits up to 30 s for it to flush and close the sink.
     * Idempotent.
     */
    public void stop() {
        stopRequested.countDown();
        try {
            if (!finished.await(30, TimeUnit.SECONDS)) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Options of a {@link Publisher}; defaults: unlimited pacing, no limit, no duration. */
    public static final class Builder {
        private final Iterator<InteractionEvent> events;
        private final EventSink sink;
        private Pacing pacing = Pacing.unlimited();
        private long limit = Long.MAX_VALUE;
        private Duration duration;
        private String threadName = "streamrec-publisher";

        private Builder(Iterator<InteractionEvent> events, EventSink sink) {
            this.events = Objects.requireNonNull(events, "events");
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        public Builder pacing(Pacing pacing) {
            this.pacing = Objects.requireNonNull(pacing);
            return this;
        }

        /** Stop after this many events. */
        public Builder limit(long limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        /** Stop after this much wall time; null for none. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public Builder threadName(String name) {
            this.threadName = Objects.requireNonNull(name);
            return this;
        }

        /** Starts the background thread. */
        public Publisher start() {
            Publisher p = new Publisher(this);
            p.thread.start();
            return p;
        }
    }
}
