package io.streamrec.serving.ingest;

import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Consumes the {@code interactions} topic (JSON events): each valid event marks (user, item, type) as seen and
 * counts towards the item's popularity; invalid records are counted by rejection code and skipped. The seen set is
 * in RocksDB, so an event is excluded from the user's recommendations as soon as its poll's batch is written
 * (typically well under a second after it reached Kafka).
 *
 * <p>Runs on its own thread; see {@link TopicConsumerLoop} for thread-safety.
 */
public final class InteractionIngestor extends TopicConsumerLoop {
    private final EventParser parser;
    private final SeenItemsStore seen;
    private final Popularity popularity;

    public InteractionIngestor(String bootstrapServers, String topic, StateStore store, ServingMetrics metrics,
                               ParserOptions parserOptions, SeenItemsStore seen, Popularity popularity) {
        super("interactions", bootstrapServers, topic, store, metrics);
        this.parser = new EventParser(parserOptions);
        this.seen = seen;
        this.popularity = popularity;
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> record, WriteBatchWithIndex batch) {
        ParseResult r = parser.parse(record.value());
        if (!r.isValid()) {
            metrics.recordsSkipped.labelValues(topic, r.rejection().code().name().toLowerCase(Locale.ROOT)).inc();
            return;
        }
        InteractionEvent e = r.event();
        seen.record(batch, e.userId, e.itemId, e.type, e.timestamp);
        popularity.add(e.itemId, e.timestamp, 1.0);
    }

    @Override
    protected void beforeWrite(WriteBatchWithIndex batch, boolean caughtUp) {
        popularity.beforeWrite(batch);
    }

    @Override
    protected void afterWrite(boolean caughtUp) {
        popularity.publish(false);
    }
}
