package io.streamrec.local.publish;

import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes catalog records and events so that every event is sent only after the catalog records handed over before
 * it are stored: a consumer of both topics can then find an item's record before (or with) its first event. Kafka
 * does not order records across topics, so "before" here means acknowledged before the event is even sent.
 *
 * <p>Flushing after every new record would cost a broker round trip per new item (most lines of a fresh log). So
 * events that follow an unconfirmed catalog record are held, up to {@code maxHeld} of them, and released after one
 * flush of the catalog records: one round trip per batch of new items. Event order is unchanged. {@link #release()}
 * before a pacing pause, so that held events do not wait through it; {@link #flush()} at the end.
 *
 * <p>Not thread-safe: one publishing thread.
 */
public final class CatalogBeforeEvents {
    private record Held(InteractionEvent event, byte[] json) {}

    private final CatalogSink catalog;
    private final EventSink events;
    private final int maxHeld;
    private final List<Held> held = new ArrayList<>();
    private boolean unconfirmed;

    public CatalogBeforeEvents(CatalogSink catalog, EventSink events, int maxHeld) {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1, got " + maxHeld);
        }
        this.catalog = catalog;
        this.events = events;
        this.maxHeld = maxHeld;
    }

    /** Sends a catalog record now; events handed over after it wait until it is stored. */
    public void catalog(CatalogRecord record, byte[] json) {
        catalog.publish(record, json);
        unconfirmed = true;
    }

    /** Sends an event now, or holds it until the catalog records before it are stored. */
    public void event(InteractionEvent event, byte[] json) {
        if (!unconfirmed && held.isEmpty()) {
            events.publish(event, json);
            return;
        }
        held.add(new Held(event, json));
        if (held.size() >= maxHeld) {
            release();
        }
    }

    /** Waits for the catalog records sent so far, then sends the held events. */
    public void release() {
        if (unconfirmed) {
            catalog.flush();
            unconfirmed = false;
        }
        for (Held h : held) {
            events.publish(h.event, h.json);
        }
        held.clear();
    }

    /** Releases everything and waits until all catalog records and events are stored. */
    public void flush() {
        release();
        events.flush();
        catalog.flush();
    }
}
