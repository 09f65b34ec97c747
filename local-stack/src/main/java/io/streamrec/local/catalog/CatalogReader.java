package io.streamrec.local.catalog;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads one catalog file as {@link io.streamrec.schema.catalog.CatalogRecord}s in file order, one per item line. Bad
 * lines go to the {@link io.streamrec.local.replay.ReadProblems} given when the reader was opened and are skipped;
 * {@link #next()} only returns records.
 *
 * <p>Not thread-safe.
 */
public interface CatalogReader extends Closeable {

    /**
     * The next record, or null at the end of the file.
     *
     * @throws IOException when the file cannot be read any further (not for bad content)
     */
    SourcedCatalogRecord next() throws IOException;

    /** Bytes of the file consumed so far: for progress and ETA. */
    long bytesRead();

    /** Size of the file in bytes. */
    long totalBytes();
}
