package io.streamrec.local.catalog;

import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.LineSource;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;

/**
 * Base of the catalog readers: turns each non-empty, decodable line into a record or a bad line through
 * {@link #parseLine}; empty and undecodable lines are reported by {@link LineSource#nextGood}.
 */
abstract class LineCatalogReader implements CatalogReader {
    private final LineSource lines;
    private final ReadProblems problems;
    private SourcedCatalogRecord ready;

    LineCatalogReader(LineSource lines, ReadProblems problems) {
        this.lines = lines;
        this.problems = problems;
    }

    /** Parses one line: calls {@link #emit} or {@link #bad} once. */
    abstract void parseLine(long line, String text);

    /** The next line for subclasses that read a header first; null at the end. Bad lines are reported. */
    final LineSource.Line nextGoodLine() throws IOException {
        return lines.nextGood(problems);
    }

    @Override
    public final SourcedCatalogRecord next() throws IOException {
        while (ready == null) {
            LineSource.Line l = nextGoodLine();
            if (l == null) {
                return null;
            }
            parseLine(l.number(), l.text());
        }
        SourcedCatalogRecord r = ready;
        ready = null;
        return r;
    }

    final void emit(long line, CatalogRecord record) {
        ready = new SourcedCatalogRecord(line, record);
    }

    final void bad(long line, String reason, String detail) {
        problems.bad(new BadRecord(line, reason, detail));
    }

    @Override
    public long bytesRead() {
        return lines.bytesRead();
    }

    @Override
    public long totalBytes() {
        return lines.totalBytes();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    static String quote(String s) {
        return "'" + (s.length() <= 40 ? s : s.substring(0, 37) + "...") + "'";
    }
}
