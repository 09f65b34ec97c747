package io.streamrec.local.replay;

import io.streamrec.config.Option;
import io.streamrec.config.ValueType;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.ParsedArgs;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command-line options that describe a CSV file's layout and item columns ({@link ItemColumns}), shared by
 * {@code catalog load} (a catalog file) and {@code replay} (an event log whose lines also describe their items).
 * Each item option given replaces that part of a preset's columns.
 */
public final class ItemColumnOptions {
    private ItemColumnOptions() {}

    private static ValueType<List<ItemColumns.Column>> columns(String option) {
        return ValueTypes.of("A,B", v -> ItemColumns.parseList(option, v), v -> String.join(",",
                v.stream().map(c -> c.column().equals(c.name()) ? c.column() : c.column() + "=" + c.name()).toList()));
    }

    private static final ValueType<String> SEPARATOR = ValueTypes.of("S", v -> {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return v.equals("tab") ? "\t" : v;
    }, v -> v.equals("\t") ? "tab" : v);

    /** "tab" (or "\t") is a tab; anything else must be one character. */
    public static final ValueType<Character> DELIMITER_TYPE = ValueTypes.of("C", d -> {
        switch (d) {
            case "tab": case "\\t": case "\t":
                return '\t';
            default:
                if (d.length() != 1) {
                    throw new IllegalArgumentException("expected one character (or 'tab'), got '" + d + "'");
                }
                return d.charAt(0);
        }
    }, c -> c == '\t' ? "tab" : String.valueOf(c));

    public static final Option<String> ITEM_COLUMN = Option.named("--csv.item-column", ValueTypes.STRING).label("COL")
            .check(Option.nonBlank(), "expected a column name")
            .description("column of the item id (a name; a 0-based number without header)").build();
    public static final Option<Character> DELIMITER = Option.named("--csv.delimiter", DELIMITER_TYPE)
            .defaultValue(',').description("field delimiter ('tab' for a tab)").build();
    public static final Option<Boolean> HEADER = Option.named("--csv.header", ValueTypes.BOOLEAN)
            .description("whether the first line is a header (default true, or the preset's)").build();

    public static final Option<List<ItemColumns.Column>> CATEGORIES = Option.named("--csv.category-columns",
                    columns("--csv.category-columns"))
            .description("categorical item columns: each becomes categories.<column> (the name lower-cased, other "
                    + "characters than [a-z0-9_-] as _; COL=NAME renames)").build();
    public static final Option<List<ItemColumns.Column>> PATHS = Option.named("--csv.category-path-columns",
                    columns("--csv.category-path-columns"))
            .description("category path columns: a.b.c becomes the values a, a.b, a.b.c").build();
    public static final Option<List<ItemColumns.Column>> TEXT = Option.named("--csv.text-columns",
                    columns("--csv.text-columns"))
            .description("text item columns (title, description): text.<column>").build();
    public static final Option<List<ItemColumns.Column>> NUMBERS = Option.named("--csv.number-columns",
                    columns("--csv.number-columns"))
            .description("numeric item columns (price, year): numbers.<column>").build();
    public static final Option<String> AVAILABLE = Option.named("--csv.available-column", ValueTypes.STRING)
            .label("COL").check(Option.nonBlank(), "expected a column name")
            .description("column saying whether the item may be recommended (true/false, 1/0, yes/no); empty cells "
                    + "and no column: available").build();
    public static final Option<String> LIST_SEPARATOR = Option.named("--csv.list-separator", SEPARATOR)
            .description("splits categorical cells into several values, e.g. '|'").build();
    public static final Option<String> PATH_SEPARATOR = Option.named("--csv.path-separator", SEPARATOR)
            .defaultValue(".").description("level separator of path columns").build();
    public static final Option<Set<String>> MISSING = Option.named("--csv.missing-values", ValueTypes.of("A,B",
                    v -> {
                        Set<String> values = new LinkedHashSet<>();
                        Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(values::add);
                        if (values.isEmpty()) {
                            throw new IllegalArgumentException("expected values separated by commas");
                        }
                        return values;
                    }, v -> String.join(",", v)))
            .description("cell values that mean unknown and are left out like empty cells, e.g. NA,N/A,null").build();

    /** The item column options, in the order of the help text. */
    public static final List<Option<?>> ALL = List.of(CATEGORIES, PATHS, TEXT, NUMBERS, AVAILABLE, LIST_SEPARATOR,
            PATH_SEPARATOR, MISSING);

    /** Whether any of the item column options was given. */
    public static boolean any(ParsedArgs args) {
        return ALL.stream().anyMatch(args::has);
    }

    /**
     * The item columns: {@code base} (a preset's, or {@link ItemColumns#NONE}) with each given option replacing its
     * part.
     */
    public static ItemColumns apply(ParsedArgs args, ItemColumns base) {
        ItemColumns c = base;
        if (args.has(CATEGORIES)) {
            c = c.withCategories(args.get(CATEGORIES));
        }
        if (args.has(PATHS)) {
            c = c.withCategoryPaths(args.get(PATHS));
        }
        if (args.has(TEXT)) {
            c = c.withText(args.get(TEXT));
        }
        if (args.has(NUMBERS)) {
            c = c.withNumbers(args.get(NUMBERS));
        }
        if (args.has(AVAILABLE)) {
            c = c.withAvailableColumn(args.get(AVAILABLE).strip());
        }
        if (args.has(LIST_SEPARATOR)) {
            c = c.withListSeparator(args.get(LIST_SEPARATOR));
        }
        if (args.has(PATH_SEPARATOR)) {
            c = c.withPathSeparator(args.get(PATH_SEPARATOR));
        }
        if (args.has(MISSING)) {
            c = c.withMissingValues(args.get(MISSING));
        }
        return c;
    }
}
