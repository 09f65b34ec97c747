package io.streamrec.local.replay;

import io.streamrec.schema.catalog.CatalogParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which CSV columns describe the item of a line, for catalog records: categorical columns (a cell is one value, or
 * several split at {@link #listSeparator()}), category path columns (a cell such as
 * {@code electronics.audio.headphone} becomes its prefixes {@code electronics}, {@code electronics.audio},
 * {@code electronics.audio.headphone}), text columns, number columns and an optional availability column. The
 * {@code --csv.category-columns}, {@code --csv.category-path-columns}, {@code --csv.text-columns},
 * {@code --csv.number-columns} and {@code --csv.available-column} options of {@code catalog load} and
 * {@code replay}. Immutable.
 *
 * @param listSeparator splits categorical cells into several values; null: a cell is one value
 * @param pathSeparator separates the levels of a category path cell
 * @param availableColumn true/false, 1/0, yes/no; null for none (every item available)
 */
public record ItemColumns(List<Column> categories, List<Column> categoryPaths, List<Column> text,
                          List<Column> numbers, String availableColumn, String listSeparator, String pathSeparator) {

    /** No item attributes. */
    public static final ItemColumns NONE = new ItemColumns(List.of(), List.of(), List.of(), List.of(), null, null, ".");

    /**
     * One attribute column: the column (a header name, or a 0-based number without a header), the attribute name it
     * becomes (null: the column's name, lower-cased, with characters other than {@code [A-Za-z0-9_-]} replaced by
     * {@code _}) and cell values that mean "unknown" and are left out like an empty cell (compared ignoring case).
     */
    public record Column(String column, String name, Set<String> missing) {
        public Column {
            Objects.requireNonNull(column, "column");
            missing = missing == null ? Set.of() : Set.copyOf(missing);
            if (name != null && !CatalogParser.ATTRIBUTE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("attribute name '" + name + "' (for column '" + column
                        + "') must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
            }
        }

        public static Column of(String column) {
            return new Column(column, null, Set.of());
        }

        public static Column of(String column, String name) {
            return new Column(column, name, Set.of());
        }

        /** {@code COL} or {@code COL=NAME}, as the options take it. */
        public static Column parse(String spec) {
            int eq = spec.lastIndexOf('=');
            if (eq < 0) {
                return of(spec.strip());
            }
            String column = spec.substring(0, eq).strip();
            String name = spec.substring(eq + 1).strip();
            if (column.isEmpty() || name.isEmpty()) {
                throw new IllegalArgumentException("expected COLUMN or COLUMN=NAME, got '" + spec + "'");
            }
            return of(column, name);
        }

        public Column withMissing(Set<String> values) {
            return new Column(column, name, values);
        }

        boolean isMissing(String value) {
            for (String m : missing) {
                if (m.equalsIgnoreCase(value)) {
                    return true;
                }
            }
            return false;
        }
    }

    public ItemColumns {
        categories = List.copyOf(categories);
        categoryPaths = List.copyOf(categoryPaths);
        text = List.copyOf(text);
        numbers = List.copyOf(numbers);
        Objects.requireNonNull(pathSeparator, "pathSeparator");
        if (pathSeparator.isEmpty() || (listSeparator != null && listSeparator.isEmpty())) {
            throw new IllegalArgumentException("separators must not be empty");
        }
    }

    /** Whether no column describes the item (no catalog records). */
    public boolean isEmpty() {
        return categories.isEmpty() && categoryPaths.isEmpty() && text.isEmpty() && numbers.isEmpty()
                && availableColumn == null;
    }

    /** Column specs ({@code COL} or {@code COL=NAME}) separated by commas. */
    public static List<Column> parseList(String option, String value) {
        List<Column> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(Column.parse(part));
            } catch (IllegalArgumentException e) {
                throw new io.streamrec.config.ConfigException(option, e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new io.streamrec.config.ConfigException(option, "expected column names separated by commas, got '"
                    + value + "'");
        }
        return out;
    }

    /** The attribute name a column's own name becomes: lower-cased, other characters than [a-z0-9_-] as '_'. */
    public static String attributeName(String columnName) {
        String lower = columnName.strip().toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length() && b.length() < CatalogParser.MAX_NAME_CHARS; i++) {
            char c = lower.charAt(i);
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ? c : '_');
        }
        return b.toString();
    }

    public ItemColumns withCategories(List<Column> columns) {
        return new ItemColumns(columns, categoryPaths, text, numbers, availableColumn, listSeparator, pathSeparator);
    }

    public ItemColumns withCategoryPaths(List<Column> columns) {
        return new ItemColumns(categories, columns, text, numbers, availableColumn, listSeparator, pathSeparator);
    }

    public ItemColumns withText(List<Column> columns) {
        return new ItemColumns(categories, categoryPaths, columns, numbers, availableColumn, listSeparator,
                pathSeparator);
    }

    public ItemColumns withNumbers(List<Column> columns) {
        return new ItemColumns(categories, categoryPaths, text, columns, availableColumn, listSeparator,
                pathSeparator);
    }

    public ItemColumns withAvailableColumn(String column) {
        return new ItemColumns(categories, categoryPaths, text, numbers, column, listSeparator, pathSeparator);
    }

    public ItemColumns withListSeparator(String separator) {
        return new ItemColumns(categories, categoryPaths, text, numbers, availableColumn, separator, pathSeparator);
    }

    public ItemColumns withPathSeparator(String separator) {
        return new ItemColumns(categories, categoryPaths, text, numbers, availableColumn, listSeparator, separator);
    }

    /** The same columns, each also treating {@code values} as missing (the {@code --csv.missing-values} option). */
    public ItemColumns withMissingValues(Set<String> values) {
        return new ItemColumns(addMissing(categories, values), addMissing(categoryPaths, values),
                addMissing(text, values), addMissing(numbers, values), availableColumn, listSeparator, pathSeparator);
    }

    private static List<Column> addMissing(List<Column> columns, Set<String> values) {
        List<Column> out = new ArrayList<>();
        for (Column c : columns) {
            Set<String> all = new HashSet<>(c.missing());
            all.addAll(values);
            out.add(c.withMissing(all));
        }
        return out;
    }
}
