package io.streamrec.local.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields, RFC 4180 style: a field may be quoted ({@code "a,b"}), a doubled quote inside a
 * quoted field is one quote; a quoted field cannot span lines. The same rules for event logs and catalog files.
 *
 * <p>Not thread-safe: it reuses its buffers.
 */
public final class CsvLineSplitter {
    private final char delimiter;
    private final List<String> fields = new ArrayList<>();
    private final StringBuilder field = new StringBuilder();

    public CsvLineSplitter(char delimiter) {
        this.delimiter = delimiter;
    }

    /**
     * Splits {@code text} into {@link #fields()}.
     *
     * @return null when the line is well formed, else what is wrong with it
     */
    public String split(String text) {
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

    /** The fields of the last line split; valid until the next {@link #split}. */
    public List<String> fields() {
        return fields;
    }
}
