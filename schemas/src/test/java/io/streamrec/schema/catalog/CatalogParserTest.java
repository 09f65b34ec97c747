package io.streamrec.schema.catalog;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.Rejection;
import io.streamrec.schema.Rejection.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CatalogParserTest {

    /** Parsing happens "now" = 2026-01-01T00:00:00Z, so the future-skew rule of updated_at is deterministic. */
    private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final CatalogParser PARSER = new CatalogParser(ParserOptions.defaults(), () -> NOW);
    private static final String CORPUS = "/malformed-catalog-records.tsv";

    /** One entry of the malformed corpus. */
    record Case(int line, String description, Code code, String field, byte[] key, byte[] value) {
        @Override
        public String toString() {
            return "line " + line + ": " + description;
        }
    }

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = CatalogParserTest.class.getResourceAsStream(CORPUS)) {
            assertNotNull(in, CORPUS + " must be on the test classpath");
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String l = lines[i];
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] c = l.split("\t", -1);
                if (c.length != 5) {
                    throw new IllegalStateException(CORPUS + " line " + (i + 1) + ": expected 5 TAB-separated columns,"
                            + " got " + c.length);
                }
                cases.add(new Case(i + 1, c[0], Code.valueOf(c[1]), c[2].equals("-") ? null : c[2], bytes(c[3]),
                        bytes(c[4])));
            }
        }
        return cases;
    }

    static Stream<Arguments> malformed() throws IOException {
        return corpus().stream().map(Arguments::of);
    }

    private static final Pattern REPEAT = Pattern.compile("\\{\\{(.+?)\\*(\\d+)}}");
    private static final Pattern RAW_BYTE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    /** Decodes a key or value column (see the corpus file's header). */
    static byte[] bytes(String spec) {
        if (spec.equals("-") || spec.equals("null")) {
            return null;
        }
        if (spec.startsWith("hex:")) {
            return HexFormat.of().parseHex(spec.substring(4));
        }
        int colon = spec.indexOf(':');
        String encoding = spec.substring(0, colon);
        String text = expand(spec.substring(colon + 1));
        switch (encoding) {
            case "utf8": return rawBytes(text);
            case "utf16": return text.getBytes(Charset.forName("x-UTF-16LE-BOM"));
            case "utf16le": return text.getBytes(StandardCharsets.UTF_16LE);
            case "utf16be": return text.getBytes(StandardCharsets.UTF_16BE);
            case "utf32": return text.getBytes(Charset.forName("UTF-32BE"));
            default: throw new IllegalArgumentException("unknown encoding " + encoding);
        }
    }

    private static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            StringBuilder rep = new StringBuilder();
            for (int i = 0; i < Integer.parseInt(m.group(2)); i++) {
                rep.append(m.group(1).replace("#", Integer.toString(i)));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(rep.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** UTF-8 of the text, with each {@code <0xHH>} as that raw byte. */
    private static byte[] rawBytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher m = RAW_BYTE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.writeBytes(text.substring(last, m.start()).getBytes(StandardCharsets.UTF_8));
            out.write(Integer.parseInt(m.group(1), 16));
            last = m.end();
        }
        out.writeBytes(text.substring(last).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformed")
    void rejectsMalformedRecordsWithTheRightReason(Case c) {
        CatalogParseResult result = assertDoesNotThrow(() -> PARSER.parse(c.key(), c.value()), c::toString);
        assertFalse(result.isValid(), () -> c + " should be rejected but parsed as " + result);
        Rejection r = result.rejection();
        assertEquals(c.code(), r.code(), () -> c + ": " + r);
        assertEquals(c.field(), r.field(), () -> c + ": " + r);
        if (c.field() != null) {
            assertTrue(r.reason().startsWith("field '" + c.field() + "': "), () -> "reason should name the field: "
                    + r.reason());
        }
        assertTrue(r.message().length() > 10 && r.message().length() < 300, () -> "a short sentence: " + r.message());
    }

    @Test
    void corpusHasManyDistinctWaysToBeWrongAndCoversEveryCatalogCode() throws IOException {
        List<Case> cases = corpus();
        Set<String> descriptions = new HashSet<>();
        Set<String> payloads = new HashSet<>();
        for (Case c : cases) {
            assertTrue(descriptions.add(c.description()), "duplicate description: " + c);
            String payload = (c.key() == null ? "-" : HexFormat.of().formatHex(c.key())) + "/"
                    + (c.value() == null ? "null" : HexFormat.of().formatHex(c.value()));
            assertTrue(payloads.add(payload), "duplicate key and value: " + c);
        }
        assertTrue(cases.size() >= 30, "at least 30 malformed records, got " + cases.size());
        Set<Code> codes = EnumSet.noneOf(Code.class);
        cases.forEach(c -> codes.add(c.code()));
        assertTrue(codes.containsAll(EnumSet.of(Code.INVALID_ENCODING, Code.MISSING_KEY, Code.KEY_MISMATCH,
                Code.INVALID_ATTRIBUTE, Code.PAYLOAD_TOO_LARGE, Code.EMPTY_PAYLOAD, Code.NOT_JSON, Code.NOT_AN_OBJECT,
                Code.MISSING_FIELD, Code.WRONG_FIELD_TYPE, Code.EMPTY_ID, Code.ID_TOO_LONG, Code.INVALID_ID,
                Code.BAD_TIMESTAMP, Code.IMPLAUSIBLE_TIMESTAMP)), "codes covered: " + codes);
    }

    @Test
    void corpusRecordsAreValidOnceTheFaultIsRemoved() {
        // The corpus would prove little if its records were broken in more than the way they claim: the same shapes
        // with the fault fixed parse.
        assertTrue(PARSER.parse("sku-1".getBytes(StandardCharsets.UTF_8),
                "{\"item_id\":\"sku-1\"}".getBytes(StandardCharsets.UTF_8)).isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"categories\":{"
                + attributes(32) + "}}").isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"text\":{\"description\":\"" + "y".repeat(4096) + "\"}}")
                .isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"" + "é".repeat(128) + "\"}").isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"categories\":{\"" + "n".repeat(64) + "\":\"x\"}}").isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"categories\":{\"brand\":\"" + "b".repeat(256) + "\"}}")
                .isValid());
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            tags.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"categories\":{\"tag\":[" + tags + "]}}").isValid());
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"updated_at\":\"2024-05-01T12:00:00Z\"}").isValid());
    }

    private static String attributes(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":\"v\"");
        }
        return b.toString();
    }

    @Test
    void tombstoneWithAKeyRetiresTheItem() {
        CatalogRecord r = PARSER.parse("sku-9".getBytes(StandardCharsets.UTF_8), null).record();
        assertEquals(CatalogRecord.retired("sku-9"), r);
        assertFalse(r.available());
        assertEquals(Code.MISSING_KEY, PARSER.parse((byte[]) null).rejection().code());
        assertEquals(Code.EMPTY_PAYLOAD, PARSER.parse("sku-9".getBytes(StandardCharsets.UTF_8), new byte[0])
                .rejection().code());
    }

    @Test
    void parsesAFullRecord() {
        String json = "{\"item_id\":\"sku-1001\",\"available\":true,"
                + "\"categories\":{\"category\":[\"shoes\",\"shoes.running\"],\"brand\":\"acme\",\"size\":42},"
                + "\"text\":{\"title\":\"Trail running shoe, waterproof\",\"note\":\"\"},"
                + "\"numbers\":{\"price\":89.9,\"weight_g\":310},"
                + "\"updated_at\":\"2024-05-01T14:00:00+02:00\",\"future_field\":{\"x\":[1,2]}}";
        CatalogRecord r = PARSER.parse("sku-1001".getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8)).record();
        assertEquals("sku-1001", r.itemId());
        assertTrue(r.available());
        assertEquals(Map.of("category", List.of("shoes", "shoes.running"), "brand", List.of("acme"),
                "size", List.of("42")), r.categories());
        assertEquals(List.of("brand", "category", "size"), new ArrayList<>(r.categories().keySet()));
        assertEquals(Map.of("title", "Trail running shoe, waterproof", "note", ""), r.text());
        assertEquals(Map.of("price", 89.9, "weight_g", 310.0), r.numbers());
        assertEquals(Instant.parse("2024-05-01T12:00:00Z").toEpochMilli(), r.updatedAt());
    }

    @Test
    void integerIdsAreReadAsDecimalStringsAndMustMatchTheKeyAsText() {
        CatalogRecord r = PARSER.parse("242".getBytes(StandardCharsets.UTF_8),
                "{\"item_id\":242}".getBytes(StandardCharsets.UTF_8)).record();
        assertEquals("242", r.itemId());
        assertEquals("12345678901234567890123",
                PARSER.parse("{\"item_id\":12345678901234567890123}").record().itemId());
    }

    @Test
    void availableFalseRetiresButKeepsTheAttributes() {
        CatalogRecord r = PARSER.parse("{\"item_id\":\"a\",\"available\":false,\"categories\":{\"b\":\"x\"}}").record();
        assertFalse(r.available());
        assertEquals(Map.of("b", List.of("x")), r.categories());
        assertEquals(CatalogRecord.retired("a"), PARSER.parse("{\"item_id\":\"a\",\"available\":false}").record());
    }

    @Test
    void updatedAtTakesTheEventTimestampFormatsAndRange() {
        long ms = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
        for (String ts : List.of("1714564800000", "1714564800", "\"1714564800\"", "\"2024-05-01T12:00:00Z\"",
                "1714564800.0")) {
            assertEquals(ms, PARSER.parse("{\"item_id\":\"a\",\"updated_at\":" + ts + "}").record().updatedAt(), ts);
        }
        String twoDaysAhead = Long.toString(NOW + Duration.ofDays(2).toMillis());
        assertEquals(Code.IMPLAUSIBLE_TIMESTAMP,
                PARSER.parse("{\"item_id\":\"a\",\"updated_at\":" + twoDaysAhead + "}").rejection().code());
        assertNull(PARSER.parse("{\"item_id\":\"a\"}").record().updatedAt());
    }

    @Test
    void unicodeIsFineWhereTheRulesAllowIt() {
        CatalogRecord r = PARSER.parse("{\"item_id\":\"café-☕-\\ud83d\\ude00\",\"categories\":{\"genre\":\"Children's\","
                + "\"origin\":\"日本\"},\"text\":{\"title\":\"Misérables, Les\\nline two\\t😀\"}}").record();
        assertEquals("café-☕-😀", r.itemId());
        assertEquals(List.of("日本"), r.categories().get("origin"));
        assertEquals("Misérables, Les\nline two\t😀", r.text().get("title"));
        // Text counts characters, not UTF-16 units: 4096 emoji (8192 chars in Java) are allowed.
        assertTrue(PARSER.parse("{\"item_id\":\"a\",\"text\":{\"t\":\"" + "😀".repeat(4096) + "\"}}").isValid());
    }

    @Test
    void payloadLimitIsConfigurableAndNamedInTheMessage() {
        String json = "{\"item_id\":\"a\",\"text\":{\"d\":\"" + "x".repeat(1000) + "\"}}";
        assertTrue(PARSER.parse(json).isValid());
        CatalogParser small = new CatalogParser(new ParserOptions(512, 256, ParserOptions.DEFAULT_EARLIEST_TIMESTAMP,
                ParserOptions.DEFAULT_MAX_FUTURE_SKEW), () -> NOW);
        Rejection r = small.parse(json).rejection();
        assertEquals(Code.PAYLOAD_TOO_LARGE, r.code());
        assertTrue(r.reason().contains("over the limit of 512"), r.reason());
        String exactly = "{\"item_id\":\"a\",\"p\":\"" + "x".repeat(65536 - 22) + "\"}";
        assertEquals(65536, exactly.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(PARSER.parse(exactly).isValid());
    }

    @Test
    void writerOutputParsesBackToTheSameRecord() {
        Map<String, List<String>> categories = new LinkedHashMap<>();
        categories.put("genre", List.of("Animation", "Children's", "Comedy"));
        categories.put("brand", List.of("acme \"quoted\""));
        categories.put("one", List.of("only"));
        List<CatalogRecord> records = List.of(
                new CatalogRecord("sku-1", true, categories, Map.of("title", "Toy Story", "empty", "",
                        "unicode", "Mis\u00e9rables 😀\n"),
                        Map.of("year", 1995.0, "price", 89.9, "neg", -0.0, "big", 1e300, "tiny", 4.9e-324,
                                "whole", 1e15, "minus", -12.0), 1714564800123L),
                CatalogRecord.retired("sku-0042"),
                new CatalogRecord("x", false, Map.of("b", List.of("y")), Map.of(), Map.of(), null),
                CatalogRecord.of("ü-1", Map.of()));
        for (CatalogRecord r : records) {
            byte[] json = CatalogJson.toBytes(r);
            CatalogParseResult back = PARSER.parse(r.itemId().getBytes(StandardCharsets.UTF_8), json);
            assertTrue(back.isValid(), () -> CatalogJson.toJson(r) + " -> " + back);
            assertEquals(r, back.record(), CatalogJson.toJson(r));
        }
        assertEquals("{\"item_id\":\"sku-0042\",\"available\":false}",
                CatalogJson.toJson(CatalogRecord.retired("sku-0042")));
        String written = CatalogJson.toJson(records.get(0));
        assertTrue(written.contains("\"year\":1995}"), written);
        assertTrue(written.contains("\"one\":\"only\""), written);
    }

    @Test
    void neverThrowsOnMutatedOrRandomBytes() {
        byte[] valid = ("{\"item_id\":\"sku-1\",\"categories\":{\"genre\":[\"a\",\"b\"],\"brand\":\"x\"},"
                + "\"text\":{\"title\":\"T\"},\"numbers\":{\"price\":1.5},\"updated_at\":1714564800000}")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(PARSER.parse(valid).isValid());
        Random random = new Random(42);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[random.nextInt(64)];
                random.nextBytes(b);
            } else {
                b = valid.clone();
                for (int m = 0; m <= random.nextInt(3); m++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            byte[] key = random.nextBoolean() ? null : "sku-1".getBytes(StandardCharsets.UTF_8);
            byte[] input = b;
            CatalogParseResult r = assertDoesNotThrow(() -> PARSER.parse(key, input), () -> HexFormat.of()
                    .formatHex(input));
            if (!r.isValid()) {
                rejected++;
                assertNotNull(r.rejection().reason());
            }
        }
        assertTrue(rejected > 10_000, "most mutations break the record: " + rejected);
    }
}
