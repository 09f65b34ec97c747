package io.streamrec.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns refusals into the API's error body, {@code {"error": code, "detail": text, "parameter": name}}
 * ({@code parameter} only when one parameter is at fault). Stateless, thread-safe.
 */
public final class ErrorMapper {
    private static final JsonFactory JSON = new JsonFactory();

    private ErrorMapper() {}

    public static byte[] body(ApiException e) {
        return body(e.error, e.detail(), e.parameter);
    }

    public static byte[] body(String error, String detail, String parameter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("detail", detail);
            if (parameter != null) {
                g.writeStringField("parameter", parameter);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The 500 body: says nothing about internals (those go to the log). */
    public static byte[] internalError() {
        return body("internal_error", "the server failed to handle the request; see its log", null);
    }
}
