package io.streamrec.job.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link DeadLetter} to the dead-letter topic as JSON:
 * <pre>{"reason": "...", "code": "...", "original": "...", "original_encoding": "utf-8"|"base64",
 *  "topic": "interactions", "partition": 0, "offset": 42, "received_at": "2024-05-01T12:00:00.123Z"}</pre>
 * The original value is kept as text when it is valid UTF-8 and base64 otherwise, so no byte is lost; a null value
 * (a tombstone) is written as {@code "original": null, "original_encoding": null}, an empty one as {@code ""}. The
 * Kafka key is the original record's key.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, d.originalKey, toJson(d));
    }

    static byte[] toJson(DeadLetter d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (d.originalValue == null ? 0 : d.originalValue.length));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason);
            g.writeStringField("code", d.code);
            byte[] original = d.originalValue;
            // A NOT_UTF8 record may decode as UTF-8 (UTF-16 without a BOM is ASCII plus zero bytes), but showing
            // it as text would contradict its code: base64 keeps its bytes as they came.
            String text = original == null || "NOT_UTF8".equals(d.code) ? null : utf8OrNull(original);
            if (original == null) {
                // A tombstone: no bytes at all, told apart from an empty value ("original": "").
                g.writeNullField("original");
                g.writeNullField("original_encoding");
            } else if (text != null) {
                g.writeStringField("original", text);
                g.writeStringField("original_encoding", "utf-8");
            } else {
                g.writeStringField("original", Base64.getEncoder().encodeToString(original));
                g.writeStringField("original_encoding", "base64");
            }
            g.writeStringField("topic", d.topic);
            g.writeNumberField("partition", d.partition);
            g.writeNumberField("offset", d.offset);
            g.writeStringField("received_at", Instant.ofEpochMilli(d.receivedAt).toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String utf8OrNull(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
