package io.streamrec.local.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.ItemColumns;
import io.streamrec.local.replay.ItemColumns.Column;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catalog CSV files: column options, cell rules, bad lines; and Complete Journey's real products.csv. */
class CsvCatalogReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static CsvLayout layout(ItemColumns columns) {
        return CsvLayout.builder().itemColumn("SKU").itemColumns(columns).build();
    }

    @Test
    void columnsBecomeAttributesAndEmptyCellsAreLeftOut() throws IOException {
        Path file = write("products.csv", String.join("\n",
                "SKU,Product Type,Brand,Genres,Category Path,Title,Price,In Stock,Colour",
                "a-1,Shoe,acme,Running|Trail|Running,shoes.running.trail,\"Trail shoe, waterproof\",89.90,yes,red",
                "a-2,,  ,,,,,,",
                "a-3,Sock,acme,,shoes..socks.,\"He said \"\"soft\"\"\",1e1,0,NA",
                "a-4,Hat,,Casual,,Hat,-2.5,FALSE,n/a", ""));
        ItemColumns columns = ItemColumns.NONE
                .withCategories(List.of(Column.of("Product Type"), Column.of("Brand"), Column.of("Genres", "genre"),
                        Column.of("Colour")))
                .withCategoryPaths(List.of(Column.of("Category Path", "category")))
                .withText(List.of(Column.of("Title")))
                .withNumbers(List.of(Column.of("Price")))
                .withAvailableColumn("In Stock")
                .withListSeparator("|")
                .withMissingValues(Set.of("NA", "N/A"));
        CatalogReading r = CatalogReading.of(file, CatalogFormat.CSV, layout(columns));
        assertEquals(List.of(), r.bad);
        Map<String, CatalogRecord> m = r.byId();
        assertEquals(new CatalogRecord("a-1", true, Map.of("product_type", List.of("Shoe"), "brand", List.of("acme"),
                "genre", List.of("Running", "Trail"), "colour", List.of("red"),
                "category", List.of("shoes", "shoes.running", "shoes.running.trail")),
                Map.of("title", "Trail shoe, waterproof"), Map.of("price", 89.9), null), m.get("a-1"));
        assertEquals(CatalogRecord.of("a-2", Map.of()), m.get("a-2"), "empty and blank cells say nothing");
        CatalogRecord a3 = m.get("a-3");
        assertEquals(List.of("shoes", "shoes.socks"), a3.categories().get("category"), "empty levels are skipped");
        assertEquals("He said \"soft\"", a3.text().get("title"));
        assertEquals(10.0, a3.numbers().get("price"));
        assertFalse(a3.available());
        assertFalse(a3.categories().containsKey("colour"), "NA is a missing value");
        assertFalse(m.get("a-4").categories().containsKey("colour"), "missing values ignore case");
        assertEquals(-2.5, m.get("a-4").numbers().get("price"));
        assertFalse(m.get("a-4").available());
    }

    @Test
    void unreadableCellsMakeBadLinesWithTheColumnNamed() throws IOException {
        Path file = write("p.csv", String.join("\n",
                "sku,price,avail",
                "1,12.5,true",
                "2,12,5,true",
                "3,0x10,true",
                "4,NaN,true",
                "5,1e999,true",
                "6,9.99,maybe",
                "7,\"unterminated,true",
                ",1,true",
                "8,1.5d,1",
                "9,,"));
        CatalogReading r = CatalogReading.of(file, CatalogFormat.CSV, CsvLayout.builder().itemColumn("sku")
                .itemColumns(ItemColumns.NONE.withNumbers(List.of(Column.of("price"))).withAvailableColumn("avail"))
                .build());
        assertEquals(List.of("1", "9"), List.copyOf(r.byId().keySet()));
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), r.badLines());
        assertEquals(List.of("wrong number of columns", "bad number", "bad number", "bad number", "bad availability",
                "malformed CSV", "bad item id", "bad number"), r.bad.stream().map(b -> b.reason()).toList());
        assertEquals("column 'price': '0x10' is not a number", r.bad.get(1).detail());
        assertTrue(r.bad.get(4).detail().contains("column 'avail': 'maybe' is not true/false"), r.bad.get(4).detail());
    }

    @Test
    void optionsThatDoNotFitTheFileNameTheOptionAndTheColumns() throws IOException {
        Path file = write("p.csv", "sku,Brand,brand\n1,a,b\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatalogReading.of(file,
                CatalogFormat.CSV, CsvLayout.builder().itemColumn("id").build()));
        assertEquals("--csv.item-column: no column 'id' in the header; the columns are sku, Brand, brand",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CatalogReading.of(file, CatalogFormat.CSV,
                CsvLayout.builder().itemColumn("sku").itemColumns(ItemColumns.NONE.withCategories(
                        List.of(Column.of("Brand"), Column.of("brand")))).build()));
        assertEquals("columns 'Brand' and 'brand' would both be the categorical attribute 'brand'"
                + " (--csv.category-columns, --csv.category-path-columns); rename one with COLUMN=NAME", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CatalogReading.of(file, CatalogFormat.CSV,
                CsvLayout.builder().itemColumn("sku").itemColumns(ItemColumns.NONE.withText(
                        List.of(Column.of("nope")))).build()));
        assertTrue(e.getMessage().startsWith("--csv.text-columns: no column 'nope'"), e.getMessage());
        // Renamed apart, both are fine:
        CatalogReading ok = CatalogReading.of(file, CatalogFormat.CSV, CsvLayout.builder().itemColumn("sku")
                .itemColumns(ItemColumns.NONE.withCategories(List.of(Column.of("Brand", "brand_a"),
                        Column.of("brand", "brand_b")))).build());
        assertEquals(Map.of("brand_a", List.of("a"), "brand_b", List.of("b")), ok.plain().get(0).categories());
    }

    @Test
    void withoutAHeaderColumnsAreNumbersAndNamedColumnN() throws IOException {
        Path file = write("p.tsv", "x1\tred\t3\nx2\tblue\t4\n");
        CatalogReading r = CatalogReading.of(file, CatalogFormat.CSV, CsvLayout.builder().itemColumn("0")
                .delimiter('\t').header(false).itemColumns(ItemColumns.NONE.withCategories(List.of(Column.of("1")))
                        .withNumbers(List.of(Column.of("2", "size")))).build());
        assertEquals(new CatalogRecord("x2", true, Map.of("column1", List.of("blue")), Map.of(),
                Map.of("size", 4.0), null), r.byId().get("x2"));
    }

    @Test
    void attributeNamesFromColumnNames() {
        assertEquals("product_type", ItemColumns.attributeName("Product Type"));
        assertEquals("price__eur_", ItemColumns.attributeName(" Price (EUR)"));
        assertEquals("cat-1_x", ItemColumns.attributeName("CAT-1.x"));
        assertEquals("caf_", ItemColumns.attributeName("Café"));
        assertEquals(64, ItemColumns.attributeName("x".repeat(100)).length());
        assertThrows(IllegalArgumentException.class, () -> Column.of("a", "bad name"));
        assertEquals(new Column("col", "nm", Set.of()), Column.parse(" col = nm "));
        assertThrows(IllegalArgumentException.class, () -> Column.parse("=nm"));
    }

    @Test
    void completeJourneyProductsAreDetectedAndEveryProductLoads() throws Exception {
        Path file = TestData.file("completejourney/products.csv");
        CatalogFormat.Detection d = CatalogFormat.detect(file);
        assertEquals(CatalogFormat.CSV, d.format());
        assertEquals(CatalogPresets.COMPLETE_JOURNEY, d.csvLayout());

        CatalogReading r = CatalogReading.of(file, CatalogFormat.CSV, d.csvLayout());
        assertEquals(List.of(), r.bad);
        Map<String, CatalogRecord> m = r.byId();
        assertEquals(92_331, m.size());
        // "25671,2,GROCERY,National,FRZN ICE,ICE - CRUSHED/CUBED,22 LB"
        assertEquals(CatalogRecord.of("25671", Map.of("department", List.of("GROCERY"),
                "brand", List.of("National"), "product_category", List.of("FRZN ICE"),
                "product_type", List.of("ICE - CRUSHED/CUBED"), "package_size", List.of("22 LB"),
                "manufacturer", List.of("2"))), m.get("25671"));
        // "26081,2,MISCELLANEOUS,National,,,": empty cells are left out
        assertEquals(CatalogRecord.of("26081", Map.of("department", List.of("MISCELLANEOUS"),
                "brand", List.of("National"), "manufacturer", List.of("2"))), m.get("26081"));
        long withSize = m.values().stream().filter(p -> p.categories().containsKey("package_size")).count();
        Set<String> sizes = new HashSet<>();
        m.values().forEach(p -> sizes.addAll(p.categories().getOrDefault("package_size", List.of())));
        assertTrue(sizes.stream().noneMatch(CatalogPresets.BARE_UNITS::contains), "bare units are left out");
        // 30,586 products have no package size; 52 more are a bare unit (OZ 2, LB 20, L 24, IN 3, ...).
        assertTrue(withSize > 61_600 && withSize < 61_745, "products with a package size: " + withSize);
        assertEquals(Set.of("National", "Private"), Set.copyOf(m.values().stream()
                .map(p -> p.categories().get("brand").get(0)).toList()));
        assertEquals(32, m.values().stream().map(p -> p.categories().get("department").get(0)).distinct().count());
        assertTrue(m.values().stream().allMatch(CatalogRecord::available));
    }

    @Test
    void jsonLinesAreParsedStrictly() throws IOException {
        Path file = dir.resolve("catalog.jsonl");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = String.join("\n",
                "{\"item_id\":\"sku-1\",\"categories\":{\"brand\":\"acme\"},\"numbers\":{\"price\":9.5}}",
                "{\"item_id\":\"sku-2\",\"available\":false}",
                "{\"item_id\":\"sku-3\",\"categories\":{\"brand\":\"\"}}",
                "not json",
                "",
                "{\"item_id\":42}  ", "").getBytes(StandardCharsets.UTF_8);
        byte[] latin1 = "{\"item_id\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[bom.length + body.length + latin1.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        System.arraycopy(latin1, 0, all, bom.length + body.length, latin1.length);
        Files.write(file, all);

        assertEquals(CatalogFormat.JSONL, CatalogFormat.detect(file).format());
        CatalogReading r = CatalogReading.of(file, CatalogFormat.JSONL, null);
        assertEquals(List.of(new CatalogRecord("sku-1", true, Map.of("brand", List.of("acme")), Map.of(),
                Map.of("price", 9.5), null), CatalogRecord.retired("sku-2"), CatalogRecord.of("42", Map.of())),
                r.plain());
        assertEquals(List.of(3L, 4L, 5L, 7L), r.badLines());
        assertEquals(List.of("invalid record (INVALID_ATTRIBUTE)", "invalid record (NOT_JSON)", "empty line",
                "invalid UTF-8"), r.bad.stream().map(b -> b.reason()).toList());
        assertEquals("field 'categories.brand': must not be empty", r.bad.get(0).detail());
    }
}
