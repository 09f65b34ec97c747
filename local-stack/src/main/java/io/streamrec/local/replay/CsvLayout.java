package io.streamrec.local.replay;

import io.streamrec.schema.EventType;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which columns of a generic CSV file hold which event fields, and how to read them: the {@code --csv.*} options.
 * With a header line, columns are named; without one, they are 0-based numbers. User, item and timestamp columns
 * are required; the type comes from a column (mapped by a {@link TypeMapping}) or is one fixed type. Optional
 * {@link ItemColumns} describe the item of each line: a replay publishes them as catalog records. A catalog file
 * ({@code catalog load}) uses the item column, the item columns, the delimiter and the header only
 * ({@link #validateCatalog()}). Immutable.
 */
public final class CsvLayout {
    /**
     * The REES46 "eCommerce behavior data from multi category store" layout ({@code event_time,event_type,
     * product_id,category_id,category_code,brand,price,user_id,user_session}); the price becomes the value, the
     * category and brand become properties. The item columns make catalog records: {@code categories.category} =
     * the prefixes of category_code ({@code electronics}, {@code electronics.audio}, ...), {@code
     * categories.category_id} (finer than the code, and the only category of the third of items without a code),
     * {@code categories.brand}, {@code numbers.price} (a price of 0 means unknown in this data and is left out).
     */
    public static final CsvLayout REES46 = builder()
            .userColumn("user_id").itemColumn("product_id").typeColumn("event_type")
            .timestampColumn("event_time").timestampFormat("yyyy-MM-dd HH:mm:ss z")
            .valueColumn("price").sessionColumn("user_session")
            .propertyColumns(List.of("category_id", "category_code", "brand"))
            .itemColumns(ItemColumns.NONE
                    .withCategoryPaths(List.of(ItemColumns.Column.of("category_code", "category")))
                    .withCategories(List.of(ItemColumns.Column.of("category_id"), ItemColumns.Column.of("brand")))
                    .withNumbers(List.of(ItemColumns.Column.of("price").withMissing(Set.of("0", "0.0", "0.00")))))
            .build();

    /**
     * The Complete Journey (84.51 / dunnhumby, R package {@code completejourney}) transactions layout
     * ({@code household_id,store_id,basket_id,product_id,quantity,sales_value,retail_disc,coupon_disc,
     * coupon_match_disc,week,transaction_timestamp_utc,transaction_timestamp_epoch}): every line is a
     * {@code purchase} of the product by the household at the epoch-seconds timestamp; the basket is the session,
     * the sales value the value, store and quantity become properties. Item attributes are in {@code products.csv}
     * ({@code catalog load --preset completejourney}).
     */
    public static final CsvLayout COMPLETE_JOURNEY = builder()
            .userColumn("household_id").itemColumn("product_id").fixedType(EventType.PURCHASE)
            .timestampColumn("transaction_timestamp_epoch").timestampFormat("epoch-s")
            .valueColumn("sales_value").sessionColumn("basket_id")
            .propertyColumns(List.of("store_id", "quantity"))
            .build();

    /**
     * The UCI Online Retail layout ({@code InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,
     * Country}): every line is a {@code purchase} of the stock code by the customer at the invoice time; the invoice
     * is the session, quantity and country become properties, and the description (text) and unit price (number)
     * the item's catalog record. Lines without a customer id (a quarter of the data set) are skipped and counted as
     * bad lines.
     */
    public static final CsvLayout ONLINE_RETAIL = builder()
            .userColumn("CustomerID").itemColumn("StockCode").fixedType(EventType.PURCHASE)
            .timestampColumn("InvoiceDate").timestampFormat("yyyy-MM-dd HH:mm:ss")
            .sessionColumn("InvoiceNo")
            .propertyColumns(List.of("Quantity", "Country"))
            .itemColumns(ItemColumns.NONE
                    .withText(List.of(ItemColumns.Column.of("Description", "description")))
                    .withNumbers(List.of(ItemColumns.Column.of("UnitPrice", "price"))))
            .build();

    /** The Online Retail header line, for detection. */
    public static final String ONLINE_RETAIL_HEADER =
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

    /** The Complete Journey transactions header line, for detection. */
    public static final String COMPLETE_JOURNEY_HEADER = "household_id,store_id,basket_id,product_id,quantity,"
            + "sales_value,retail_disc,coupon_disc,coupon_match_disc,week,transaction_timestamp_utc,"
            + "transaction_timestamp_epoch";

    /** The REES46 header line, for detection. */
    public static final String REES46_HEADER =
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session";

    /** REES46 types: {@code view}, {@code cart}, {@code purchase}; {@code remove_from_cart} has no counterpart. */
    public static final TypeMapping REES46_TYPES =
            TypeMapping.parse("view=view,cart=add_to_cart,purchase=purchase,remove_from_cart=skip");

    private final char delimiter;
    private final boolean header;
    private final String userColumn;
    private final String itemColumn;
    private final String typeColumn;
    private final EventType fixedType;
    private final String timestampColumn;
    private final String timestampFormat;
    private final ZoneId timezone;
    private final String valueColumn;
    private final String sessionColumn;
    private final List<String> propertyColumns;
    private final ItemColumns itemColumns;

    private CsvLayout(Builder b) {
        this.delimiter = b.delimiter;
        this.header = b.header;
        this.userColumn = b.userColumn;
        this.itemColumn = b.itemColumn;
        this.typeColumn = b.typeColumn;
        this.fixedType = b.fixedType;
        this.timestampColumn = b.timestampColumn;
        this.timestampFormat = b.timestampFormat;
        this.timezone = b.timezone;
        this.valueColumn = b.valueColumn;
        this.sessionColumn = b.sessionColumn;
        this.propertyColumns = List.copyOf(b.propertyColumns);
        this.itemColumns = b.itemColumns;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this layout, to override some of it (e.g. a preset plus explicit options). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.delimiter = delimiter;
        b.header = header;
        b.userColumn = userColumn;
        b.itemColumn = itemColumn;
        b.typeColumn = typeColumn;
        b.fixedType = fixedType;
        b.timestampColumn = timestampColumn;
        b.timestampFormat = timestampFormat;
        b.timezone = timezone;
        b.valueColumn = valueColumn;
        b.sessionColumn = sessionColumn;
        b.propertyColumns = new ArrayList<>(propertyColumns);
        b.itemColumns = itemColumns;
        return b;
    }

    /**
     * Checks that the layout can be used: the required columns are set.
     *
     * @throws IllegalArgumentException naming the missing {@code --csv.*} options
     */
    public CsvLayout validate() {
        List<String> missing = new ArrayList<>();
        if (userColumn == null) {
            missing.add("--csv.user-column");
        }
        if (itemColumn == null) {
            missing.add("--csv.item-column");
        }
        if (timestampColumn == null) {
            missing.add("--csv.timestamp-column");
        }
        if (typeColumn == null && fixedType == null) {
            missing.add("--csv.type-column (or a fixed --csv.type)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("--format csv needs " + String.join(", ", missing)
                    + " (or a --preset such as rees46)");
        }
        TimestampFormat.of(timestampFormat, timezone); // throws for a bad pattern
        return this;
    }

    /**
     * Checks that the layout can read a catalog file: the item column is set.
     *
     * @throws IllegalArgumentException naming the missing option
     */
    public CsvLayout validateCatalog() {
        if (itemColumn == null) {
            throw new IllegalArgumentException("--format csv needs --csv.item-column (and the attribute columns:"
                    + " --csv.category-columns, --csv.text-columns, --csv.number-columns, ...), or a --preset such"
                    + " as completejourney");
        }
        return this;
    }

    public char delimiter() {
        return delimiter;
    }

    public boolean header() {
        return header;
    }

    public String userColumn() {
        return userColumn;
    }

    public String itemColumn() {
        return itemColumn;
    }

    public String typeColumn() {
        return typeColumn;
    }

    public EventType fixedType() {
        return fixedType;
    }

    public String timestampColumn() {
        return timestampColumn;
    }

    public String timestampFormat() {
        return timestampFormat;
    }

    public ZoneId timezone() {
        return timezone;
    }

    public String valueColumn() {
        return valueColumn;
    }

    public String sessionColumn() {
        return sessionColumn;
    }

    public List<String> propertyColumns() {
        return propertyColumns;
    }

    /** The columns describing the item of a line; {@link ItemColumns#NONE} when the file has none. */
    public ItemColumns itemColumns() {
        return itemColumns;
    }

    /** Setters for {@link CsvLayout}; defaults: comma, header line, timestamps {@code auto} in UTC. */
    public static final class Builder {
        private char delimiter = ',';
        private boolean header = true;
        private String userColumn;
        private String itemColumn;
        private String typeColumn;
        private EventType fixedType;
        private String timestampColumn;
        private String timestampFormat = TimestampFormat.AUTO;
        private ZoneId timezone = ZoneOffset.UTC;
        private String valueColumn;
        private String sessionColumn;
        private List<String> propertyColumns = new ArrayList<>();
        private ItemColumns itemColumns = ItemColumns.NONE;

        private Builder() {}

        public Builder delimiter(char delimiter) {
            if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("the delimiter cannot be a quote or a line break");
            }
            this.delimiter = delimiter;
            return this;
        }

        public Builder header(boolean header) {
            this.header = header;
            return this;
        }

        public Builder userColumn(String column) {
            this.userColumn = column;
            return this;
        }

        public Builder itemColumn(String column) {
            this.itemColumn = column;
            return this;
        }

        /** The column with the source type, mapped by the type mapping; clears a fixed type. */
        public Builder typeColumn(String column) {
            this.typeColumn = column;
            if (column != null) {
                this.fixedType = null;
            }
            return this;
        }

        /** One type for every row (no type column); clears the type column. */
        public Builder fixedType(EventType type) {
            this.fixedType = type;
            if (type != null) {
                this.typeColumn = null;
            }
            return this;
        }

        public Builder timestampColumn(String column) {
            this.timestampColumn = column;
            return this;
        }

        /** auto, epoch-s, epoch-ms, iso or a java.time pattern; see {@link TimestampFormat}. */
        public Builder timestampFormat(String format) {
            this.timestampFormat = format;
            return this;
        }

        public Builder timezone(ZoneId zone) {
            this.timezone = zone;
            return this;
        }

        public Builder valueColumn(String column) {
            this.valueColumn = column;
            return this;
        }

        public Builder sessionColumn(String column) {
            this.sessionColumn = column;
            return this;
        }

        public Builder propertyColumns(List<String> columns) {
            this.propertyColumns = new ArrayList<>(columns);
            return this;
        }

        public Builder itemColumns(ItemColumns columns) {
            this.itemColumns = Objects.requireNonNull(columns);
            return this;
        }

        public CsvLayout build() {
            return new CsvLayout(this);
        }
    }
}
