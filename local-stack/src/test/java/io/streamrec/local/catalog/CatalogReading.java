package io.streamrec.local.catalog;

import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: reads a whole catalog file with one format and collects records and bad lines. */
final class CatalogReading {
    final List<SourcedCatalogRecord> records = new ArrayList<>();
    final List<BadRecord> bad = new ArrayList<>();

    static CatalogReading of(Path file, CatalogFormat format, CsvLayout layout) {
        return of(file, format, format.defaultCharset(), layout);
    }

    static CatalogReading of(Path file, CatalogFormat format, Charset charset, CsvLayout layout) {
        CatalogReading r = new CatalogReading();
        ReadProblems problems = new ReadProblems() {
            @Override
            public void bad(BadRecord b) {
                r.bad.add(b);
            }

            @Override
            public void ignored(String reason) {
                throw new AssertionError("catalog readers ignore nothing: " + reason);
            }
        };
        try (CatalogReader reader = format.open(file, charset, layout, new CatalogParser(), problems)) {
            for (SourcedCatalogRecord s = reader.next(); s != null; s = reader.next()) {
                r.records.add(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    List<CatalogRecord> plain() {
        return records.stream().map(SourcedCatalogRecord::record).toList();
    }

    Map<String, CatalogRecord> byId() {
        Map<String, CatalogRecord> m = new LinkedHashMap<>();
        records.forEach(s -> m.put(s.record().itemId(), s.record()));
        return m;
    }

    List<Long> badLines() {
        return bad.stream().map(BadRecord::line).toList();
    }
}
