package io.streamrec.job.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DeadLetter letter(byte[] value) {
        DeadLetter d = new DeadLetter();
        d.code = "NOT_JSON";
        d.reason = "not valid JSON: ...";
        d.originalValue = value;
        d.topic = "interactions";
        d.partition = 2;
        d.offset = 41;
        d.receivedAt = 1714564800123L;
        return d;
    }

    @Test
    void utf8OriginalIsKeptAsText() throws Exception {
        JsonNode n = JSON.readTree(DeadLetterSerializer.toJson(letter("héllo {".getBytes(StandardCharsets.UTF_8))));
        assertEquals("héllo {", n.get("original").asText());
        assertEquals("utf-8", n.get("original_encoding").asText());
        assertEquals("NOT_JSON", n.get("code").asText());
        assertEquals("interactions", n.get("topic").asText());
        assertEquals(2, n.get("partition").asInt());
        assertEquals(41, n.get("offset").asLong());
        assertEquals("2024-05-01T12:00:00.123Z", n.get("received_at").asText());
    }

    @Test
    void binaryOriginalIsBase64AndLossless() throws Exception {
        byte[] bytes = {(byte) 0xFF, 0x00, (byte) 0xC3, 0x28, 0x7B};
        JsonNode n = JSON.readTree(DeadLetterSerializer.toJson(letter(bytes)));
        assertEquals("base64", n.get("original_encoding").asText());
        assertArrayEquals(bytes, Base64.getDecoder().decode(n.get("original").asText()));
    }

    @Test
    void nullAndEmptyValuesAreToldApart() throws Exception {
        JsonNode tombstone = JSON.readTree(DeadLetterSerializer.toJson(letter(null)));
        assertTrue(tombstone.get("original").isNull());
        assertTrue(tombstone.get("original_encoding").isNull());
        JsonNode empty = JSON.readTree(DeadLetterSerializer.toJson(letter(new byte[0])));
        assertEquals("", empty.get("original").textValue());
        assertEquals("utf-8", empty.get("original_encoding").asText());
    }

    @Test
    void notUtf8OriginalIsBase64EvenWhenItDecodesAsUtf8() throws Exception {
        byte[] utf16 = "{\"user_id\":\"u\"}".getBytes(StandardCharsets.UTF_16LE);
        DeadLetter d = letter(utf16);
        d.code = "NOT_UTF8";
        JsonNode n = JSON.readTree(DeadLetterSerializer.toJson(d));
        assertEquals("base64", n.get("original_encoding").asText());
        assertArrayEquals(utf16, Base64.getDecoder().decode(n.get("original").asText()));
    }
}
