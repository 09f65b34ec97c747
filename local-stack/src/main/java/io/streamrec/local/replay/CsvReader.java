package io.streamrec.local.replay;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a CSV file whose columns are described by a {@link CsvLayout}: one event per data line. Fields may be
 * quoted RFC 4180 style ({@code "a,b"}, {@code ""} for a quote); a quoted field cannot span lines
 * ({@link CsvLineSplitter}). Empty value, session and property fields count as absent. With {@link ItemColumns},
 * each event carries its item's catalog record ({@link SourcedEvent#item()}); a line whose item attributes cannot be
 * read (a number that is not one) is a bad line.
 */
final class CsvReader extends LineLogReader {
    private final CsvLayout layout;
    private final TypeMapping types;
    private final TimestampFormat timestamps;
    private final CsvLineSplitter splitter;
    private int expectedColumns = -1;
    private int user;
    private int item;
    private int type = -1;
    private int timestamp;
    private int value = -1;
    private int session = -1;
    private int[] properties;
    private String[] propertyNames;
    private ItemAttributeReader itemAttributes;
    private final List<String> fields;

    /**
     * Reads the header line when the layout has one.
     *
     * @throws IllegalArgumentException when a configured column is not in the header (or not a number without one)
     */
    CsvReader(LineSource lines, ReaderOptions options, ReadProblems problems) throws IOException {
        super(lines, problems);
        this.layout = options.csvLayout().validate();
        this.types = options.types();
        this.timestamps = TimestampFormat.of(layout.timestampFormat(), layout.timezone());
        this.splitter = new CsvLineSplitter(layout.delimiter());
        this.fields = splitter.fields();
        List<String> header = null;
        if (layout.header()) {
            LineSource.Line first = nextGoodLine();
            if (first != null) {
                String err = splitter.split(first.text());
                if (err != null) {
                    throw new IllegalArgumentException("the header line of the CSV file is malformed: " + err);
                }
                header = new ArrayList<>(fields);
                header.replaceAll(String::strip);
                expectedColumns = header.size();
            }
        }
        resolveColumns(new CsvColumns(header, layout.header()));
    }

    private void resolveColumns(CsvColumns columns) {
        user = columns.index("--csv.user-column", layout.userColumn());
        item = columns.index("--csv.item-column", layout.itemColumn());
        timestamp = columns.index("--csv.timestamp-column", layout.timestampColumn());
        if (layout.typeColumn() != null) {
            type = columns.index("--csv.type-column", layout.typeColumn());
        }
        if (layout.valueColumn() != null) {
            value = columns.index("--csv.value-column", layout.valueColumn());
        }
        if (layout.sessionColumn() != null) {
            session = columns.index("--csv.session-column", layout.sessionColumn());
        }
        List<String> props = layout.propertyColumns();
        properties = new int[props.size()];
        propertyNames = new String[props.size()];
        for (int i = 0; i < props.size(); i++) {
            properties[i] = columns.index("--csv.property-columns", props.get(i));
            propertyNames[i] = columns.header() != null ? props.get(i) : "column" + properties[i];
        }
        if (!layout.itemColumns().isEmpty()) {
            itemAttributes = new ItemAttributeReader(layout.itemColumns(), columns);
        }
    }

    @Override
    void parseLine(long line, String text) {
        String err = splitter.split(text);
        if (err != null) {
            bad(line, "malformed CSV", err);
            return;
        }
        if (expectedColumns >= 0 && fields.size() != expectedColumns) {
            bad(line, "wrong number of columns", "expected " + expectedColumns + " columns, got " + fields.size());
            return;
        }
        int needed = maxColumn() + 1;
        if (fields.size() < needed) {
            bad(line, "wrong number of columns", "expected at least " + needed + " columns, got " + fields.size());
            return;
        }
        String userId = fields.get(user).strip();
        if (userId.isEmpty()) {
            bad(line, "bad user id", "user id is empty");
            return;
        }
        String itemId = fields.get(item).strip();
        if (itemId.isEmpty()) {
            bad(line, "bad item id", "item id is empty");
            return;
        }
        EventType eventType = layout.fixedType();
        if (type >= 0) {
            String source = fields.get(type).strip();
            TypeMapping.Target t = types.lookup(source);
            if (t == null) {
                bad(line, "unknown type", "unknown type " + quote(source) + "; mapped types are " + types.sources()
                        + " (add e.g. --type-map " + source + "=click, or " + source + "=skip)");
                return;
            }
            if (t.skip()) {
                ignored("type '" + source + "' mapped to skip");
                return;
            }
            eventType = t.type();
        }
        long ts;
        try {
            ts = timestamps.toEpochMillis(fields.get(timestamp));
        } catch (IllegalArgumentException e) {
            bad(line, "bad timestamp", e.getMessage());
            return;
        }
        InteractionEvent event = new InteractionEvent(userId, itemId, eventType, ts);
        if (value >= 0) {
            String v = fields.get(value).strip();
            if (!v.isEmpty()) {
                try {
                    double d = Double.parseDouble(v);
                    if (!Double.isFinite(d)) {
                        throw new NumberFormatException();
                    }
                    event.value = d;
                } catch (NumberFormatException e) {
                    bad(line, "bad value", "value " + quote(v) + " is not a number");
                    return;
                }
            }
        }
        if (session >= 0) {
            String s = fields.get(session).strip();
            event.sessionId = s.isEmpty() ? null : s;
        }
        if (properties.length > 0) {
            Map<String, String> props = new LinkedHashMap<>();
            for (int i = 0; i < properties.length; i++) {
                String p = fields.get(properties[i]).strip();
                if (!p.isEmpty()) {
                    props.put(propertyNames[i], p);
                }
            }
            event.properties = props.isEmpty() ? null : props;
        }
        if (itemAttributes != null) {
            ItemAttributeReader.Result attrs = itemAttributes.read(itemId, fields);
            if (attrs.record() == null) {
                bad(line, attrs.reason(), attrs.detail());
                return;
            }
            emit(line, event, attrs.record());
        } else {
            emit(line, event);
        }
    }

    private int maxColumn() {
        int m = Math.max(user, Math.max(item, Math.max(timestamp, Math.max(type, Math.max(value, session)))));
        for (int p : properties) {
            m = Math.max(m, p);
        }
        if (itemAttributes != null) {
            m = Math.max(m, itemAttributes.maxColumn());
        }
        return m;
    }
}
