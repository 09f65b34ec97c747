package io.streamrec.job.rank;

/**
 * A ranker model as published to {@code ranker-model}: its version and {@code RankerModel.toPublishedBytes()}.
 * A Flink POJO.
 */
public class RankerPublication {
    public long version;
    public byte[] bytes;

    public RankerPublication() {}

    public RankerPublication(long version, byte[] bytes) {
        this.version = version;
        this.bytes = bytes;
    }
}
