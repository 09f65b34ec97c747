package io.streamrec.job.ingest;

/**
 * A rejected input record on its way to the dead-letter topic: why it was refused, its original key and bytes,
 * and where it came from. Serialized by {@link DeadLetterSerializer}. A Flink POJO.
 */
public class DeadLetter {
    public String code;
    public String reason;
    public byte[] originalKey;
    public byte[] originalValue;
    public String topic;
    public int partition;
    public long offset;
    /** Wall-clock time (epoch ms) at which the job received and rejected the record. */
    public long receivedAt;

    public DeadLetter() {}

    /** A rejected record of any input topic. */
    public static DeadLetter of(String code, String reason, byte[] key, byte[] value, String topic, int partition,
                                long offset, long receivedAt) {
        DeadLetter d = new DeadLetter();
        d.code = code;
        d.reason = reason;
        d.originalKey = key;
        d.originalValue = value;
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        d.receivedAt = receivedAt;
        return d;
    }

    static DeadLetter of(IngestRecord r, long receivedAt) {
        DeadLetter d = new DeadLetter();
        d.code = r.rejectionCode;
        d.reason = r.reason;
        d.originalKey = r.originalKey;
        d.originalValue = r.originalValue;
        d.topic = r.topic;
        d.partition = r.partition;
        d.offset = r.offset;
        d.receivedAt = receivedAt;
        return d;
    }
}
