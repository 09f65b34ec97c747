package io.streamrec.schema;

import java.util.Objects;

/**
 * Why an input record was refused: a machine-readable {@link Code}, the JSON field at fault (null when the problem
 * is the record as a whole) and a sentence a person can act on. {@link #reason()} is what goes to the dead-letter
 * topic.
 */
public final class Rejection {

    /** Rejection categories; each one is counted in its own metric. */
    public enum Code {
        PAYLOAD_TOO_LARGE,
        /** The record value is null (a Kafka tombstone). */
        NULL_PAYLOAD,
        /** The record value is empty (zero bytes) or only whitespace. */
        EMPTY_PAYLOAD,
        /** The bytes are not UTF-8: UTF-16/UTF-32 (with or without a byte-order mark), or a UTF-8 byte-order mark. */
        NOT_UTF8,
        NOT_JSON,
        NOT_AN_OBJECT,
        MISSING_FIELD,
        WRONG_FIELD_TYPE,
        EMPTY_ID,
        ID_TOO_LONG,
        INVALID_ID,
        UNKNOWN_TYPE,
        BAD_TIMESTAMP,
        IMPLAUSIBLE_TIMESTAMP,
        INVALID_VALUE,
        /** Catalog: the payload is not UTF-8 (invalid bytes, a byte order mark, NUL bytes of UTF-16/32). */
        INVALID_ENCODING,
        /** Catalog: a tombstone (null value) without a record key: there is no item to retire. */
        MISSING_KEY,
        /** Catalog: the record key is not the record's item_id. */
        KEY_MISMATCH,
        /** Catalog: an attribute name, value, length or count breaks the catalog record's rules. */
        INVALID_ATTRIBUTE
    }

    private final Code code;
    private final String field;
    private final String message;

    public Rejection(Code code, String field, String message) {
        this.code = Objects.requireNonNull(code);
        this.field = field;
        this.message = Objects.requireNonNull(message);
    }

    public Code code() {
        return code;
    }

    /** The offending JSON field name, or null when the record as a whole is at fault. */
    public String field() {
        return field;
    }

    public String message() {
        return message;
    }

    /** "field 'user_id': missing" or, for whole-record problems, just the message. */
    public String reason() {
        return field == null ? message : "field '" + field + "': " + message;
    }

    @Override
    public String toString() {
        return code + " " + reason();
    }
}
