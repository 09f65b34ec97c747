package io.streamrec.job.catalog;

/**
 * One record of the {@code catalog} topic after parsing: a valid catalog update (item, availability, features) or
 * a rejection with the original bytes for the dead-letter topic. A Flink POJO.
 */
public class CatalogInput {
    public String itemId;
    public boolean available;
    public String[] featureKeys;
    public float[] featureWeights;
    /** Null for a valid record. */
    public String rejectionCode;
    public String reason;
    public byte[] originalKey;
    public byte[] originalValue;
    public String topic;
    public int partition;
    public long offset;

    public CatalogInput() {}

    public boolean isValid() {
        return rejectionCode == null;
    }
}
