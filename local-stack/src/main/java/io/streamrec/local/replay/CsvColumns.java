package io.streamrec.local.replay;

import java.util.List;

/**
 * The columns of a CSV file: named by its header line, or 0-based numbers without one. Turns the column an option
 * names into its index, with an error naming the option and the columns there are.
 */
public final class CsvColumns {
    private final List<String> header;
    private final boolean expectHeader;

    /**
     * @param header the header's column names (stripped), or null when there is none
     * @param expectHeader whether the layout has a header line (true with a null header: an empty file)
     */
    public CsvColumns(List<String> header, boolean expectHeader) {
        this.header = header == null ? null : List.copyOf(header);
        this.expectHeader = expectHeader;
    }

    /** The header's column names, or null. */
    public List<String> header() {
        return header;
    }

    /**
     * The index of column {@code name} (exact, else case-insensitive), as {@code option} names it.
     *
     * @throws IllegalArgumentException naming the option when there is no such column
     */
    public int index(String option, String name) {
        if (header == null && expectHeader) {
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

    /** The column's name in the header, or {@code column<N>} without one. */
    public String name(int index) {
        return header != null && index < header.size() ? header.get(index) : "column" + index;
    }
}
