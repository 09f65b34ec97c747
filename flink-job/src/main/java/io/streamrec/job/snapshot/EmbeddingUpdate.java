package io.streamrec.job.snapshot;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.features.ItemFeatures;

/**
 * An embedding (or a snapshot completion marker) inside the job, before it becomes an Avro
 * {@link EmbeddingRecord} at the Kafka sink. A Flink POJO: the job's operators exchange this, not the Avro class.
 */
public class EmbeddingUpdate {
    /** True for a completion marker; then {@link #entityId} and {@link #vector} are unused. */
    public boolean marker;
    public String entityId;
    public float[] vector;
    public long version;
    public int subtask;
    public int subtasks;
    /** Markers: embeddings this subtask published for {@link #version}. */
    public long recordCount;
    /** Embeddings: training updates applied to the vector so far. */
    public long updateCount;
    public long eventTime;
    /** True for the removal of {@link #entityId} (a retired item, or expired state); then {@link #vector} is empty. */
    public boolean removed;
    /** Items: the keys of the features the served vector is composed of (empty for none). */
    public String[] featureKeys = new String[0];
    /** Their coefficients, parallel to {@link #featureKeys}. */
    public float[] featureWeights = new float[0];
    /** Items: how many events have had the item as their positive (see {@code QuerySpec#prior}). */
    public float popularity;
    /** Markers: how queries are formed ({@link io.streamrec.schema.features.QuerySpec} JSON), "" when unknown. */
    public String querySpec = "";

    public EmbeddingUpdate() {}

    public static EmbeddingUpdate embedding(String id, float[] vector, long version, int subtask, int subtasks,
                                            long updateCount, long eventTime) {
        EmbeddingUpdate u = new EmbeddingUpdate();
        u.entityId = id;
        u.vector = vector;
        u.version = version;
        u.subtask = subtask;
        u.subtasks = subtasks;
        u.updateCount = updateCount;
        u.eventTime = eventTime;
        return u;
    }

    /** An item's embedding with its features. */
    public static EmbeddingUpdate item(String id, float[] vector, ItemFeatures features, long version, int subtask,
                                       int subtasks, long updateCount, long eventTime) {
        EmbeddingUpdate u = embedding(id, vector, version, subtask, subtasks, updateCount, eventTime);
        u.featureKeys = new String[features.size()];
        u.featureWeights = new float[features.size()];
        for (int i = 0; i < features.size(); i++) {
            u.featureKeys[i] = features.key(i);
            u.featureWeights[i] = features.weight(i);
        }
        return u;
    }

    /** The removal of an entity as of a version. */
    public static EmbeddingUpdate removal(String id, long version, int subtask, int subtasks, long eventTime) {
        EmbeddingUpdate u = embedding(id, new float[0], version, subtask, subtasks, 0, eventTime);
        u.removed = true;
        return u;
    }

    /** The features of an item record ({@link ItemFeatures#NONE} for none). */
    public ItemFeatures features() {
        return featureKeys == null || featureKeys.length == 0 ? ItemFeatures.NONE
                : ItemFeatures.of(featureKeys, featureWeights);
    }

    /** A completion marker carrying the query spec. */
    public static EmbeddingUpdate marker(long version, int subtask, int subtasks, long recordCount, long eventTime,
                                         String querySpec) {
        EmbeddingUpdate u = marker(version, subtask, subtasks, recordCount, eventTime);
        u.querySpec = querySpec;
        return u;
    }

    public static EmbeddingUpdate marker(long version, int subtask, int subtasks, long recordCount, long eventTime) {
        EmbeddingUpdate u = new EmbeddingUpdate();
        u.marker = true;
        u.entityId = "";
        u.vector = new float[0];
        u.version = version;
        u.subtask = subtask;
        u.subtasks = subtasks;
        u.recordCount = recordCount;
        u.eventTime = eventTime;
        return u;
    }

    public EmbeddingRecord toRecord(long publishedAt) {
        if (marker) {
            return EmbeddingCodec.marker(version, subtask, subtasks, recordCount, eventTime, publishedAt,
                    querySpec == null ? "" : querySpec);
        }
        if (removed) {
            return EmbeddingCodec.removal(entityId, version, subtask, subtasks, eventTime, publishedAt);
        }
        return EmbeddingCodec.embedding(entityId, vector, features(), popularity, version, subtask, subtasks,
                updateCount, eventTime, publishedAt);
    }

    @Override
    public String toString() {
        if (removed) {
            return "removal{" + entityId + ", v=" + version + ", subtask=" + subtask + "}";
        }
        return marker ? "marker{v=" + version + ", subtask=" + subtask + "/" + subtasks + ", n=" + recordCount + "}"
                : "embedding{" + entityId + ", v=" + version + ", subtask=" + subtask + ", updates=" + updateCount + "}";
    }
}
