package io.streamrec.local.catalog;

import io.streamrec.local.replay.CsvColumns;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.CsvLineSplitter;
import io.streamrec.local.replay.ItemAttributeReader;
import io.streamrec.local.replay.LineSource;
import io.streamrec.local.replay.ReadProblems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a catalog CSV file: one item per data line, its id from {@link CsvLayout#itemColumn()} and its attributes
 * from {@link CsvLayout#itemColumns()} (as {@code replay} reads item attributes of an event log: the same splitter,
 * column resolution and cell rules). A line with another number of columns than the header, an empty item id, or an
 * attribute that cannot be read is a bad line.
 */
final class CsvCatalogReader extends LineCatalogReader {
    private final CsvLineSplitter splitter;
    private final int item;
    private final ItemAttributeReader attributes;
    private final int expectedColumns;
    private final int needed;

    /**
     * Reads the header line when the layout has one.
     *
     * @throws IllegalArgumentException when a configured column is not in the header (or not a number without one)
     */
    CsvCatalogReader(LineSource lines, CsvLayout layout, ReadProblems problems) throws IOException {
        super(lines, problems);
        layout.validateCatalog();
        this.splitter = new CsvLineSplitter(layout.delimiter());
        List<String> header = null;
        if (layout.header()) {
            LineSource.Line first = nextGoodLine();
            if (first != null) {
                String err = splitter.split(first.text());
                if (err != null) {
                    throw new IllegalArgumentException("the header line of the CSV file is malformed: " + err);
                }
                header = new ArrayList<>(splitter.fields());
                header.replaceAll(String::strip);
            }
        }
        CsvColumns columns = new CsvColumns(header, layout.header());
        this.expectedColumns = header == null ? -1 : header.size();
        this.item = columns.index("--csv.item-column", layout.itemColumn());
        this.attributes = new ItemAttributeReader(layout.itemColumns(), columns);
        this.needed = Math.max(item, attributes.maxColumn()) + 1;
    }

    @Override
    void parseLine(long line, String text) {
        String err = splitter.split(text);
        if (err != null) {
            bad(line, "malformed CSV", err);
            return;
        }
        List<String> fields = splitter.fields();
        if (expectedColumns >= 0 && fields.size() != expectedColumns) {
            bad(line, "wrong number of columns", "expected " + expectedColumns + " columns, got " + fields.size());
            return;
        }
        if (fields.size() < needed) {
            bad(line, "wrong number of columns", "expected at least " + needed + " columns, got " + fields.size());
            return;
        }
        String itemId = fields.get(item).strip();
        if (itemId.isEmpty()) {
            bad(line, "bad item id", "item id is empty");
            return;
        }
        ItemAttributeReader.Result r = attributes.read(itemId, fields);
        if (r.record() == null) {
            bad(line, r.reason(), r.detail());
            return;
        }
        emit(line, r.record());
    }
}
