package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.Rejection.Code;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {

    /** Parsing happens "now" = 2026-01-01T00:00:00Z, so the future-skew rule is deterministic. */
    private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final EventParser PARSER = new EventParser(ParserOptions.defaults(), () -> NOW);

    private static final String TS = "1714564800000"; // 2024-05-01T12:00:00Z

    private static String event(String userId, String itemId, String type, String ts) {
        return "{\"user_id\":" + userId + ",\"item_id\":" + itemId + ",\"type\":" + type + ",\"timestamp\":" + ts + "}";
    }

    private static String withExtra(String extra) {
        return "{\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"click\",\"timestamp\":" + TS + "," + extra + "}";
    }

    static Stream<Arguments> malformed() {
        String longId = "\"" + "x".repeat(257) + "\"";
        String longUnicodeId = "\"" + "é".repeat(129) + "\""; // 258 UTF-8 bytes in 129 chars
        List<Arguments> cases = new ArrayList<>(List.of(
                // the record as a whole
                Arguments.of("empty string", "", Code.EMPTY_PAYLOAD, null),
                Arguments.of("only whitespace", "   \n", Code.EMPTY_PAYLOAD, null),
                Arguments.of("plain text", "hello", Code.NOT_JSON, null),
                Arguments.of("truncated object", "{\"user_id\":\"u1\",", Code.NOT_JSON, null),
                Arguments.of("single quotes", "{'user_id':'u1'}", Code.NOT_JSON, null),
                Arguments.of("trailing comma", withExtra("\"value\":1,").replace(",}", ",}"), Code.NOT_JSON, null),
                Arguments.of("two objects", event("\"u\"", "\"i\"", "\"click\"", TS) + "{}", Code.NOT_JSON, null),
                Arguments.of("duplicate key", "{\"user_id\":\"a\",\"user_id\":\"b\",\"item_id\":\"i\",\"type\":\"click\","
                        + "\"timestamp\":" + TS + "}", Code.NOT_JSON, null),
                Arguments.of("NaN literal", withExtra("\"value\":NaN"), Code.NOT_JSON, null),
                Arguments.of("JSON array", "[1,2,3]", Code.NOT_AN_OBJECT, null),
                Arguments.of("JSON string", "\"click\"", Code.NOT_AN_OBJECT, null),
                Arguments.of("JSON number", "42", Code.NOT_AN_OBJECT, null),
                Arguments.of("JSON null", "null", Code.NOT_AN_OBJECT, null),
                Arguments.of("JSON true", "true", Code.NOT_AN_OBJECT, null),
                // missing / null required fields
                Arguments.of("empty object", "{}", Code.MISSING_FIELD, "user_id"),
                Arguments.of("no item_id", "{\"user_id\":\"u\",\"type\":\"click\",\"timestamp\":" + TS + "}",
                        Code.MISSING_FIELD, "item_id"),
                Arguments.of("no type", "{\"user_id\":\"u\",\"item_id\":\"i\",\"timestamp\":" + TS + "}",
                        Code.MISSING_FIELD, "type"),
                Arguments.of("no timestamp", "{\"user_id\":\"u\",\"item_id\":\"i\",\"type\":\"click\"}",
                        Code.MISSING_FIELD, "timestamp"),
                Arguments.of("null user_id", event("null", "\"i\"", "\"click\"", TS), Code.MISSING_FIELD, "user_id"),
                Arguments.of("null type", event("\"u\"", "\"i\"", "null", TS), Code.MISSING_FIELD, "type"),
                Arguments.of("null timestamp", event("\"u\"", "\"i\"", "\"click\"", "null"), Code.MISSING_FIELD,
                        "timestamp"),
                Arguments.of("rating without value", event("\"u\"", "\"i\"", "\"rating\"", TS), Code.MISSING_FIELD,
                        "value"),
                // ids
                Arguments.of("empty user_id", event("\"\"", "\"i\"", "\"click\"", TS), Code.EMPTY_ID, "user_id"),
                Arguments.of("blank item_id", event("\"u\"", "\"  \"", "\"click\"", TS), Code.EMPTY_ID, "item_id"),
                Arguments.of("user_id over 256 bytes", event(longId, "\"i\"", "\"click\"", TS), Code.ID_TOO_LONG,
                        "user_id"),
                Arguments.of("item_id over 256 UTF-8 bytes", event("\"u\"", longUnicodeId, "\"click\"", TS),
                        Code.ID_TOO_LONG, "item_id"),
                Arguments.of("control char in id", event("\"u\\u0001x\"", "\"i\"", "\"click\"", TS), Code.INVALID_ID,
                        "user_id"),
                Arguments.of("newline in id", event("\"u\"", "\"i\\n\"", "\"click\"", TS), Code.INVALID_ID, "item_id"),
                Arguments.of("unpaired surrogate in id", event("\"u\\ud800\"", "\"i\"", "\"click\"", TS),
                        Code.INVALID_ID, "user_id"),
                Arguments.of("user_id is an object", event("{\"id\":1}", "\"i\"", "\"click\"", TS),
                        Code.WRONG_FIELD_TYPE, "user_id"),
                Arguments.of("item_id is an array", event("\"u\"", "[1]", "\"click\"", TS), Code.WRONG_FIELD_TYPE,
                        "item_id"),
                Arguments.of("item_id is a float", event("\"u\"", "1.5", "\"click\"", TS), Code.WRONG_FIELD_TYPE,
                        "item_id"),
                Arguments.of("user_id is a boolean", event("true", "\"i\"", "\"click\"", TS), Code.WRONG_FIELD_TYPE,
                        "user_id"),
                Arguments.of("session_id is an object", withExtra("\"session_id\":{}"), Code.WRONG_FIELD_TYPE,
                        "session_id"),
                Arguments.of("session_id empty", withExtra("\"session_id\":\"\""), Code.EMPTY_ID, "session_id"),
                // type
                Arguments.of("unknown type", event("\"u\"", "\"i\"", "\"like\"", TS), Code.UNKNOWN_TYPE, "type"),
                Arguments.of("empty type", event("\"u\"", "\"i\"", "\"\"", TS), Code.UNKNOWN_TYPE, "type"),
                Arguments.of("type is a number", event("\"u\"", "\"i\"", "1", TS), Code.WRONG_FIELD_TYPE, "type"),
                Arguments.of("type plural (OTTO style)", event("\"u\"", "\"i\"", "\"clicks\"", TS), Code.UNKNOWN_TYPE,
                        "type"),
                // timestamp
                Arguments.of("timestamp is a boolean", event("\"u\"", "\"i\"", "\"click\"", "false"),
                        Code.WRONG_FIELD_TYPE, "timestamp"),
                Arguments.of("timestamp is an object", event("\"u\"", "\"i\"", "\"click\"", "{}"),
                        Code.WRONG_FIELD_TYPE, "timestamp"),
                Arguments.of("timestamp garbage text", event("\"u\"", "\"i\"", "\"click\"", "\"yesterday\""),
                        Code.BAD_TIMESTAMP, "timestamp"),
                Arguments.of("timestamp empty text", event("\"u\"", "\"i\"", "\"click\"", "\"\""), Code.BAD_TIMESTAMP,
                        "timestamp"),
                Arguments.of("ISO without zone", event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01T12:00:00\""),
                        Code.BAD_TIMESTAMP, "timestamp"),
                Arguments.of("ISO invalid date", event("\"u\"", "\"i\"", "\"click\"", "\"2024-02-30T12:00:00Z\""),
                        Code.BAD_TIMESTAMP, "timestamp"),
                Arguments.of("date only", event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01\""), Code.BAD_TIMESTAMP,
                        "timestamp"),
                Arguments.of("integer beyond long", event("\"u\"", "\"i\"", "\"click\"", "123456789012345678901234"),
                        Code.BAD_TIMESTAMP, "timestamp"),
                Arguments.of("timestamp 0", event("\"u\"", "\"i\"", "\"click\"", "0"), Code.IMPLAUSIBLE_TIMESTAMP,
                        "timestamp"),
                Arguments.of("negative timestamp", event("\"u\"", "\"i\"", "\"click\"", "-1714564800000"),
                        Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                Arguments.of("1999 in seconds", event("\"u\"", "\"i\"", "\"click\"", "915148800"),
                        Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                Arguments.of("1999 ISO", event("\"u\"", "\"i\"", "\"click\"", "\"1999-12-31T23:59:59Z\""),
                        Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                Arguments.of("two days in the future", event("\"u\"", "\"i\"", "\"click\"",
                        Long.toString(NOW + Duration.ofDays(2).toMillis())), Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                Arguments.of("epoch microseconds", event("\"u\"", "\"i\"", "\"click\"", TS + "000"),
                        Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                Arguments.of("year 3000 ISO", event("\"u\"", "\"i\"", "\"click\"", "\"3000-01-01T00:00:00Z\""),
                        Code.IMPLAUSIBLE_TIMESTAMP, "timestamp"),
                // optional fields
                Arguments.of("value is a string", withExtra("\"value\":\"5\""), Code.WRONG_FIELD_TYPE, "value"),
                Arguments.of("value is an array", withExtra("\"value\":[5]"), Code.WRONG_FIELD_TYPE, "value"),
                Arguments.of("value overflows double", withExtra("\"value\":1e400"), Code.INVALID_VALUE, "value"),
                Arguments.of("properties is an array", withExtra("\"properties\":[\"a\"]"), Code.WRONG_FIELD_TYPE,
                        "properties"),
                Arguments.of("property value is a number", withExtra("\"properties\":{\"price\":9.99}"),
                        Code.WRONG_FIELD_TYPE, "properties.price"),
                Arguments.of("property value is nested", withExtra("\"properties\":{\"a\":{\"b\":\"c\"}}"),
                        Code.WRONG_FIELD_TYPE, "properties.a")));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformed")
    void rejectsMalformedInputWithTheRightReason(String name, String json, Code code, String field) {
        ParseResult result = PARSER.parse(json);
        assertFalse(result.isValid(), () -> name + " should be rejected but parsed as " + result);
        Rejection r = result.rejection();
        assertEquals(code, r.code(), () -> name + ": " + r);
        assertEquals(field, r.field(), () -> name + ": " + r);
        if (field != null) {
            assertTrue(r.reason().contains("'" + field + "'"), () -> "reason should name the field: " + r.reason());
        }
    }

    @Test
    void corpusIsLargeEnough() {
        assertTrue(malformed().count() >= 40, "the issue asks for at least 40 malformed inputs");
    }

    @Test
    void rejectsNullAndOversizedPayloads() {
        assertEquals(Code.NULL_PAYLOAD, PARSER.parse((byte[]) null).rejection().code());
        assertEquals(Code.EMPTY_PAYLOAD, PARSER.parse(new byte[0]).rejection().code());
        String padded = withExtra("\"properties\":{\"pad\":\"" + "x".repeat(64 * 1024) + "\"}");
        Rejection r = PARSER.parse(padded).rejection();
        assertEquals(Code.PAYLOAD_TOO_LARGE, r.code());
        assertTrue(r.reason().contains("65536"), r.reason());
    }

    /** Jackson alone would auto-detect these encodings and accept the event; the contract says UTF-8, no BOM. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8Encodings")
    void rejectsEverythingButUtf8WithoutBom(String name, byte[] bytes) {
        Rejection r = PARSER.parse(bytes).rejection();
        assertTrue(r != null, name + " was accepted");
        assertEquals(Code.NOT_UTF8, r.code(), r.reason());
        assertNull(r.field());
    }

    static Stream<Arguments> notUtf8Encodings() {
        String json = withExtra("\"session_id\":\"s\"");
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("UTF-16 with BOM", json.getBytes(StandardCharsets.UTF_16)),
                Arguments.of("UTF-16BE without BOM", json.getBytes(StandardCharsets.UTF_16BE)),
                Arguments.of("UTF-16LE without BOM", json.getBytes(StandardCharsets.UTF_16LE)),
                Arguments.of("UTF-16LE with BOM", concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                        json.getBytes(StandardCharsets.UTF_16LE))),
                Arguments.of("UTF-32BE without BOM", json.getBytes(java.nio.charset.Charset.forName("UTF-32BE"))),
                Arguments.of("UTF-8 with BOM", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theSameEventInUtf8IsValid() {
        assertTrue(PARSER.parse(withExtra("\"session_id\":\"s\"").getBytes(StandardCharsets.UTF_8)).isValid());
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bytes = withExtra("\"session_id\":\"s\"").getBytes(StandardCharsets.UTF_8);
        byte[] broken = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, broken, 0, 10);
        broken[10] = (byte) 0xC3; // start of a 2-byte sequence ...
        broken[11] = (byte) 0x28; // ... followed by an invalid continuation byte
        System.arraycopy(bytes, 10, broken, 12, bytes.length - 10);
        assertEquals(Code.NOT_JSON, PARSER.parse(broken).rejection().code());
    }

    @Test
    void unknownTypeMessageListsTheKnownTypes() {
        String reason = PARSER.parse(event("\"u\"", "\"i\"", "\"like\"", TS)).rejection().reason();
        for (EventType t : EventType.values()) {
            assertTrue(reason.contains(t.wireName()), reason);
        }
    }

    @Test
    void acceptsEpochMillis() {
        InteractionEvent e = PARSER.parse(event("\"u1\"", "\"i1\"", "\"click\"", TS)).event();
        assertEquals(new InteractionEvent("u1", "i1", EventType.CLICK, 1714564800000L), e);
    }

    @Test
    void acceptsEpochSecondsWithAndWithoutFraction() {
        assertEquals(1714564800000L, PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "1714564800")).event().timestamp);
        assertEquals(1714564800250L,
                PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "1714564800.25")).event().timestamp);
        assertEquals(1714564800000L,
                PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "\"1714564800\"")).event().timestamp);
    }

    @Test
    void acceptsIso8601WithOffsetOrZone() {
        assertEquals(1714564800000L,
                PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01T12:00:00Z\"")).event().timestamp);
        assertEquals(1714564800000L,
                PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01T14:00:00+02:00\"")).event().timestamp);
        assertEquals(1714564800123L,
                PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01T12:00:00.123Z\"")).event().timestamp);
        assertEquals(1714564800000L, PARSER.parse(
                event("\"u\"", "\"i\"", "\"click\"", "\"2024-05-01T14:00:00+02:00[Europe/Paris]\"")).event().timestamp);
    }

    @Test
    void acceptsTimestampsAtTheEdgesOfTheRange() {
        assertTrue(PARSER.parse(event("\"u\"", "\"i\"", "\"click\"", "\"2000-01-01T00:00:00Z\"")).isValid());
        assertTrue(PARSER.parse(event("\"u\"", "\"i\"", "\"click\"",
                Long.toString(NOW + Duration.ofHours(23).toMillis()))).isValid());
    }

    @Test
    void timestampRangeIsConfigurable() {
        EventParser lenient = new EventParser(
                ParserOptions.defaults().withTimestampRange(Instant.parse("1990-01-01T00:00:00Z"), Duration.ofDays(3650)),
                () -> NOW);
        assertTrue(lenient.parse(event("\"u\"", "\"i\"", "\"click\"", "915148800")).isValid());
        assertTrue(lenient.parse(event("\"u\"", "\"i\"", "\"click\"",
                Long.toString(NOW + Duration.ofDays(30).toMillis()))).isValid());
    }

    @Test
    void acceptsAllOptionalFields() {
        InteractionEvent e = PARSER.parse("{\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"purchase\","
                + "\"timestamp\":" + TS + ",\"value\":19.99,\"session_id\":\"s-9\","
                + "\"properties\":{\"page\":\"cart\",\"campaign\":\"\"},\"unknown_field\":[1,2]}").event();
        assertEquals(EventType.PURCHASE, e.type);
        assertEquals(19.99, e.value);
        assertEquals("s-9", e.sessionId);
        assertEquals(Map.of("page", "cart", "campaign", ""), e.properties);
    }

    @Test
    void optionalFieldsMayBeNullOrAbsent() {
        InteractionEvent e = PARSER.parse(withExtra("\"value\":null,\"session_id\":null,\"properties\":null")).event();
        assertNull(e.value);
        assertNull(e.sessionId);
        assertNull(e.properties);
    }

    @Test
    void acceptsEveryTypeCaseInsensitively() {
        for (EventType t : EventType.values()) {
            String json = withExtra("\"value\":4").replace("\"click\"", "\"" + t.wireName().toUpperCase() + "\"");
            assertEquals(t, PARSER.parse(json).event().type, json);
        }
    }

    @Test
    void acceptsRatingWithValue() {
        InteractionEvent e = PARSER.parse("{\"user_id\":196,\"item_id\":242,\"type\":\"rating\","
                + "\"timestamp\":1714564800,\"value\":3}").event();
        assertEquals("196", e.userId);
        assertEquals("242", e.itemId);
        assertEquals(3.0, e.value);
    }

    @Test
    void acceptsUnicodeIds() {
        InteractionEvent e = PARSER.parse(event("\"用户-42\"", "\"café-☕-\\ud83d\\ude00\"", "\"click\"", TS)).event();
        assertEquals("用户-42", e.userId);
        assertEquals("café-☕-😀", e.itemId);
        String exactly256 = "é".repeat(128);
        assertTrue(PARSER.parse(event("\"" + exactly256 + "\"", "\"i\"", "\"click\"", TS)).isValid());
    }

    @Test
    void writerOutputParsesBackToTheSameEvent() {
        InteractionEvent e = new InteractionEvent("ü-1", "i \"quoted\"", EventType.ADD_TO_CART, 1714564800123L)
                .withValue(2.5).withSessionId("s").withProperties(Map.of("k", "v"));
        assertEquals(e, PARSER.parse(EventJson.toBytes(e)).event());
    }
}
