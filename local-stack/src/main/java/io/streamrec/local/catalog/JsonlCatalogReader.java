package io.streamrec.local.catalog;

import io.streamrec.local.replay.LineSource;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import java.nio.charset.StandardCharsets;

/**
 * Reads catalog records in the contract's JSON, one per line (JSON Lines), each checked with the strict
 * {@link CatalogParser} as the trainer will: a line it rejects is a bad line with the parser's reason.
 */
final class JsonlCatalogReader extends LineCatalogReader {
    private final CatalogParser parser;

    JsonlCatalogReader(LineSource lines, CatalogParser parser, ReadProblems problems) {
        super(lines, problems);
        this.parser = parser;
    }

    @Override
    void parseLine(long line, String text) {
        CatalogParseResult r = parser.parse(text.strip().getBytes(StandardCharsets.UTF_8));
        if (!r.isValid()) {
            bad(line, "invalid record (" + r.rejection().code() + ")", r.rejection().reason());
            return;
        }
        emit(line, r.record());
    }
}
