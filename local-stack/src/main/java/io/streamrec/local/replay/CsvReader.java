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
 * quoted RFC 4180 style ({@code "a,b"}, {@code ""} for a quote); a quoted field cannot span lines. Empty value,
 * session and property fields count as absent.
 */
final class CsvReader extends LineLogReader {
    private final CsvLayout layout;
    private final TypeMapping types;
    private final TimestampFormat timestamps;
    private final char delimiter;
    private int expectedColumns = -1;
    private int user;
    private int item;
    private int type = -1;
    private int timestamp;
    private int value = -1;
    private int session = -1;
    private int[] properties;
    private String[] propertyNames;
    private final List<String> fields = new ArrayList<>();
    private final StringBuilder field = new StringBuilder();

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
        this.delimiter = layout.delimiter();
        List<String> header = null;
        if (layout.header()) {
            LineSource.Line first = nextGoodLine();
            if (first != null) {
                String err = split(first.text());
                if (err != null) {
                    throw new IllegalArgumentException("the header line of the CSV file is malformed: " + err);
                }
                header = new ArrayList<>(fields);
                header.replaceAll(String::strip);
                expectedColumns = header.size();
            }
        }
        resolveColumns(header);
    }

    private void resolveColumns(List<String> header) {
        user = column("--csv.user-column", layout.userColumn(), header);
        item = column("--csv.item-column", layout.itemColumn(), header);
        timestamp = column("--csv.timestamp-column", layout.timestampColumn(), header);
        if (layout.typeColumn() != null) {
            type = column("--csv.type-column", layout.typeColumn(), header);
        }
        if (layout.valueColumn() != null) {
            value = column("--csv.value-column", layout.valueColumn(), header);
        }
        if (layout.sessionColumn() != null) {
            session = column("--csv.session-column", layout.sessionColumn(), header);
        }
        List<String> props = layout.propertyColumns();
        properties = new int[props.size()];
        propertyNames = new String[props.size()];
        for (int i = 0; i < props.size(); i++) {
            properties[i] = column("--csv.property-columns", props.get(i), header);
            propertyNames[i] = header != null ? props.get(i) : "column" + properties[i];
        }
    }

    private int column(String option, String name, List<String> header) {
        if (header == null && layout.header()) {
            return 0; // empty file: nothing will be read
        }
        if (header == null) {
            try {
                int i = Integer.parseInt(name.strip());
                if (i < 0) {
                    throw new NumberFormatException();
                }
                return i;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": without a header line (--csv.header false) columns are"
                        + " 0-based numbers, got '" + name + "'");
            }
        }
        int i = header.indexOf(name);
        if (i < 0) {
            for (int j = 0; j < header.size(); j++) {
                if (header.get(j).equalsIgnoreCase(name)) {
                    return j;
                }
            }
            throw new IllegalArgumentException(option + ": no column '" + name + "' in the header; the columns are "
                    + String.join(", ", header));
        }
        return i;
    }

    @Override
    void parseLine(long line, String text) {
        String err = split(text);
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
        emit(line, event);
    }

    private int maxColumn() {
        int m = Math.max(user, Math.max(item, Math.max(timestamp, Math.max(type, Math.max(value, session)))));
        for (int p : properties) {
            m = Math.max(m, p);
        }
        return m;
    }

    /** Splits into {@link #fields}; returns an error message for a malformed line, else null. */
    private String split(String text) {
        fields.clear();
        int i = 0;
        int n = text.length();
        while (true) {
            field.setLength(0);
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        return "unterminated quoted field (quoted fields cannot span lines)";
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                if (i < n && text.charAt(i) != delimiter) {
                    return "unexpected character after a closing quote at position " + (i + 1);
                }
            } else {
                int end = text.indexOf(delimiter, i);
                if (end < 0) {
                    end = n;
                }
                field.append(text, i, end);
                i = end;
            }
            fields.add(field.toString());
            if (i >= n) {
                return null;
            }
            i++; // the delimiter
            if (i == n) {
                fields.add("");
                return null;
            }
        }
    }
}
