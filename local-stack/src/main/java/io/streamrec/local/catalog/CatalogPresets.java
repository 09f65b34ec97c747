package io.streamrec.local.catalog;

import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.ItemColumns;
import java.util.List;
import java.util.Set;

/** Known catalog file layouts ({@code catalog load --preset}). */
public final class CatalogPresets {
    private CatalogPresets() {}

    /** The header line of Complete Journey's {@code products.csv}, for detection. */
    public static final String COMPLETE_JOURNEY_HEADER =
            "product_id,manufacturer_id,department,brand,product_category,product_type,package_size";

    /**
     * Package sizes that are a bare unit without an amount ({@code OZ}, {@code LB}, ...; about 50 products):
     * they say nothing about the size. Units that read as one of them ({@code PT}, {@code QT}, {@code GAL},
     * {@code DZ}) are kept.
     */
    static final Set<String> BARE_UNITS = Set.of("OZ", "LB", "L", "IN", "CT", "ML");

    /**
     * Complete Journey's {@code products.csv} (R package {@code completejourney}): the item is {@code product_id}
     * (as in the transactions); categories {@code department} (32 values), {@code product_category} (304),
     * {@code product_type} (2,379), {@code brand} (National or Private label), {@code package_size} (3,706 values
     * such as {@code 14 OZ}; empty for a third of the products) and {@code manufacturer} (the
     * {@code manufacturer_id}, 6,471 values: the closest thing to a brand name in this data, which only says
     * National/Private). Empty cells are left out (product_category and product_type are empty for 0.6% of the
     * products, package_size for 33%), and so are package sizes that are a bare unit ({@link #BARE_UNITS}).
     * There are no titles and no prices in the catalogue.
     */
    public static final CsvLayout COMPLETE_JOURNEY = CsvLayout.builder()
            .itemColumn("product_id")
            .itemColumns(ItemColumns.NONE.withCategories(List.of(
                    ItemColumns.Column.of("department"),
                    ItemColumns.Column.of("product_category"),
                    ItemColumns.Column.of("product_type"),
                    ItemColumns.Column.of("brand"),
                    ItemColumns.Column.of("package_size").withMissing(BARE_UNITS),
                    ItemColumns.Column.of("manufacturer_id", "manufacturer"))))
            .build();
}
