package io.streamrec.local.catalog;

import io.streamrec.local.publish.CatalogSink;
import io.streamrec.local.publish.EventSink;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.local.replay.ReplayException;
import io.streamrec.local.replay.ReplayOptions;
import io.streamrec.local.replay.Replayer;
import io.streamrec.schema.catalog.CatalogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Catalog records in memory, for tools that use them without publishing ({@code evaluate}): the records a log
 * implies, and the records of a catalog file. Both are exactly what {@code replay} and {@code catalog load} would
 * publish: validated with the strict {@code CatalogParser}, in publishing order (so a later record of an item
 * replaces an earlier one when applied in order). Problems go to the listener as in the tools (bad lines, notices).
 */
public final class CatalogSources {
    private CatalogSources() {}

    /**
     * The catalog records a log implies, as {@code replay} with the same options would publish them: a record when an
     * item is first seen and again whenever its attributes change, for the events the options select (format,
     * {@code --from/--to}, {@code --limit}, sorting). Empty for logs that say nothing about items (MovieLens
     * ratings, OTTO, event JSON) and when {@link ReplayOptions#catalog()} is off. Reads the whole log (its events
     * are discarded); the Kafka options are ignored.
     *
     * @throws ReplayException as a replay would (unreadable file 2, options that do not fit the file 64)
     */
    public static List<CatalogRecord> fromLog(ReplayOptions options, ProgressListener listener) {
        Collecting records = new Collecting();
        new Replayer(options, listener, EventSink.discarding(), records).run();
        return records.list;
    }

    /**
     * The records of a catalog file, as {@code catalog load} with the same options would publish them (bad lines are
     * skipped and reported to the listener; {@code --limit} applies; the Kafka options are ignored).
     *
     * @throws ReplayException as the load would (unreadable file 2, options that do not fit the file 64)
     */
    public static List<CatalogRecord> fromFile(CatalogLoadOptions options, ProgressListener listener) {
        Collecting records = new Collecting();
        new CatalogLoader(options, listener, records).run();
        return records.list;
    }

    /** The records of a catalog file with its format detected (u.item, Complete Journey products.csv, .jsonl). */
    public static List<CatalogRecord> fromFile(Path file, ProgressListener listener) {
        return fromFile(CatalogLoadOptions.of(file), listener);
    }

    private static final class Collecting implements CatalogSink {
        final List<CatalogRecord> list = new ArrayList<>();

        @Override
        public void publish(CatalogRecord record, byte[] json) {
            list.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public long acknowledged() {
            return list.size();
        }

        @Override
        public void close() {}
    }
}
