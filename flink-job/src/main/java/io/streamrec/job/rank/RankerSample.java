package io.streamrec.job.rank;

/**
 * One example for the ranking stage, made by the UserTower from a sampled event before it learns from it: the
 * user's query vector, the event's item (the positive) and the user's top retrieved candidates from the subtask's
 * item cache (the user's history excluded, the event's item not), each as served (the popularity prior in the bias
 * coordinate) with its retrieval score. The RankerTrainer first re-ranks the candidates (the live metric), then
 * learns from the positive against a few of them. A Flink POJO.
 */
public class RankerSample {
    public String userId;
    public String itemId;
    public long eventTime;
    /** The event's seed: which candidates become negatives is drawn from it (the same after a replay). */
    public long seed;
    public float[] query;
    /** The event's item as served (its initial vector when the cache has not seen it). */
    public float[] target;
    public float targetScore;
    /** The retrieved candidates, best first. */
    public String[] candidateIds;
    /** Their vectors as served, candidate after candidate. */
    public float[] candidateRows;
    public float[] candidateScores;
    /** Position of the event's item among the candidates; -1 when it was not retrieved. */
    public int retrievalRank;
    /** Weight of the "acted on" term: the event type's weight. */
    public float weight;
    /** The rating of a rating event (used only when {@code ratingWeight} is above 0). */
    public float rating;
    public float ratingWeight;

    public RankerSample() {}

    /** The vector length of the sample's vectors. */
    public int vectorLength() {
        return query.length;
    }

    /** Candidate {@code i}'s row (a copy). */
    public float[] candidateRow(int i) {
        int len = query.length;
        float[] row = new float[len];
        System.arraycopy(candidateRows, i * len, row, 0, len);
        return row;
    }
}
