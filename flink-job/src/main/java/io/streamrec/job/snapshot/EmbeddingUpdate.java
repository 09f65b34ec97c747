package io.streamrec.job.snapshot;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;

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
        return marker
                ? EmbeddingCodec.marker(version, subtask, subtasks, recordCount, eventTime, publishedAt)
                : EmbeddingCodec.embedding(entityId, vector, version, subtask, subtasks, updateCount, eventTime,
                        publishedAt);
    }

    @Override
    public String toString() {
        return marker ? "marker{v=" + version + ", subtask=" + subtask + "/" + subtasks + ", n=" + recordCount + "}"
                : "embedding{" + entityId + ", v=" + version + ", subtask=" + subtask + ", updates=" + updateCount + "}";
    }
}
