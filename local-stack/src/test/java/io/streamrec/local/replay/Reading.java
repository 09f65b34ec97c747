package io.streamrec.local.replay;

import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: reads a whole file with one format and collects events, bad records and ignored counts. */
final class Reading {
    final List<SourcedEvent> events = new ArrayList<>();
    final List<BadRecord> bad = new ArrayList<>();
    final Map<String, Long> ignored = new LinkedHashMap<>();

    static Reading of(Path file, LogFormat format, ReaderOptions options) {
        Reading r = new Reading();
        ReadProblems problems = new ReadProblems() {
            @Override
            public void bad(BadRecord b) {
                r.bad.add(b);
            }

            @Override
            public void ignored(String reason) {
                r.ignored.merge(reason, 1L, Long::sum);
            }
        };
        try (LogReader reader = format.open(file, options, problems)) {
            for (SourcedEvent e = reader.next(); e != null; e = reader.next()) {
                r.events.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    static Reading of(Path file, LogFormat format) {
        return of(file, format, options(format, null, null));
    }

    static ReaderOptions options(LogFormat format, CsvLayout layout, TypeMapping overrides) {
        TypeMapping types = overrides == null ? format.defaultTypes() : format.defaultTypes().overriddenBy(overrides);
        return new ReaderOptions(types, layout, null, ParserOptions.defaults()
                .withTimestampRange(format.defaultEarliestTimestamp(), ParserOptions.DEFAULT_MAX_FUTURE_SKEW));
    }

    List<InteractionEvent> plainEvents() {
        return events.stream().map(SourcedEvent::event).toList();
    }

    List<Long> badLines() {
        return bad.stream().map(BadRecord::line).toList();
    }

    /** Every event serializes to JSON that the trainer's parser accepts and reads back as the same event. */
    static void assertAllParse(List<InteractionEvent> events, Instant earliest) {
        EventParser parser = new EventParser(ParserOptions.defaults()
                .withTimestampRange(earliest, ParserOptions.DEFAULT_MAX_FUTURE_SKEW));
        for (InteractionEvent e : events) {
            ParseResult r = parser.parse(EventJson.toBytes(e));
            if (!r.isValid()) {
                throw new AssertionError("rejected " + e + ": " + r.rejection());
            }
            if (!r.event().equals(e)) {
                throw new AssertionError("round trip changed " + e + " into " + r.event());
            }
        }
    }
}
