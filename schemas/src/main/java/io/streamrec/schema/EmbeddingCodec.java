package io.streamrec.schema;

import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads and writes {@link EmbeddingRecord}s as Kafka record keys and values: values use Avro single-object
 * encoding (a 2-byte marker and the schema fingerprint precede the body, so readers detect a schema they do not
 * know instead of misreading it); vectors are packed little-endian float32.
 *
 * <p>Thread-safe.
 */
public final class EmbeddingCodec {
    /** Key prefix of completion markers; '/' and the subtask index follow. Ids never start with it in practice. */
    public static final String MARKER_KEY_PREFIX = "__snapshot__/";

    private EmbeddingCodec() {}

    public static ByteBuffer packVector(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf;
    }

    public static float[] unpackVector(ByteBuffer packed) {
        ByteBuffer b = packed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() % Float.BYTES != 0) {
            throw new IllegalArgumentException("vector has " + b.remaining() + " bytes, not a multiple of 4");
        }
        float[] v = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(v);
        return v;
    }

    public static EmbeddingRecord embedding(String entityId, float[] vector, long version, int subtask, int subtasks,
                                            long updateCount, long eventTimeMs, long publishedAtMs) {
        return EmbeddingRecord.newBuilder()
                .setKind(RecordKind.EMBEDDING)
                .setEntityId(entityId)
                .setVector(packVector(vector))
                .setSnapshotVersion(version)
                .setSubtask(subtask)
                .setSubtasks(subtasks)
                .setRecordCount(0)
                .setUpdateCount(updateCount)
                .setEventTime(Instant.ofEpochMilli(eventTimeMs))
                .setPublishedAt(Instant.ofEpochMilli(publishedAtMs))
                .build();
    }

    public static EmbeddingRecord marker(long version, int subtask, int subtasks, long recordCount, long eventTimeMs,
                                         long publishedAtMs) {
        return EmbeddingRecord.newBuilder()
                .setKind(RecordKind.SNAPSHOT_COMPLETE)
                .setEntityId("")
                .setVector(ByteBuffer.allocate(0))
                .setSnapshotVersion(version)
                .setSubtask(subtask)
                .setSubtasks(subtasks)
                .setRecordCount(recordCount)
                .setUpdateCount(0)
                .setEventTime(Instant.ofEpochMilli(eventTimeMs))
                .setPublishedAt(Instant.ofEpochMilli(publishedAtMs))
                .build();
    }

    /** The Kafka key of a record: the entity id, or the marker key of the publishing subtask. */
    public static byte[] key(EmbeddingRecord r) {
        String key = r.getKind() == RecordKind.SNAPSHOT_COMPLETE ? markerKey(r.getSubtask()) : r.getEntityId();
        return key.getBytes(StandardCharsets.UTF_8);
    }

    public static String markerKey(int subtask) {
        return MARKER_KEY_PREFIX + subtask;
    }

    public static byte[] encode(EmbeddingRecord r) {
        try {
            ByteBuffer buf = EmbeddingRecord.getEncoder().encode(r);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode " + r, e);
        }
    }

    /**
     * Decodes a value written by {@link #encode}.
     *
     * @throws IOException when the bytes are not an EmbeddingRecord this code can read (wrong or unknown schema,
     *     truncated); callers count and skip such records
     */
    public static EmbeddingRecord decode(byte[] value) throws IOException {
        try {
            return EmbeddingRecord.getDecoder().decode(value);
        } catch (org.apache.avro.AvroRuntimeException e) {
            // BadHeaderException / MissingSchemaException: not our format or a schema this reader does not know.
            throw new IOException("not a readable EmbeddingRecord: " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            // A corrupted enum index (e.g. kind = 4) surfaces from Avro's decoder as an index error.
            throw new IOException("not a readable EmbeddingRecord: " + e.getMessage(), e);
        }
    }
}
