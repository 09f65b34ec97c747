package io.streamrec.serving.store;

import io.streamrec.schema.EmbeddingCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/**
 * User vectors from the {@code user-embeddings} topic, in RocksDB: user id -> snapshot version, published-at time
 * and the little-endian float32 vector. Plain upserts; the latest record read wins.
 *
 * <p>Thread-safe for readers; one writer thread (the user-embeddings consumer).
 */
public final class UserVectorStore {
    private static final int HEADER = 16;

    private final StateStore store;
    private final ColumnFamilyHandle cf;

    public UserVectorStore(StateStore store) {
        this.store = store;
        this.cf = store.cf(StateStore.CF_USER_VECTORS);
    }

    /** A stored user vector. */
    public static final class UserVector {
        public final float[] vector;
        public final long version;
        public final long publishedAtMs;

        public UserVector(float[] vector, long version, long publishedAtMs) {
            this.vector = vector;
            this.version = version;
            this.publishedAtMs = publishedAtMs;
        }
    }

    public void put(WriteBatchWithIndex batch, String userId, float[] vector, long version, long publishedAtMs) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + vector.length * Float.BYTES);
        b.putLong(version).putLong(publishedAtMs);
        b.put(EmbeddingCodec.packVector(vector));
        try {
            batch.put(cf, userId.getBytes(StandardCharsets.UTF_8), b.array());
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    /** The user's vector, or null if none was published (or the stored value is unreadable). */
    public UserVector get(String userId) {
        byte[] v = store.get(StateStore.CF_USER_VECTORS, userId.getBytes(StandardCharsets.UTF_8));
        if (v == null || v.length < HEADER || (v.length - HEADER) % Float.BYTES != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        long version = b.getLong();
        long published = b.getLong();
        float[] vec = new float[(v.length - HEADER) / Float.BYTES];
        b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vec);
        return new UserVector(vec, version, published);
    }
}
