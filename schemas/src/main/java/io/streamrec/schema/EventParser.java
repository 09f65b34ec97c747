package io.streamrec.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Strict parser for the interaction event JSON (see {@code interaction-event.schema.json}): bytes in, either an
 * {@link InteractionEvent} or a {@link Rejection} out. It never throws on bad input: every way a record can be
 * wrong maps to a rejection whose reason names the field and the problem.
 *
 * <p>Rules beyond the JSON Schema: duplicate keys and trailing content are errors; ids may be strings or JSON
 * integers (normalized to their decimal string) and must not contain control characters or unpaired surrogates;
 * {@code timestamp} is epoch milliseconds, epoch seconds (any number below 10^11, fractions allowed) or an ISO-8601
 * date-time with a zone offset, and must lie in the configured plausible range; {@code rating} events need a
 * {@code value}. Unknown top-level fields are ignored so producers can add fields first.
 *
 * <p>Thread-safe: the only state is an immutable {@link ObjectMapper} configuration and the options.
 */
public final class EventParser {

    public static final String USER_ID = "user_id";
    public static final String ITEM_ID = "item_id";
    public static final String TYPE = "type";
    public static final String TIMESTAMP = "timestamp";
    public static final String VALUE = "value";
    public static final String SESSION_ID = "session_id";
    public static final String PROPERTIES = "properties";

    /** Below this an epoch number is read as seconds (10^11 s is the year 5138; 10^11 ms is 1973). */
    private static final double SECONDS_THRESHOLD = 1e11;

    private static final ObjectMapper MAPPER = newMapper();

    private final ParserOptions options;
    private final LongSupplier clockMs;

    public EventParser(ParserOptions options) {
        this(options, System::currentTimeMillis);
    }

    /** With an explicit clock, for tests of the "too far in the future" rule. */
    public EventParser(ParserOptions options, LongSupplier clockMs) {
        this.options = options;
        this.clockMs = clockMs;
    }

