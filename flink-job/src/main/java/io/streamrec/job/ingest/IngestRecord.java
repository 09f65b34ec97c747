package io.streamrec.job.ingest;

import io.streamrec.schema.InteractionEvent;

/**
 * What the Kafka source emits for each record on {@code interactions}: the parsed event, or the rejection reason
 * together with everything the dead-letter record needs (original key and bytes, where they came from).
 *
 * <p>Parsing happens inside the source so that event-time watermarks are generated per Kafka partition, from the
 * events' own timestamps. A Flink POJO.
 */
public class IngestRecord {
    /** The valid event, or null when the record was rejected. */
    public InteractionEvent event;

    // Set only for rejected records.
    public String rejectionCode;
    public String reason;
    public byte[] originalKey;
    public byte[] originalValue;
    public String topic;
    public int partition;
    public long offset;
    public long kafkaTimestamp;

    public IngestRecord() {}

    public static IngestRecord valid(InteractionEvent event) {
        IngestRecord r = new IngestRecord();
        r.event = event;
        return r;
    }

    public static IngestRecord rejected(String code, String reason, byte[] key, byte[] value, String topic,
                                        int partition, long offset, long kafkaTimestamp) {
        IngestRecord r = new IngestRecord();
        r.rejectionCode = code;
        r.reason = reason;
        r.originalKey = key;
        r.originalValue = value;
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        r.kafkaTimestamp = kafkaTimestamp;
        return r;
    }

    public boolean isValid() {
        return event != null;
    }
}
