package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;

/**
 * Where the tools put events: Kafka in production ({@link KafkaEventSink}), a counter for dry runs, a list in
 * tests. Events go in with their serialized event JSON; the sink counts what it has durably accepted.
 *
 * <p>Implementations are used from one thread at a time.
 */
public interface EventSink extends AutoCloseable {

    /**
     * Hands one event over; may return before it is stored.
     *
     * @param json the event JSON ({@code EventJson.toBytes(event)}), which is what gets published
     * @throws PublishException when an earlier event could not be published; the caller should stop
     */
    void publish(InteractionEvent event, byte[] json);

    /**
     * Waits until everything handed over so far is stored.
     *
     * @throws PublishException when some event could not be published
     */
    void flush();

    /** Events confirmed stored so far (after {@link #flush()}: all of them, unless it threw). */
    long acknowledged();

    /** Releases resources without waiting for unflushed events beyond a short grace period. Never throws. */
    @Override
    void close();

    /** A sink that stores nothing and acknowledges everything: for dry runs. */
    static EventSink discarding() {
        return new EventSink() {
            private long count;

            @Override
            public void publish(InteractionEvent event, byte[] json) {
                count++;
            }

            @Override
            public void flush() {}

            @Override
            public long acknowledged() {
                return count;
            }

            @Override
            public void close() {}
        };
    }
}
