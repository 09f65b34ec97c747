package io.streamrec.schema.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.FieldResult;
import io.streamrec.schema.IdRules;
import io.streamrec.schema.JsonValues;
import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.Rejection;
import io.streamrec.schema.Rejection.Code;
import io.streamrec.schema.TimestampRules;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Strict parser for the records of the {@code catalog} topic (see {@code catalog-record.schema.json}): a record key
 * and value in, either a {@link CatalogRecord} or a {@link Rejection} out. It never throws on bad input: every way a
 * record can be wrong maps to a rejection whose reason names the field and the problem.
 *
 * <p>Rules, besides the JSON Schema's:
 * <ul>
 *   <li>A null value (a Kafka tombstone) with a valid key is {@link CatalogRecord#retired(String)} of the key; without
 *       a key it is {@code MISSING_KEY}. An empty value (zero bytes) is not a tombstone: {@code EMPTY_PAYLOAD}.
 *   <li>The value is at most {@link ParserOptions#maxPayloadBytes()} bytes (64 KiB by default) of UTF-8 without a
 *       byte order mark ({@code INVALID_ENCODING} otherwise: UTF-16 or UTF-32 JSON, Latin-1 bytes, a BOM); one JSON
 *       object, no duplicate keys, nothing after it ({@code NOT_JSON}).
 *   <li>{@code item_id} follows the event ids' rules ({@link IdRules}, at most {@link ParserOptions#maxIdBytes()}
 *       bytes) and equals the record key when there is one ({@code KEY_MISMATCH}).
 *   <li>Attribute names are 1-64 characters of {@code [A-Za-z0-9_-]}; at most {@value #MAX_ATTRIBUTES} attributes per
 *       group; a categorical value is a string or an integer (read as its decimal string) of 1-{@value
 *       #MAX_VALUE_BYTES} UTF-8 bytes without control characters (the id rules), or a non-empty list of at most
 *       {@value #MAX_VALUES} of them; a text is at most {@value #MAX_TEXT_CHARS} characters (code points) without
 *       unpaired surrogates; a number is finite ({@code INVALID_ATTRIBUTE} otherwise; a value of the wrong JSON
 *       type is {@code WRONG_FIELD_TYPE}).
 *   <li>{@code available} is a boolean; {@code updated_at} is written like an event timestamp (epoch ms, epoch s or
 *       ISO-8601 with a zone) and lies in the options' plausible range. JSON null is not a value of any field (the
 *       schema allows none); leave a field out instead.
 *   <li>Unknown top-level fields are ignored, so that producers can add fields first.
 * </ul>
 *
 * <p>Thread-safe: the only state is an immutable {@link ObjectMapper} configuration, the options and the clock.
 */
public final class CatalogParser {

    public static final String ITEM_ID = "item_id";
    public static final String AVAILABLE = "available";
    public static final String CATEGORIES = "categories";
    public static final String TEXT = "text";
    public static final String NUMBERS = "numbers";
    public static final String UPDATED_AT = "updated_at";

    /** Attributes per group (categories, text, numbers). */
    public static final int MAX_ATTRIBUTES = 32;
    /** Values of one categorical attribute. */
    public static final int MAX_VALUES = 64;
    /** UTF-8 bytes of one categorical value. */
    public static final int MAX_VALUE_BYTES = 256;
    /** Characters (code points) of one text attribute. */
    public static final int MAX_TEXT_CHARS = 4096;
    /** Characters of an attribute name. */
    public static final int MAX_NAME_CHARS = 64;
    /** What an attribute name may be. */
    public static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NAME_CHARS + "}");

    private static final ObjectMapper MAPPER = JsonValues.strictMapper();

    private final ParserOptions options;
    private final LongSupplier clockMs;

    /** With the default limits (64 KiB payloads, 256-byte ids, {@code updated_at} from 2000 to a day ahead). */
    public CatalogParser() {
        this(ParserOptions.defaults());
    }

    public CatalogParser(ParserOptions options) {
        this(options, System::currentTimeMillis);
    }

    /** With an explicit clock, for tests of the "too far in the future" rule of {@code updated_at}. */
    public CatalogParser(ParserOptions options, LongSupplier clockMs) {
        this.options = options;
        this.clockMs = clockMs;
    }

    public ParserOptions options() {
        return options;
    }

    /**
     * Parses one record of the catalog topic.
     *
     * @param key the record key (the item id as UTF-8), or null when the record has none
     * @param value the record value, or null for a tombstone
     */
    public CatalogParseResult parse(byte[] key, byte[] value) {
        String keyText = null;
        if (key != null) {
            keyText = decodeKey(key);
            if (keyText == null) {
                return reject(Code.INVALID_ENCODING, null, "the record key is not valid UTF-8");
            }
        }
        if (value == null) {
            return tombstone(keyText);
        }
        if (value.length == 0) {
            return reject(Code.EMPTY_PAYLOAD, null, "empty value: expected a JSON object"
                    + " (to retire an item send a null value, a tombstone, or \"available\": false)");
        }
        if (value.length > options.maxPayloadBytes()) {
            return reject(Code.PAYLOAD_TOO_LARGE, null,
                    "payload is " + value.length + " bytes, over the limit of " + options.maxPayloadBytes());
        }
        String problem = encodingProblem(value);
        if (problem != null) {
            return reject(Code.INVALID_ENCODING, null, problem);
        }
        String text;
        ByteBuffer bytes = ByteBuffer.wrap(value);
        try {
            text = strictUtf8().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return reject(Code.INVALID_ENCODING, null, "the value is not valid UTF-8 (bad byte at offset " + bytes.position()
                    + "; Latin-1 or Windows-1252 text?); the value must be UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return reject(Code.NOT_JSON, null, "not valid JSON: " + JsonValues.firstLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return reject(Code.EMPTY_PAYLOAD, null, "empty payload: expected a JSON object");
        }
        if (!root.isObject()) {
            return reject(Code.NOT_AN_OBJECT, null, "expected a JSON object, got " + JsonValues.describe(root));
        }
        return parseObject(root, keyText);
    }

    /** Parses a record value without a key (a file line, a test); a null value is a rejection here. */
    public CatalogParseResult parse(byte[] value) {
        return parse(null, value);
    }

    /** Convenience for tests and tools: parses a JSON text without a key. */
    public CatalogParseResult parse(String json) {
        return parse(null, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private CatalogParseResult tombstone(String key) {
        if (key == null) {
            return reject(Code.MISSING_KEY, null,
                    "null value (a tombstone) without a record key: the key must be the item id to retire");
        }
        Rejection r = IdRules.check(ITEM_ID, key, options.maxIdBytes());
        if (r != null) {
            return reject(r.code(), null, "the record key of a tombstone (the item id to retire) " + r.message());
        }
        return CatalogParseResult.valid(CatalogRecord.retired(key));
    }

    private CatalogParseResult parseObject(JsonNode root, String key) {
        FieldResult<String> itemId = IdRules.read(root, ITEM_ID, options.maxIdBytes());
        if (!itemId.isValid()) {
            return CatalogParseResult.rejected(itemId.rejection());
        }
        String id = itemId.value();
        if (key != null && !key.equals(id)) {
            return reject(Code.KEY_MISMATCH, ITEM_ID, "'" + JsonValues.abbreviate(id) + "' differs from the record key '"
                    + JsonValues.abbreviate(key) + "'; the key must be the item id (UTF-8)");
        }

        boolean available = true;
        JsonNode availableNode = root.get(AVAILABLE);
        if (availableNode != null) {
            if (!availableNode.isBoolean()) {
                return reject(Code.WRONG_FIELD_TYPE, AVAILABLE,
                        "expected true or false, got " + JsonValues.describe(availableNode));
            }
            available = availableNode.booleanValue();
        }

        Map<String, List<String>> categories = new LinkedHashMap<>();
        Rejection r = readGroup(root, CATEGORIES, (name, node) -> readCategorical(name, node, categories));
        if (r != null) {
            return CatalogParseResult.rejected(r);
        }
        Map<String, String> text = new LinkedHashMap<>();
        r = readGroup(root, TEXT, (name, node) -> readText(name, node, text));
        if (r != null) {
            return CatalogParseResult.rejected(r);
        }
        Map<String, Double> numbers = new LinkedHashMap<>();
        r = readGroup(root, NUMBERS, (name, node) -> readNumber(name, node, numbers));
        if (r != null) {
            return CatalogParseResult.rejected(r);
        }

        Long updatedAt = null;
        JsonNode updatedNode = root.get(UPDATED_AT);
        if (updatedNode != null) {
            FieldResult<Long> ts = TimestampRules.read(updatedNode, UPDATED_AT, options.earliestTimestampMs(),
                    clockMs.getAsLong() + options.maxFutureSkewMs(), options.maxFutureSkewMs());
            if (!ts.isValid()) {
                return CatalogParseResult.rejected(ts.rejection());
            }
            updatedAt = ts.value();
        }
        return CatalogParseResult.valid(new CatalogRecord(id, available, categories, text, numbers, updatedAt));
    }

    /** Reads one attribute of a group into the caller's map; null when it is fine, else the rejection. */
    private interface AttributeReader {
        Rejection read(String name, JsonNode value);
    }

    private static Rejection readGroup(JsonNode root, String group, AttributeReader reader) {
        JsonNode node = root.get(group);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            return new Rejection(Code.WRONG_FIELD_TYPE, group,
                    "expected an object of attributes, got " + JsonValues.describe(node));
        }
        if (node.size() > MAX_ATTRIBUTES) {
            return new Rejection(Code.INVALID_ATTRIBUTE, group,
                    "has " + node.size() + " attributes, over the limit of " + MAX_ATTRIBUTES);
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                return new Rejection(Code.INVALID_ATTRIBUTE, group, "attribute name '" + printable(name)
                        + "' must be 1-" + MAX_NAME_CHARS + " characters of A-Z, a-z, 0-9, '_' and '-'");
            }
            Rejection r = reader.read(name, e.getValue());
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static Rejection readCategorical(String name, JsonNode node, Map<String, List<String>> into) {
        String field = CATEGORIES + "." + name;
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            if (node.isEmpty()) {
                return new Rejection(Code.INVALID_ATTRIBUTE, field,
                        "must not be an empty list; leave the attribute out instead");
            }
            if (node.size() > MAX_VALUES) {
                return new Rejection(Code.INVALID_ATTRIBUTE, field,
                        "has " + node.size() + " values, over the limit of " + MAX_VALUES);
            }
            for (int i = 0; i < node.size(); i++) {
                FieldResult<String> v = categoricalValue(field, node.get(i), "value " + (i + 1) + ": ");
                if (!v.isValid()) {
                    return v.rejection();
                }
                values.add(v.value());
            }
        } else {
            FieldResult<String> v = categoricalValue(field, node, "");
            if (!v.isValid()) {
                return v.rejection();
            }
            values.add(v.value());
        }
        into.put(name, values);
        return null;
    }

    private static FieldResult<String> categoricalValue(String field, JsonNode node, String which) {
        String value;
        if (node.isTextual()) {
            value = node.textValue();
        } else if (node.isIntegralNumber()) {
            value = node.bigIntegerValue().toString();
        } else {
            return FieldResult.rejected(new Rejection(Code.WRONG_FIELD_TYPE, field, which + "expected a string or an"
                    + " integer" + (which.isEmpty() ? " (or a list of them)" : "") + ", got "
                    + JsonValues.describe(node)));
        }
        Rejection r = IdRules.check(field, value, MAX_VALUE_BYTES);
        if (r != null) {
            return FieldResult.rejected(new Rejection(Code.INVALID_ATTRIBUTE, field, which + r.message()));
        }
        return FieldResult.of(value);
    }

    private static Rejection readText(String name, JsonNode node, Map<String, String> into) {
        String field = TEXT + "." + name;
        if (!node.isTextual()) {
            return new Rejection(Code.WRONG_FIELD_TYPE, field, "expected a string, got " + JsonValues.describe(node));
        }
        String s = node.textValue();
        int chars = s.codePointCount(0, s.length());
        if (chars > MAX_TEXT_CHARS) {
            return new Rejection(Code.INVALID_ATTRIBUTE, field,
                    "is " + chars + " characters, over the limit of " + MAX_TEXT_CHARS);
        }
        String bad = IdRules.unpairedSurrogate(s);
        if (bad != null) {
            return new Rejection(Code.INVALID_ATTRIBUTE, field, bad);
        }
        into.put(name, s);
        return null;
    }

    private static Rejection readNumber(String name, JsonNode node, Map<String, Double> into) {
        String field = NUMBERS + "." + name;
        if (!node.isNumber()) {
            return new Rejection(Code.WRONG_FIELD_TYPE, field, "expected a number, got " + JsonValues.describe(node));
        }
        double d = node.doubleValue();
        if (!Double.isFinite(d)) {
            return new Rejection(Code.INVALID_ATTRIBUTE, field,
                    "must be a finite number within the range of a double");
        }
        into.put(name, d);
        return null;
    }

    /** Null when the bytes may be UTF-8 JSON, else what is wrong: a byte order mark, NUL bytes (UTF-16/32). */
    private static String encodingProblem(byte[] value) {
        if (value.length >= 3 && (value[0] & 0xFF) == 0xEF && (value[1] & 0xFF) == 0xBB && (value[2] & 0xFF) == 0xBF) {
            return "the value starts with a UTF-8 byte order mark; write UTF-8 without a BOM";
        }
        if (value.length >= 2 && ((value[0] & 0xFF) == 0xFE && (value[1] & 0xFF) == 0xFF
                || (value[0] & 0xFF) == 0xFF && (value[1] & 0xFF) == 0xFE)) {
            return "the value starts with a UTF-16 byte order mark; the value must be UTF-8";
        }
        for (int i = 0; i < value.length; i++) {
            if (value[i] == 0) {
                // JSON text never holds a raw NUL (inside strings it is escaped): this is UTF-16 or UTF-32.
                return "the value contains a NUL byte at offset " + i + " (UTF-16 or UTF-32?); the value must be UTF-8";
            }
        }
        return null;
    }

    /** Strict UTF-8: malformed bytes, overlong forms and encoded surrogates are errors, never replaced. */
    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** The key as text, or null when it is not valid UTF-8. */
    private static String decodeKey(byte[] key) {
        try {
            return strictUtf8().decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** An attribute name for a message: abbreviated, control characters shown as U+XXXX. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        String a = JsonValues.abbreviate(s);
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("U+%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static CatalogParseResult reject(Code code, String field, String message) {
        return CatalogParseResult.rejected(new Rejection(code, field, message));
    }
}
