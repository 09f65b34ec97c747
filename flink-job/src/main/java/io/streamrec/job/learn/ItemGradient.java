package io.streamrec.job.learn;

/**
 * The UserTower's summed loss gradient for one item over a bundle of events, on its way to the ItemTower that owns
 * the item. One record per touched item per bundle, however many events touched it. A Flink POJO.
 */
public class ItemGradient {
    public String itemId;
    /** d(loss)/d(item vector), summed over the bundle (already scaled by the event-type weights). */
    public float[] gradient;
    /** How many of the bundle's events had this item as their positive. */
    public int positives;
    /** Newest event time (epoch ms) that contributed. */
    public long eventTime;

    public ItemGradient() {}

    public ItemGradient(String itemId, float[] gradient, int positives, long eventTime) {
        this.itemId = itemId;
        this.gradient = gradient;
        this.positives = positives;
        this.eventTime = eventTime;
    }
}
