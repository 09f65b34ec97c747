package io.streamrec.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    private static final ObjectMapper MAPPER = JsonValues.strictMapper();

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
            return reject(Rejection.Code.NOT_JSON, null, "not valid JSON: " + JsonValues.firstLine(e.getOriginalMessage()));
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

    /** The fields of an object, in the order of the contract; the first bad one rejects the event. */
    private ParseResult parseObject(JsonNode root) {
        InteractionEvent event = new InteractionEvent();
        Rejection r;
        if ((r = readIds(root, event)) != null
                || (r = readType(root, event)) != null
                || (r = readTime(root, event)) != null
                || (r = readValue(root, event)) != null
                || (r = readSession(root, event)) != null
                || (r = readProperties(root, event)) != null) {
            return ParseResult.rejected(r);
        }
        return ParseResult.valid(event);
    }

    /** user_id and item_id (both required); null when valid. */
    private Rejection readIds(JsonNode root, InteractionEvent event) {
        FieldResult<String> userId = readId(root, USER_ID);
        if (!userId.isValid()) {
            return userId.rejection();
        }
        event.userId = userId.value();
        FieldResult<String> itemId = readId(root, ITEM_ID);
        if (!itemId.isValid()) {
            return itemId.rejection();
        }
        event.itemId = itemId.value();
        return null;
    }

    /** type: required, one of the known wire names; null when valid. */
    private static Rejection readType(JsonNode root, InteractionEvent event) {
        JsonNode typeNode = root.get(TYPE);
        Rejection r = requirePresent(typeNode, TYPE);
        if (r != null) {
            return r;
        }
        if (!typeNode.isTextual()) {
            return new Rejection(Rejection.Code.WRONG_FIELD_TYPE, TYPE, "expected a string, got " + describe(typeNode));
        }
        EventType type = EventType.fromWireName(typeNode.textValue());
        if (type == null) {
            return new Rejection(Rejection.Code.UNKNOWN_TYPE, TYPE,
                    "unknown type '" + abbreviate(typeNode.textValue()) + "'; known types: " + EventType.KNOWN_NAMES);
        }
        event.type = type;
        return null;
    }

    /** timestamp: required, in the plausible range; null when valid. */
    private Rejection readTime(JsonNode root, InteractionEvent event) {
        JsonNode tsNode = root.get(TIMESTAMP);
        Rejection r = requirePresent(tsNode, TIMESTAMP);
        if (r != null) {
            return r;
        }
        FieldResult<Long> ts = readTimestamp(tsNode);
        if (!ts.isValid()) {
            return ts.rejection();
        }
        event.timestamp = ts.value();
        return null;
    }

    /** value: a finite number, required for ratings (the type is read before); null when valid. */
    private static Rejection readValue(JsonNode root, InteractionEvent event) {
        JsonNode valueNode = root.get(VALUE);
        if (valueNode != null && !valueNode.isNull()) {
            if (!valueNode.isNumber()) {
                return new Rejection(Rejection.Code.WRONG_FIELD_TYPE, VALUE,
                        "expected a number, got " + describe(valueNode));
            }
            double v = valueNode.doubleValue();
            if (!Double.isFinite(v)) {
                return new Rejection(Rejection.Code.INVALID_VALUE, VALUE, "must be a finite number, got " + valueNode);
            }
            event.value = v;
        } else if (event.type == EventType.RATING) {
            return new Rejection(Rejection.Code.MISSING_FIELD, VALUE, "required for type 'rating' (the rating itself)");
        }
        return null;
    }

    /** session_id: optional, an id; null when valid. */
    private Rejection readSession(JsonNode root, InteractionEvent event) {
        JsonNode sessionNode = root.get(SESSION_ID);
        if (sessionNode != null && !sessionNode.isNull()) {
            FieldResult<String> session = readId(root, SESSION_ID);
            if (!session.isValid()) {
                return session.rejection();
            }
            event.sessionId = session.value();
        }
        return null;
    }

    /** properties: optional, an object of string values; null when valid. */
    private static Rejection readProperties(JsonNode root, InteractionEvent event) {
        JsonNode propsNode = root.get(PROPERTIES);
        if (propsNode == null || propsNode.isNull()) {
            return null;
        }
        if (!propsNode.isObject()) {
            return new Rejection(Rejection.Code.WRONG_FIELD_TYPE, PROPERTIES,
                    "expected an object of string values, got " + describe(propsNode));
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = propsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                return new Rejection(Rejection.Code.WRONG_FIELD_TYPE, PROPERTIES + "." + e.getKey(),
                        "property values must be strings, got " + describe(e.getValue()));
            }
            props.put(e.getKey(), e.getValue().textValue());
        }
        event.properties = props;
        return null;
    }

    private FieldResult<String> readId(JsonNode root, String name) {
        return IdRules.read(root, name, options.maxIdBytes());
    }

    private FieldResult<Long> readTimestamp(JsonNode node) {
        return TimestampRules.read(node, TIMESTAMP, options.earliestTimestampMs(),
                clockMs.getAsLong() + options.maxFutureSkewMs(), options.maxFutureSkewMs());
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

    private static String describe(JsonNode node) {
        return JsonValues.describe(node);
    }

    private static String abbreviate(String s) {
        return JsonValues.abbreviate(s);
    }

    private static ParseResult reject(Rejection.Code code, String field, String message) {
        return ParseResult.rejected(new Rejection(code, field, message));
    }
}
