package io.streamrec.job.state;

/**
 * What the ItemTower keeps per item in RocksDB: the authoritative vector, its Adagrad accumulator and counters.
 * One value per item so that applying a gradient is one read and one write. A Flink POJO.
 */
public class ItemState {
    public float[] vector;
    public float[] accumulator;
    /** Gradient records applied. */
    public long updates;
    /** Events that had this item as their positive. */
    public long positives;
    /** Newest event time (epoch ms) behind the vector. */
    public long eventTime;

    public ItemState() {}

    public static ItemState fresh(float[] vector, float initialAccumulator) {
        ItemState s = new ItemState();
        s.vector = vector;
        s.accumulator = new float[vector.length];
        java.util.Arrays.fill(s.accumulator, initialAccumulator);
        return s;
    }
}
