package io.streamrec.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes an {@link InteractionEvent} as the event JSON that {@link EventParser} reads: what replay, the generator
 * and tests publish to the {@code interactions} topic. The timestamp is written as epoch milliseconds.
 *
 * <p>Thread-safe.
 */
public final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {}

    public static byte[] toBytes(InteractionEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(EventParser.USER_ID, e.userId);
            g.writeStringField(EventParser.ITEM_ID, e.itemId);
            g.writeStringField(EventParser.TYPE, e.type.wireName());
            g.writeNumberField(EventParser.TIMESTAMP, e.timestamp);
            if (e.value != null) {
                g.writeNumberField(EventParser.VALUE, e.value);
            }
            if (e.sessionId != null) {
                g.writeStringField(EventParser.SESSION_ID, e.sessionId);
            }
            if (e.properties != null) {
                g.writeObjectFieldStart(EventParser.PROPERTIES);
                for (Map.Entry<String, String> p : e.properties.entrySet()) {
                    g.writeStringField(p.getKey(), p.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public static String toJson(InteractionEvent e) {
        return new String(toBytes(e), java.nio.charset.StandardCharsets.UTF_8);
    }
}
