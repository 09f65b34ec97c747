package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.avro.EmbeddingRecord;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Garbage must come out of {@link EmbeddingCodec#decode} as an IOException, never as another exception type. */
class EmbeddingCodecGarbageTest {

    @Test
    void corruptedEnumIndexIsAnIOException() {
        byte[] b = EmbeddingCodec.encode(EmbeddingCodec.embedding("x", new float[2], 3, 0, 2, 1, 1, 1));
        b[10] = 0x08; // kind = enum index 4 of 2
        assertThrows(IOException.class, () -> EmbeddingCodec.decode(b));
    }

    /**
     * 20,000 truncated or overwritten copies of a valid record: each one decodes to a complete record or fails with
     * an IOException (any other exception fails the test). Both outcomes must occur, so that a decoder that returns
     * null, or one that throws IOException for everything, fails too.
     */
    @Test
    void randomCorruptionsAreIOExceptionsOrRecords() throws IOException {
        byte[] ok = EmbeddingCodec.encode(EmbeddingCodec.embedding("item-1", new float[8], 3, 0, 2, 1, 1, 1));
        assertEquals("item-1", EmbeddingCodec.decode(ok).getEntityId().toString(), "the uncorrupted record reads back");
        Random rnd = new Random(1);
        int records = 0;
        int ioExceptions = 0;
        for (int t = 0; t < 20_000; t++) {
            byte[] b = Arrays.copyOf(ok, rnd.nextInt(ok.length + 8));
            for (int m = 0; m < 1 + rnd.nextInt(3) && b.length > 10; m++) {
                b[10 + rnd.nextInt(b.length - 10)] = (byte) rnd.nextInt();
            }
            EmbeddingRecord r;
            try {
                r = EmbeddingCodec.decode(b);
            } catch (IOException expected) {
                ioExceptions++; // counted and skipped by consumers
                continue;
            }
            assertNotNull(r, "decode returns a record or throws");
            assertNotNull(r.getKind());
            assertNotNull(r.getEntityId());
            assertNotNull(r.getVector());
            records++;
        }
        assertTrue(ioExceptions > 10_000, "most corruptions are unreadable: " + ioExceptions);
        assertTrue(records > 0, "some corruptions (e.g. of a vector byte) still decode: " + records);
        assertEquals(20_000, records + ioExceptions);
    }
}
