package io.streamrec.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the strict parsers share about JSON itself: the one {@link ObjectMapper} configuration (duplicate keys and
 * trailing content are errors, nesting is limited to 64 levels) and how values are named in rejection messages.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonValues {
    /** Deeper documents are rejected before they are built (a record needs 3 levels). */
    public static final int MAX_NESTING_DEPTH = 64;

    private JsonValues() {}

    /** A new mapper configured as the parsers read: strict duplicate detection, no trailing tokens. */
    public static ObjectMapper strictMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }

    /** "a string ('abc')", "an array", "null", ...: for "expected X, got Y" messages. */
    public static String describe(JsonNode node) {
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

    /** At most 64 characters of {@code s}, with "..." when cut. */
    public static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    /** The first line of a (Jackson) error message, abbreviated; "unreadable input" for none. */
    public static String firstLine(String s) {
        if (s == null) {
            return "unreadable input";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
