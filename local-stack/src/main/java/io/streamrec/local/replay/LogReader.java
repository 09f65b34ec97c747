package io.streamrec.local.replay;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads one log file as {@link io.streamrec.schema.InteractionEvent}s in file order. Bad lines go to the
 * {@link ReadProblems} given when the reader was opened and are skipped; {@link #next()} only returns events.
 *
 * <p>Not thread-safe.
 */
public interface LogReader extends Closeable {

    /**
     * The next event, or null at the end of the file.
     *
     * @throws IOException when the file cannot be read any further (not for bad content)
     */
    SourcedEvent next() throws IOException;

    /** Bytes of the file consumed so far (compressed bytes for a .gz file): for progress and ETA. */
    long bytesRead();

    /** Size of the file in bytes. */
    long totalBytes();
}
