package io.streamrec.local.publish;

import io.streamrec.schema.catalog.CatalogRecord;

/**
 * Where catalog records go: the compacted {@code catalog} topic ({@link KafkaCatalogSink}), nowhere in a dry run, a
 * list in tests and evaluations. Records go in with their catalog JSON ({@code CatalogJson.toBytes(record)}), keyed
 * by the item id; the sink counts what it has durably accepted.
 *
 * <p>Implementations are used from one thread at a time.
 */
public interface CatalogSink extends AutoCloseable {

    /**
     * Hands one record over; may return before it is stored.
     *
     * @throws PublishException when an earlier record could not be published; the caller should stop
     */
    void publish(CatalogRecord record, byte[] json);

    /**
     * Waits until everything handed over so far is stored.
     *
     * @throws PublishException when some record could not be published
     */
    void flush();

    /** Records confirmed stored so far. */
    long acknowledged();

    /** Releases resources without waiting for unflushed records beyond a short grace period. Never throws. */
    @Override
    void close();

    /** Stores nothing and acknowledges everything: for dry runs. */
    static CatalogSink discarding() {
        return new CatalogSink() {
            private long count;

            @Override
            public void publish(CatalogRecord record, byte[] json) {
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
