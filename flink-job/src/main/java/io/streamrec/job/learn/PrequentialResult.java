package io.streamrec.job.learn;

/**
 * One prequential (test-then-train) evaluation: before learning from an event, the rank of its item for its user
 * under the model and under the most-popular baseline (0 = top, -1 = not rankable, a miss; capped at
 * {@link LiveEvaluation#RANK_LIMIT}, which is all HR@10, HR@100 and NDCG@10 need). Emitted on a side
 * output when {@code metrics.prequential.emit} is on, for the evaluate command and tests; the live metrics come
 * from the same numbers. A Flink POJO.
 */
public class PrequentialResult {
    public String userId;
    public String itemId;
    public long eventTime;
    public int modelRank;
    public int popularityRank;

    public PrequentialResult() {}

    public PrequentialResult(String userId, String itemId, long eventTime, int modelRank, int popularityRank) {
        this.userId = userId;
        this.itemId = itemId;
        this.eventTime = eventTime;
        this.modelRank = modelRank;
        this.popularityRank = popularityRank;
    }
}
