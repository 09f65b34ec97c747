package io.streamrec.local.replay;

import io.streamrec.schema.EventParser;
import io.streamrec.schema.ParseResult;
import java.nio.charset.StandardCharsets;

/**
 * Reads our own event JSON, one event per line (what the generator's {@code --stdout} writes, or a dump of the
 * interactions topic). Every line goes through the strict {@link EventParser}; a rejected line is a bad line
 * with the parser's reason. The type mapping does not apply: these are already our types.
 */
final class EventJsonReader extends LineLogReader {
    private final EventParser parser;

    EventJsonReader(LineSource lines, ReaderOptions options, ReadProblems problems) {
        super(lines, problems);
        this.parser = new EventParser(options.eventParserOptions());
    }

    @Override
    void parseLine(long line, String text) {
        ParseResult r = parser.parse(text.getBytes(StandardCharsets.UTF_8));
        if (r.isValid()) {
            emit(line, r.event());
        } else {
            bad(line, "invalid event (" + r.rejection().code() + ")", r.rejection().reason());
        }
    }
}
