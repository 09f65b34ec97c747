package io.streamrec.job.rank;

/**
 * The ranking stage's half of a prequential evaluation: for a ranker example, the position of the event's item
 * among the user's retrieved candidates in retrieval order and after the ranker (as it was before learning from
 * the example) re-ordered them; -1 for both when the item was not retrieved (a miss either way). Emitted on a
 * side output of the RankerTrainer for the evaluate command and tests; the live metrics count the same numbers.
 * A Flink POJO.
 */
public class RankedResult {
    public String userId;
    public String itemId;
    public long eventTime;
    public int retrievalRank;
    public int rankedRank;
    /** Candidates re-ranked. */
    public int candidates;

    public RankedResult() {}

    public RankedResult(String userId, String itemId, long eventTime, int retrievalRank, int rankedRank,
                        int candidates) {
        this.userId = userId;
        this.itemId = itemId;
        this.eventTime = eventTime;
        this.retrievalRank = retrievalRank;
        this.rankedRank = rankedRank;
        this.candidates = candidates;
    }
}
