package io.streamrec.schema;

import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.FeatureWeight;
import io.streamrec.schema.features.ItemFeatures;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
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

    /** Reads this schema, version 1 (written before features existed) and 2 (before popularity), resolved to this one. */
    private static final BinaryMessageDecoder<EmbeddingRecord> DECODER = decoder();

    private static BinaryMessageDecoder<EmbeddingRecord> decoder() {
        BinaryMessageDecoder<EmbeddingRecord> d = EmbeddingRecord.createDecoder(null);
        for (String old : new String[] {"embedding_record_v1.avsc", "embedding_record_v2.avsc"}) {
            try (java.io.InputStream in = EmbeddingCodec.class.getResourceAsStream(old)) {
                d.addSchema(new Schema.Parser().parse(in));
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException(old + " missing from the classpath", e);
            }
        }
        return d;
    }

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
        return embedding(entityId, vector, ItemFeatures.NONE, version, subtask, subtasks, updateCount, eventTimeMs,
                publishedAtMs);
    }

    /** An item's embedding with the features its served vector is composed of (see {@link ItemFeatures}). */
    public static EmbeddingRecord embedding(String entityId, float[] vector, ItemFeatures features, long version,
                                            int subtask, int subtasks, long updateCount, long eventTimeMs,
                                            long publishedAtMs) {
        return embedding(entityId, vector, features, 0f, version, subtask, subtasks, updateCount, eventTimeMs,
                publishedAtMs);
    }

    /**
     * An item's embedding with its features and its popularity (how many events had it as their positive; see
     * {@link io.streamrec.schema.features.QuerySpec#withPrior}).
     */
    public static EmbeddingRecord embedding(String entityId, float[] vector, ItemFeatures features, float popularity,
                                            long version, int subtask, int subtasks, long updateCount,
                                            long eventTimeMs, long publishedAtMs) {
        List<FeatureWeight> fw = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) {
            fw.add(new FeatureWeight(features.key(i), features.weight(i)));
        }
        return EmbeddingRecord.newBuilder()
                .setFeatures(fw)
                .setQuerySpec("")
                .setPopularity(popularity)
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
        return marker(version, subtask, subtasks, recordCount, eventTimeMs, publishedAtMs, "");
    }

    /** A completion marker carrying the model's query spec ({@link io.streamrec.schema.features.QuerySpec}, JSON). */
    public static EmbeddingRecord marker(long version, int subtask, int subtasks, long recordCount, long eventTimeMs,
                                         long publishedAtMs, String querySpec) {
        return EmbeddingRecord.newBuilder()
                .setFeatures(List.of())
                .setQuerySpec(querySpec)
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

    /** The removal of an entity as of a version: a retired item, or one whose state expired. */
    public static EmbeddingRecord removal(String entityId, long version, int subtask, int subtasks, long eventTimeMs,
                                          long publishedAtMs) {
        return EmbeddingRecord.newBuilder()
                .setKind(RecordKind.REMOVED)
                .setEntityId(entityId)
                .setVector(ByteBuffer.allocate(0))
                .setFeatures(List.of())
                .setQuerySpec("")
                .setSnapshotVersion(version)
                .setSubtask(subtask)
                .setSubtasks(subtasks)
                .setRecordCount(0)
                .setUpdateCount(0)
                .setEventTime(Instant.ofEpochMilli(eventTimeMs))
                .setPublishedAt(Instant.ofEpochMilli(publishedAtMs))
                .build();
    }

    /**
     * The features of an embedding record ({@link ItemFeatures#NONE} for none).
     *
     * @throws IllegalArgumentException when a key is not a feature key or a weight is not finite
     */
    public static ItemFeatures features(EmbeddingRecord r) {
        List<FeatureWeight> fw = r.getFeatures();
        if (fw == null || fw.isEmpty()) {
            return ItemFeatures.NONE;
        }
        String[] keys = new String[fw.size()];
        float[] weights = new float[fw.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = fw.get(i).getKey();
            weights[i] = fw.get(i).getWeight();
        }
        return ItemFeatures.of(keys, weights);
    }

    /** The popularity an item record carries: 0 when absent (older records), negative or not finite. */
    public static float popularity(EmbeddingRecord r) {
        float p = r.getPopularity();
        return Float.isFinite(p) && p > 0 ? p : 0f;
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
            return DECODER.decode(value);
        } catch (org.apache.avro.AvroRuntimeException e) {
            // BadHeaderException / MissingSchemaException: not our format or a schema this reader does not know.
            throw new IOException("not a readable EmbeddingRecord: " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            // A corrupted enum index (e.g. kind = 4) surfaces from Avro's decoder as an index error.
            throw new IOException("not a readable EmbeddingRecord: " + e.getMessage(), e);
        }
    }
}
