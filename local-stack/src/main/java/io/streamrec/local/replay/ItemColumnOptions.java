package io.streamrec.local.replay;

import io.streamrec.local.cli.CommandLine;
import io.streamrec.local.cli.UsageException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command-line options that describe a CSV file's item columns ({@link ItemColumns}), shared by
 * {@code catalog load} (a catalog file) and {@code replay} (an event log whose lines also describe their items).
 * Each option given replaces that part of a preset's columns.
 */
public final class ItemColumnOptions {
    static final String CATEGORIES = "--csv.category-columns";
    static final String PATHS = "--csv.category-path-columns";
    static final String TEXT = "--csv.text-columns";
    static final String NUMBERS = "--csv.number-columns";
    static final String AVAILABLE = "--csv.available-column";
    static final String LIST_SEPARATOR = "--csv.list-separator";
    static final String PATH_SEPARATOR = "--csv.path-separator";
    static final String MISSING = "--csv.missing-values";

    private static final List<String> ALL = List.of(CATEGORIES, PATHS, TEXT, NUMBERS, AVAILABLE, LIST_SEPARATOR,
            PATH_SEPARATOR, MISSING);

    private ItemColumnOptions() {}

    /** Declares the options (in the current section of {@code spec}). */
    public static CommandLine.Spec declare(CommandLine.Spec spec) {
        return spec
                .option(CATEGORIES, "A,B", "categorical item columns: each becomes categories.<column> (the name\n"
                        + "lower-cased, other characters than [a-z0-9_-] as _; COL=NAME renames)")
                .option(PATHS, "A,B", "category path columns: a.b.c becomes the values a, a.b, a.b.c")
                .option(TEXT, "A,B", "text item columns (title, description): text.<column>")
                .option(NUMBERS, "A,B", "numeric item columns (price, year): numbers.<column>")
                .option(AVAILABLE, "COL", "column saying whether the item may be recommended (true/false, 1/0,\n"
                        + "yes/no); empty cells and no column: available")
                .option(LIST_SEPARATOR, "S", "splits categorical cells into several values, e.g. '|'")
                .option(PATH_SEPARATOR, "S", "level separator of path columns (default .)")
                .option(MISSING, "A,B", "cell values that mean unknown and are left out like empty cells,\n"
                        + "e.g. NA,N/A,null");
    }

    /** Whether any of the options was given. */
    public static boolean any(CommandLine cl) {
        return ALL.stream().anyMatch(cl::has);
    }

    /**
     * The item columns: {@code base} (a preset's, or {@link ItemColumns#NONE}) with each given option replacing its
     * part.
     *
     * @throws UsageException naming the option at fault
     */
    public static ItemColumns apply(CommandLine cl, ItemColumns base) throws UsageException {
        ItemColumns c = base;
        try {
            if (cl.has(CATEGORIES)) {
                c = c.withCategories(ItemColumns.parseList(CATEGORIES, cl.get(CATEGORIES)));
            }
            if (cl.has(PATHS)) {
                c = c.withCategoryPaths(ItemColumns.parseList(PATHS, cl.get(PATHS)));
            }
            if (cl.has(TEXT)) {
                c = c.withText(ItemColumns.parseList(TEXT, cl.get(TEXT)));
            }
            if (cl.has(NUMBERS)) {
                c = c.withNumbers(ItemColumns.parseList(NUMBERS, cl.get(NUMBERS)));
            }
            if (cl.has(AVAILABLE)) {
                String col = cl.get(AVAILABLE).strip();
                if (col.isEmpty()) {
                    throw new UsageException(AVAILABLE + ": expected a column name");
                }
                c = c.withAvailableColumn(col);
            }
            if (cl.has(LIST_SEPARATOR)) {
                c = c.withListSeparator(separator(LIST_SEPARATOR, cl.get(LIST_SEPARATOR)));
            }
            if (cl.has(PATH_SEPARATOR)) {
                c = c.withPathSeparator(separator(PATH_SEPARATOR, cl.get(PATH_SEPARATOR)));
            }
            if (cl.has(MISSING)) {
                Set<String> values = new LinkedHashSet<>();
                Arrays.stream(cl.get(MISSING).split(",")).map(String::strip).filter(v -> !v.isEmpty())
                        .forEach(values::add);
                if (values.isEmpty()) {
                    throw new UsageException(MISSING + ": expected values separated by commas");
                }
                c = c.withMissingValues(values);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return c;
    }

    private static String separator(String option, String value) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(option + ": must not be empty");
        }
        return value.equals("tab") ? "\t" : value;
    }
}
