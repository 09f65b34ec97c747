package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void randomCorruptionsAreIOExceptionsOrRecords() {
        byte[] ok = EmbeddingCodec.encode(EmbeddingCodec.embedding("item-1", new float[8], 3, 0, 2, 1, 1, 1));
        Random rnd = new Random(1);
        for (int t = 0; t < 20_000; t++) {
            byte[] b = Arrays.copyOf(ok, rnd.nextInt(ok.length + 8));
            for (int m = 0; m < 1 + rnd.nextInt(3) && b.length > 10; m++) {
                b[10 + rnd.nextInt(b.length - 10)] = (byte) rnd.nextInt();
            }
            try {
                EmbeddingCodec.decode(b);
            } catch (IOException expected) {
                // counted and skipped by consumers
            }
        }
    }
}
