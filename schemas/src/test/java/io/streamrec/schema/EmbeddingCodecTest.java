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

    @Test
    void itemsCarryTheirFeaturesAndMarkersTheQuerySpec() throws IOException {
        io.streamrec.schema.features.ItemFeatures f = io.streamrec.schema.features.ItemFeatures.of(
                new String[] {io.streamrec.schema.features.FeatureKeys.item("genre", "comedy")}, new float[] {0.5f});
        EmbeddingRecord item = EmbeddingCodec.decode(EmbeddingCodec.encode(EmbeddingCodec.embedding("i1",
                new float[] {1f, 2f}, f, 3, 0, 2, 7, 100, 200)));
        assertEquals(f, EmbeddingCodec.features(item));
        EmbeddingRecord marker = EmbeddingCodec.decode(EmbeddingCodec.encode(EmbeddingCodec.marker(3, 0, 2, 1, 100,
                200, "{\"dim\":2}")));
        assertEquals("{\"dim\":2}", marker.getQuerySpec());
        EmbeddingRecord removal = EmbeddingCodec.decode(EmbeddingCodec.encode(EmbeddingCodec.removal("i1", 4, 0, 2,
                100, 200)));
        assertEquals(RecordKind.REMOVED, removal.getKind());
        assertEquals("i1", removal.getEntityId());
        assertEquals(4, removal.getSnapshotVersion());
    }

    @Test
    void itemsCarryTheirPopularityAndOlderRecordsReadAsZero() throws IOException {
        EmbeddingRecord item = EmbeddingCodec.decode(EmbeddingCodec.encode(EmbeddingCodec.embedding("i1",
                new float[] {1f, 2f}, io.streamrec.schema.features.ItemFeatures.NONE, 41f, 3, 0, 2, 7, 100, 200)));
        assertEquals(41f, EmbeddingCodec.popularity(item));
        EmbeddingRecord plain = EmbeddingCodec.decode(EmbeddingCodec.encode(EmbeddingCodec.embedding("i2",
                new float[] {1f, 2f}, 3, 0, 2, 7, 100, 200)));
        assertEquals(0f, EmbeddingCodec.popularity(plain));
        item.setPopularity(Float.NaN);
        assertEquals(0f, EmbeddingCodec.popularity(item), "a value that is not a count reads as none");
        item.setPopularity(-3f);
        assertEquals(0f, EmbeddingCodec.popularity(item));

        // Written with schema version 2 (before popularity): read with popularity 0.
        byte[] bytes = olderRecord("embedding_record_v2.avsc");
        EmbeddingRecord back = EmbeddingCodec.decode(bytes);
        assertEquals("i9", back.getEntityId());
        assertEquals(0f, EmbeddingCodec.popularity(back));
    }

    /** Records written before features existed (schema version 1) are still read, with no features. */
    @Test
    void readsVersionOneRecords() throws IOException {
        byte[] bytes = olderRecord("embedding_record_v1.avsc");
        EmbeddingRecord back = EmbeddingCodec.decode(bytes);
        assertEquals("i9", back.getEntityId());
        assertArrayEquals(new float[] {0.5f, -1f}, EmbeddingCodec.unpackVector(back.getVector()));
        assertEquals(12, back.getSnapshotVersion());
        assertEquals(io.streamrec.schema.features.ItemFeatures.NONE, EmbeddingCodec.features(back));
        assertEquals("", back.getQuerySpec());
    }

    /** An embedding of item "i9" written with an older schema (a resource next to EmbeddingCodec). */
    private static byte[] olderRecord(String schemaResource) throws IOException {
        org.apache.avro.Schema schema;
        try (java.io.InputStream in = EmbeddingCodec.class.getResourceAsStream(schemaResource)) {
            schema = new org.apache.avro.Schema.Parser().parse(in);
        }
        org.apache.avro.generic.GenericRecord r = new org.apache.avro.generic.GenericData.Record(schema);
        r.put("kind", new org.apache.avro.generic.GenericData.EnumSymbol(schema.getField("kind").schema(),
                "EMBEDDING"));
        r.put("entity_id", "i9");
        r.put("vector", EmbeddingCodec.packVector(new float[] {0.5f, -1f}));
        r.put("snapshot_version", 12L);
        r.put("subtask", 1);
        r.put("subtasks", 2);
        r.put("record_count", 0L);
        r.put("update_count", 5L);
        r.put("event_time", 1000L);
        r.put("published_at", 2000L);
        if (schema.getField("features") != null) {
            r.put("features", java.util.List.of());
            r.put("query_spec", "");
        }
        return new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), schema).encode(r).array();
    }
}
