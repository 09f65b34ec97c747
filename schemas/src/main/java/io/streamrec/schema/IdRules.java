package io.streamrec.schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rules every id of the contracts follows (user, item and session ids of events; the item id and record key of
 * catalog records): a JSON string or integer (an integer is read as its decimal string), not blank, at most a
 * configured number of UTF-8 bytes, and no control characters or unpaired surrogates. One implementation, so that
 * an id the event parser accepts is exactly an id the catalog parser accepts.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdRules {
    private IdRules() {}

    /**
     * Reads the id field {@code name} of {@code root}: a rejection with code {@code MISSING_FIELD} when it is absent
     * or null, {@code WRONG_FIELD_TYPE} when it is neither a string nor an integer, else as {@link #check}.
     */
    public static FieldResult<String> read(JsonNode root, String name, int maxBytes) {
        JsonNode node = root.get(name);
        if (node == null) {
            return FieldResult.rejected(new Rejection(Rejection.Code.MISSING_FIELD, name, "missing (required)"));
        }
        if (node.isNull()) {
            return FieldResult.rejected(new Rejection(Rejection.Code.MISSING_FIELD, name, "is null (required)"));
        }
        String id;
        if (node.isTextual()) {
            id = node.textValue();
        } else if (node.isIntegralNumber()) {
            id = node.bigIntegerValue().toString();
        } else {
            return FieldResult.rejected(new Rejection(Rejection.Code.WRONG_FIELD_TYPE, name,
                    "expected a string (or an integer), got " + JsonValues.describe(node)));
        }
        Rejection r = check(name, id, maxBytes);
        return r == null ? FieldResult.of(id) : FieldResult.rejected(r);
    }

    /**
     * Checks an id given as text: null when it is acceptable, else a rejection for {@code field} with code
     * {@code EMPTY_ID}, {@code ID_TOO_LONG} or {@code INVALID_ID}.
     */
    public static Rejection check(String field, String id, int maxBytes) {
        if (id.isBlank()) {
            return new Rejection(Rejection.Code.EMPTY_ID, field, id.isEmpty() ? "must not be empty" : "must not be blank");
        }
        int bytes = utf8Length(id);
        if (bytes > maxBytes) {
            return new Rejection(Rejection.Code.ID_TOO_LONG, field,
                    "is " + bytes + " UTF-8 bytes, over the limit of " + maxBytes);
        }
        String bad = invalidCharacter(id);
        if (bad != null) {
            return new Rejection(Rejection.Code.INVALID_ID, field, bad);
        }
        return null;
    }

    /** Null when no character is a control character or an unpaired surrogate, else a message naming the first. */
    public static String invalidCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String bad = surrogateProblem(s, i);
            if (bad != null) {
                return bad;
            }
            if (Character.isHighSurrogate(c)) {
                i++; // a valid pair
                continue;
            }
            if (Character.isISOControl(c)) {
                return String.format("contains control character U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }

    /** Null when the text has no unpaired surrogate (so it can be written as UTF-8), else a message naming it. */
    public static String unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            String bad = surrogateProblem(s, i);
            if (bad != null) {
                return bad;
            }
            if (Character.isHighSurrogate(s.charAt(i))) {
                i++;
            }
        }
        return null;
    }

    private static String surrogateProblem(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)) ? null
                    : "contains an unpaired surrogate at index " + i;
        }
        return Character.isLowSurrogate(c) ? "contains an unpaired surrogate at index " + i : null;
    }

    /** The length of {@code s} in UTF-8 bytes (an unpaired surrogate counts 3, as a replacement would). */
    public static int utf8Length(String s) {
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
}
