package io.streamrec.local.replay;

import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Base of the line-oriented readers: turns each non-empty, decodable line into zero or more events through
 * {@link #parseLine}; empty and undecodable lines are reported as bad lines here, once for every format.
 */
abstract class LineLogReader implements LogReader {

    private final LineSource lines;
    private final ReadProblems problems;
    private final ArrayDeque<SourcedEvent> ready = new ArrayDeque<>();

    LineLogReader(LineSource lines, ReadProblems problems) {
        this.lines = lines;
        this.problems = problems;
    }

    /** Parses one line; calls {@link #emit}, {@link #bad} or {@link #ignored} as many times as it needs. */
    abstract void parseLine(long line, String text);

    /** The next line for subclasses that read a header first; null at the end. Bad lines are reported. */
    final LineSource.Line nextGoodLine() throws IOException {
        return lines.nextGood(problems);
    }

    @Override
    public final SourcedEvent next() throws IOException {
        while (ready.isEmpty()) {
            LineSource.Line l = nextGoodLine();
            if (l == null) {
                return null;
            }
            parseLine(l.number(), l.text());
        }
        return ready.poll();
    }

    final void emit(long line, InteractionEvent event) {
        ready.add(new SourcedEvent(line, event));
    }

    /** An event with its item's catalog record, as the line describes the item. */
    final void emit(long line, InteractionEvent event, CatalogRecord item) {
        ready.add(new SourcedEvent(line, event, item));
    }

    final void bad(long line, String reason, String detail) {
        problems.bad(new BadRecord(line, reason, detail));
    }

    final void ignored(String reason) {
        problems.ignored(reason);
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
