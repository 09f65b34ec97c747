package io.streamrec.local.replay;

import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;

/**
 * An event read from a log, with the 1-based line it came from (for error messages after sorting) and, when the log
 * describes items (REES46: category, brand, price on every line), the catalog record of the event's item as that
 * line describes it; null when the log says nothing about items. Any {@link LogReader} may attach one; deciding which
 * records to publish (first seen, changed) is the publisher's job ({@link CatalogChanges}).
 */
public record SourcedEvent(long line, InteractionEvent event, CatalogRecord item) {

    /** An event whose log line says nothing about the item. */
    public SourcedEvent(long line, InteractionEvent event) {
        this(line, event, null);
    }
}
