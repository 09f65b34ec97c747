package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingCodecTest {

    @Test
    void embeddingRoundTrips() throws IOException {
        float[] v = new float[64];
        Random rnd = new Random(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        v[3] = Float.MIN_VALUE;
        v[4] = -0.0f;
        EmbeddingRecord r = EmbeddingCodec.embedding("item-ü", v, 42, 1, 2, 17, 1714564800000L, 1714564801000L);
        EmbeddingRecord back = EmbeddingCodec.decode(EmbeddingCodec.encode(r));
        assertEquals(r, back);
        assertEquals(RecordKind.EMBEDDING, back.getKind());
        assertArrayEquals(v, EmbeddingCodec.unpackVector(back.getVector()));
        assertEquals(42, back.getSnapshotVersion());
        assertEquals(1714564800000L, back.getEventTime().toEpochMilli());
        assertEquals("item-ü", new String(EmbeddingCodec.key(back), StandardCharsets.UTF_8));
    }

    @Test
    void markerRoundTripsAndIsKeyedBySubtask() throws IOException {
        EmbeddingRecord m = EmbeddingCodec.marker(7, 1, 2, 1234, 1714564800000L, 1714564801000L);
        EmbeddingRecord back = EmbeddingCodec.decode(EmbeddingCodec.encode(m));
        assertEquals(m, back);
        assertEquals(RecordKind.SNAPSHOT_COMPLETE, back.getKind());
        assertEquals(1234, back.getRecordCount());
        assertEquals(0, EmbeddingCodec.unpackVector(back.getVector()).length);
        assertEquals("__snapshot__/1", new String(EmbeddingCodec.key(back), StandardCharsets.UTF_8));
    }

    @Test
    void packingIsLittleEndianFloat32() {
        byte[] b = EmbeddingCodec.packVector(new float[] {1.0f}).array();
        // 1.0f = 0x3F800000, little-endian
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, b);
    }

    @Test
    void garbageIsAnIOExceptionNotACrash() {
        assertThrows(IOException.class, () -> EmbeddingCodec.decode("{\"json\":true}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> EmbeddingCodec.decode(new byte[0]));
        byte[] truncated = EmbeddingCodec.encode(EmbeddingCodec.marker(1, 0, 1, 0, 0, 0));
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 3);
        assertThrows(IOException.class, () -> EmbeddingCodec.decode(cut));
    }
}