    private static ObjectMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }

    public ParserOptions options() {
        return options;
    }

    /**
     * Parses one record value. A null value (a Kafka tombstone) or an empty one is a rejection, not an exception,
     * and each has its own code.
     */
    public ParseResult parse(byte[] payload) {
        if (payload == null) {
            return reject(Rejection.Code.NULL_PAYLOAD, null, "null record value (a tombstone): expected a JSON object");
        }
        if (payload.length == 0) {
            return reject(Rejection.Code.EMPTY_PAYLOAD, null, "empty payload: expected a JSON object");
        }
        if (payload.length > options.maxPayloadBytes()) {
            return reject(Rejection.Code.PAYLOAD_TOO_LARGE, null,
                    "payload is " + payload.length + " bytes, over the limit of " + options.maxPayloadBytes());
        }
        String notUtf8 = notUtf8(payload);
        if (notUtf8 != null) {
            return reject(Rejection.Code.NOT_UTF8, null, notUtf8);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (JsonProcessingException e) {
            return reject(Rejection.Code.NOT_JSON, null, "not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            // readTree(byte[]) does no real I/O; anything else here is a bug, not bad input.
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode()) {
            return reject(Rejection.Code.EMPTY_PAYLOAD, null, "empty payload: expected a JSON object");
        }
        if (!root.isObject()) {
            return reject(Rejection.Code.NOT_AN_OBJECT, null,
                    "expected a JSON object, got " + describe(root));
        }
        return parseObject(root);
    }

    /**
     * Null when the payload may be UTF-8, else why it is not. Jackson would auto-detect UTF-16 and UTF-32 (from a
     * byte-order mark or from the zero bytes around the first ASCII characters) and skip a UTF-8 byte-order mark;
     * the contract says UTF-8 without a BOM, so those are refused here, before Jackson sees them. A JSON text starts
     * with an ASCII character, so in UTF-16 or UTF-32 one of its first four bytes is zero; raw zero bytes are never
     * valid in UTF-8 JSON. Invalid UTF-8 further on is left to Jackson (NOT_JSON).
     */
    private static String notUtf8(byte[] p) {
        int b0 = p[0] & 0xFF;
        int b1 = p.length > 1 ? p[1] & 0xFF : -1;
        int b2 = p.length > 2 ? p[2] & 0xFF : -1;
        if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) {
            return "starts with a UTF-8 byte-order mark (EF BB BF): send UTF-8 without a BOM";
        }
        if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
            return "starts with a UTF-16/UTF-32 byte-order mark (" + String.format("%02X %02X", b0, b1)
                    + "): events must be UTF-8";
        }
        for (int i = 0; i < Math.min(4, p.length); i++) {
            if (p[i] == 0) {
                return "zero byte at offset " + i + ": looks like UTF-16 or UTF-32; events must be UTF-8";
            }
        }
        return null;
    }

    /** Convenience for tests and tools: parses a JSON string given as text. */
    public ParseResult parse(String json) {
        return parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private ParseResult parseObject(JsonNode root) {
        InteractionEvent event = new InteractionEvent();
        Rejection r;

        Field<String> userId = readId(root, USER_ID);
        if (userId.rejection != null) {
            return ParseResult.rejected(userId.rejection);
        }
        event.userId = userId.value;

        Field<String> itemId = readId(root, ITEM_ID);
        if (itemId.rejection != null) {
            return ParseResult.rejected(itemId.rejection);
        }
        event.itemId = itemId.value;

        JsonNode typeNode = root.get(TYPE);
        if ((r = requirePresent(typeNode, TYPE)) != null) {
            return ParseResult.rejected(r);
        }
        if (!typeNode.isTextual()) {
            return reject(Rejection.Code.WRONG_FIELD_TYPE, TYPE, "expected a string, got " + describe(typeNode));
        }
        EventType type = EventType.fromWireName(typeNode.textValue());
        if (type == null) {
            return reject(Rejection.Code.UNKNOWN_TYPE, TYPE,
                    "unknown type '" + abbreviate(typeNode.textValue()) + "'; known types: " + EventType.KNOWN_NAMES);
        }
        event.type = type;

        JsonNode tsNode = root.get(TIMESTAMP);
        if ((r = requirePresent(tsNode, TIMESTAMP)) != null) {
            return ParseResult.rejected(r);
        }
        Field<Long> ts = readTimestamp(tsNode);
        if (ts.rejection != null) {
            return ParseResult.rejected(ts.rejection);
        }
        event.timestamp = ts.value;

        JsonNode valueNode = root.get(VALUE);
        if (valueNode != null && !valueNode.isNull()) {
            if (!valueNode.isNumber()) {
                return reject(Rejection.Code.WRONG_FIELD_TYPE, VALUE, "expected a number, got " + describe(valueNode));
            }
            double v = valueNode.doubleValue();
            if (!Double.isFinite(v)) {
                return reject(Rejection.Code.INVALID_VALUE, VALUE, "must be a finite number, got " + valueNode);
            }
            event.value = v;
        } else if (type == EventType.RATING) {
            return reject(Rejection.Code.MISSING_FIELD, VALUE, "required for type 'rating' (the rating itself)");
        }

        JsonNode sessionNode = root.get(SESSION_ID);
        if (sessionNode != null && !sessionNode.isNull()) {
            Field<String> session = readId(root, SESSION_ID);
            if (session.rejection != null) {
                return ParseResult.rejected(session.rejection);
            }
            event.sessionId = session.value;
        }

        JsonNode propsNode = root.get(PROPERTIES);
        if (propsNode != null && !propsNode.isNull()) {
            if (!propsNode.isObject()) {
                return reject(Rejection.Code.WRONG_FIELD_TYPE, PROPERTIES,
                        "expected an object of string values, got " + describe(propsNode));
            }
            Map<String, String> props = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = propsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    return reject(Rejection.Code.WRONG_FIELD_TYPE, PROPERTIES + "." + e.getKey(),
                            "property values must be strings, got " + describe(e.getValue()));
                }
                props.put(e.getKey(), e.getValue().textValue());
            }
            event.properties = props;
        }
        return ParseResult.valid(event);
    }

    private Field<String> readId(JsonNode root, String name) {
        JsonNode node = root.get(name);
        Rejection missing = requirePresent(node, name);
        if (missing != null) {
            return Field.rejected(missing);
        }
        String id;
        if (node.isTextual()) {
            id = node.textValue();
        } else if (node.isIntegralNumber()) {
            id = node.bigIntegerValue().toString();
        } else {
            return Field.rejected(new Rejection(Rejection.Code.WRONG_FIELD_TYPE, name,
                    "expected a string (or an integer), got " + describe(node)));
        }
        if (id.isBlank()) {
            return Field.rejected(new Rejection(Rejection.Code.EMPTY_ID, name,
                    id.isEmpty() ? "must not be empty" : "must not be blank"));
        }
        int bytes = utf8Length(id);
        if (bytes > options.maxIdBytes()) {
            return Field.rejected(new Rejection(Rejection.Code.ID_TOO_LONG, name,
                    "is " + bytes + " UTF-8 bytes, over the limit of " + options.maxIdBytes()));
        }
        String bad = invalidCharacter(id);
        if (bad != null) {
            return Field.rejected(new Rejection(Rejection.Code.INVALID_ID, name, bad));
        }
        return Field.of(id);
    }

    private Field<Long> readTimestamp(JsonNode node) {
        long ms;
        if (node.isNumber()) {
            if (node.isIntegralNumber() && !node.canConvertToLong()) {
                return badTimestamp("integer " + abbreviate(node.asText()) + " is out of range");
            }
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                return badTimestamp("must be a finite number");
            }
            ms = node.isIntegralNumber() ? epochToMillis(node.longValue()) : epochToMillis(d);
        } else if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.isEmpty()) {
                return badTimestamp("must not be empty");
            }
            if (isDecimalNumber(text)) {
                try {
                    ms = epochToMillis(Double.parseDouble(text));
                } catch (NumberFormatException e) {
                    return badTimestamp("'" + abbreviate(text) + "' is not a number");
                }
            } else {
                Field<Long> iso = parseIso(text);
                if (iso.rejection != null) {
                    return iso;
                }
                ms = iso.value;
            }
        } else {
            return Field.rejected(new Rejection(Rejection.Code.WRONG_FIELD_TYPE, TIMESTAMP,
                    "expected epoch milliseconds, epoch seconds or an ISO-8601 string, got " + describe(node)));
        }
        if (ms < options.earliestTimestampMs()) {
            return Field.rejected(new Rejection(Rejection.Code.IMPLAUSIBLE_TIMESTAMP, TIMESTAMP,
                    "is " + formatMs(ms) + ", before the earliest accepted "
                            + Instant.ofEpochMilli(options.earliestTimestampMs())));
        }
        long latest = clockMs.getAsLong() + options.maxFutureSkewMs();
        if (ms > latest) {
            return Field.rejected(new Rejection(Rejection.Code.IMPLAUSIBLE_TIMESTAMP, TIMESTAMP,
                    "is " + formatMs(ms) + ", more than " + options.maxFutureSkewMs()
                            + " ms in the future (epoch microseconds or nanoseconds are not accepted)"));
        }
        return Field.of(ms);
    }

    private static long epochToMillis(long v) {
        return Math.abs(v) < SECONDS_THRESHOLD ? v * 1000L : v;
    }

    private static long epochToMillis(double v) {
        double ms = Math.abs(v) < SECONDS_THRESHOLD ? v * 1000.0 : v;
        // Clamp so that absurd values stay absurd (and get rejected by the range check) instead of overflowing.
        if (ms >= Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (ms <= Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return (long) Math.floor(ms);
    }

    private static Field<Long> parseIso(String text) {
        TemporalAccessor parsed;
        try {
            parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from, LocalDateTime::from);
        } catch (DateTimeException e) {
            return badTimestamp("'" + abbreviate(text)
                    + "' is neither epoch milliseconds, epoch seconds nor an ISO-8601 date-time such as "
                    + "2024-05-01T12:00:00Z");
        }
        if (parsed instanceof LocalDateTime) {
            return badTimestamp("'" + abbreviate(text) + "' has no zone offset; add 'Z' for UTC or e.g. '+02:00'");
        }
        return Field.of(((ZonedDateTime) parsed).toInstant().toEpochMilli());
    }

    private static Field<Long> badTimestamp(String message) {
        return Field.rejected(new Rejection(Rejection.Code.BAD_TIMESTAMP, TIMESTAMP, message));
    }

    private static boolean isDecimalNumber(String s) {
        int i = s.charAt(0) == '-' ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        boolean digit = false;
        boolean dot = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    private static Rejection requirePresent(JsonNode node, String name) {
        if (node == null) {
            return new Rejection(Rejection.Code.MISSING_FIELD, name, "missing (required)");
        }
        if (node.isNull()) {
            return new Rejection(Rejection.Code.MISSING_FIELD, name, "is null (required)");
        }
        return null;
    }

    /** Null when every character is acceptable in an id, else a message naming the first bad one. */
    private static String invalidCharacter(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired surrogate at index " + i;
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired surrogate at index " + i;
            }
            if (Character.isISOControl(c)) {
                return String.format("contains control character U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }

    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String describe(JsonNode node) {
        switch (node.getNodeType()) {
            case ARRAY: return "an array";
            case OBJECT: return "an object";
            case BOOLEAN: return "a boolean (" + node.asText() + ")";
            case NUMBER: return "a number (" + abbreviate(node.asText()) + ")";
            case STRING: return "a string ('" + abbreviate(node.textValue()) + "')";
            case NULL: return "null";
            default: return node.getNodeType().name().toLowerCase();
        }
    }

    private static String formatMs(long ms) {
        try {
            return Instant.ofEpochMilli(ms).toString();
        } catch (DateTimeException e) {
            return ms + " ms";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable input";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    private static ParseResult reject(Rejection.Code code, String field, String message) {
        return ParseResult.rejected(new Rejection(code, field, message));
    }

    /** A parsed field value or the rejection explaining why it could not be parsed. */
    private static final class Field<T> {
        final T value;
        final Rejection rejection;

        private Field(T value, Rejection rejection) {
            this.value = value;
            this.rejection = rejection;
        }

        static <T> Field<T> of(T value) {
            return new Field<>(value, null);
        }

        static <T> Field<T> rejected(Rejection rejection) {
            return new Field<>(null, rejection);
        }
    }
}
