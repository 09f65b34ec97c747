package io.streamrec.local.replay;

import io.streamrec.schema.catalog.CatalogRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the item attributes of one CSV line: {@link ItemColumns} resolved against a file's {@link CsvColumns} in,
 * a {@link CatalogRecord} (or what is wrong with the line) out. Empty cells and cells holding a column's missing
 * values are left out. It checks what only the file can get wrong (a number that is not one, an availability that
 * is not a boolean); the catalog contract's limits are checked by whoever publishes the record, with the
 * {@code CatalogParser}.
 *
 * <p>Not thread-safe.
 */
public final class ItemAttributeReader {
    private static final Set<String> TRUE = Set.of("true", "1", "yes", "y", "t");
    private static final Set<String> FALSE = Set.of("false", "0", "no", "n", "f");

    /** A column resolved to its index and attribute name. */
    private record Resolved(int index, String name, String column, ItemColumns.Column spec) {}

    private final List<Resolved> categories;
    private final List<Resolved> paths;
    private final List<Resolved> text;
    private final List<Resolved> numbers;
    private final int available;
    private final String availableName;
    private final Pattern listSplit;
    private final Pattern pathSplit;
    private final String pathSeparator;
    private final int maxColumn;

    /** What {@link #read} found: a record, or a problem with a short reason and a detail sentence. */
    public record Result(CatalogRecord record, String reason, String detail) {
        static Result bad(String reason, String detail) {
            return new Result(null, reason, detail);
        }
    }

    /**
     * @throws IllegalArgumentException naming the option when a column is not in the file, or two columns of a group
     *     would become the same attribute
     */
    public ItemAttributeReader(ItemColumns spec, CsvColumns columns) {
        this.categories = resolve("--csv.category-columns", spec.categories(), columns);
        this.paths = resolve("--csv.category-path-columns", spec.categoryPaths(), columns);
        this.text = resolve("--csv.text-columns", spec.text(), columns);
        this.numbers = resolve("--csv.number-columns", spec.numbers(), columns);
        List<Resolved> allCategorical = new ArrayList<>(categories);
        allCategorical.addAll(paths);
        requireDistinctNames("categorical", "--csv.category-columns, --csv.category-path-columns", allCategorical);
        requireDistinctNames("text", "--csv.text-columns", text);
        requireDistinctNames("number", "--csv.number-columns", numbers);
        if (spec.availableColumn() != null) {
            available = columns.index("--csv.available-column", spec.availableColumn());
            availableName = columns.header() != null ? columns.name(available) : "column" + available;
        } else {
            available = -1;
            availableName = null;
        }
        listSplit = spec.listSeparator() == null ? null : Pattern.compile(Pattern.quote(spec.listSeparator()));
        pathSeparator = spec.pathSeparator();
        pathSplit = Pattern.compile(Pattern.quote(pathSeparator));
        int max = available;
        for (List<Resolved> group : List.of(categories, paths, text, numbers)) {
            for (Resolved r : group) {
                max = Math.max(max, r.index);
            }
        }
        maxColumn = max;
    }

    private static List<Resolved> resolve(String option, List<ItemColumns.Column> specs, CsvColumns columns) {
        List<Resolved> out = new ArrayList<>();
        for (ItemColumns.Column c : specs) {
            int i = columns.index(option, c.column());
            String columnName = columns.header() != null ? columns.name(i) : "column" + i;
            String name = c.name() != null ? c.name() : ItemColumns.attributeName(columnName);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(option + ": column " + i + " has an empty name; give the attribute"
                        + " one with COLUMN=NAME");
            }
            out.add(new Resolved(i, name, columnName, c));
        }
        return out;
    }

    private static void requireDistinctNames(String group, String options, List<Resolved> resolved) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Resolved r : resolved) {
            String before = seen.putIfAbsent(r.name, r.column);
            if (before != null) {
                throw new IllegalArgumentException("columns '" + before + "' and '" + r.column + "' would both be the "
                        + group + " attribute '" + r.name + "' (" + options + "); rename one with COLUMN=NAME");
            }
        }
    }

    /** The highest column index read (-1 for none): a line needs at least one more field. */
    public int maxColumn() {
        return maxColumn;
    }

    /** The item's record from a line's fields (at least {@link #maxColumn()} + 1 of them). */
    public Result read(String itemId, List<String> fields) {
        Map<String, List<String>> cats = new LinkedHashMap<>();
        for (Resolved r : categories) {
            String cell = cell(r, fields);
            if (cell != null) {
                List<String> values = listSplit == null ? List.of(cell) : splitList(cell);
                if (!values.isEmpty()) {
                    cats.put(r.name, values);
                }
            }
        }
        for (Resolved r : paths) {
            String cell = cell(r, fields);
            if (cell != null) {
                List<String> prefixes = prefixes(cell);
                if (!prefixes.isEmpty()) {
                    cats.put(r.name, prefixes);
                }
            }
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (Resolved r : text) {
            String cell = cell(r, fields);
            if (cell != null) {
                texts.put(r.name, cell);
            }
        }
        Map<String, Double> nums = new LinkedHashMap<>();
        for (Resolved r : numbers) {
            String cell = cell(r, fields);
            if (cell != null) {
                Double d = number(cell);
                if (d == null) {
                    return Result.bad("bad number", "column '" + r.column + "': " + LineLogReader.quote(cell)
                            + " is not a number");
                }
                nums.put(r.name, d);
            }
        }
        boolean isAvailable = true;
        if (available >= 0) {
            String cell = fields.get(available).strip();
            if (!cell.isEmpty()) {
                String lower = cell.toLowerCase(Locale.ROOT);
                if (TRUE.contains(lower)) {
                    isAvailable = true;
                } else if (FALSE.contains(lower)) {
                    isAvailable = false;
                } else {
                    return Result.bad("bad availability", "column '" + availableName + "': "
                            + LineLogReader.quote(cell) + " is not true/false, 1/0 or yes/no");
                }
            }
        }
        return new Result(new CatalogRecord(itemId, isAvailable, cats, texts, nums, null), null, null);
    }

    /** The stripped cell, or null when it is empty or one of the column's missing values. */
    private static String cell(Resolved r, List<String> fields) {
        String v = fields.get(r.index).strip();
        return v.isEmpty() || r.spec.isMissing(v) ? null : v;
    }

    private List<String> splitList(String cell) {
        Set<String> values = new LinkedHashSet<>();
        for (String part : listSplit.split(cell)) {
            String v = part.strip();
            if (!v.isEmpty()) {
                values.add(v);
            }
        }
        return new ArrayList<>(values);
    }

    /** "a.b.c" -> [a, a.b, a.b.c]; empty levels are skipped. */
    private List<String> prefixes(String cell) {
        List<String> out = new ArrayList<>();
        StringBuilder path = new StringBuilder();
        for (String part : pathSplit.split(cell)) {
            String level = part.strip();
            if (level.isEmpty()) {
                continue;
            }
            if (path.length() > 0) {
                path.append(pathSeparator);
            }
            path.append(level);
            out.add(path.toString());
        }
        return out;
    }

    /** A finite decimal number ("12", "-0.5", "1e3"), or null; no hex, no "NaN", no type suffixes. */
    private static Double number(String s) {
        try {
            double d = new BigDecimal(s).doubleValue();
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
