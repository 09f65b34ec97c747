package io.streamrec.job.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Prequential retrieval metrics: the 0-based rank of each event's true item (or -1 when it could not be ranked)
 * goes in; hit rate at each configured k, NDCG@10 and MRR come out. Each event has exactly one relevant item, so
 * HR@k equals recall@k and NDCG@10 is {@code 1 / log2(rank + 2)} for a rank below 10, else 0.
 *
 * <p>An unrankable event (an item never seen before, an item outside the cache) counts as a miss, never as
 * skipped: skipping would inflate the numbers by the share of new items. Mergeable across subtasks when the k
 * lists are equal; Serializable so that it can sit in operator state. Not thread-safe.
 */
public final class HitRateAccumulator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ks;
    private final long[] hits;
    private long count;
    private long unrankable;
    private double ndcg10;
    private double reciprocalRank;

    /** Tracks hit rates at the given cut-offs (default 10 and 100 when none are given). */
    public HitRateAccumulator(int... ks) {
        this.ks = ks.length == 0 ? new int[] {10, 100} : ks.clone();
        for (int k : this.ks) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
        }
        this.hits = new long[this.ks.length];
    }

    /** Records one event whose true item ranked {@code rank} (0 = first); -1 for an item that was not rankable. */
    public void record(int rank) {
        count++;
        if (rank < 0) {
            unrankable++;
            return;
        }
        for (int i = 0; i < ks.length; i++) {
            if (rank < ks[i]) {
                hits[i]++;
            }
        }
        if (rank < 10) {
            ndcg10 += 1.0 / (Math.log(rank + 2) / Math.log(2));
        }
        reciprocalRank += 1.0 / (rank + 1);
    }

    /** Adds {@code other}'s events to this one; both must track the same ks. */
    public void merge(HitRateAccumulator other) {
        if (!Arrays.equals(ks, other.ks)) {
            throw new IllegalArgumentException(
                    "cannot merge ks " + Arrays.toString(other.ks) + " into " + Arrays.toString(ks));
        }
        for (int i = 0; i < ks.length; i++) {
            hits[i] += other.hits[i];
        }
        count += other.count;
        unrankable += other.unrankable;
        ndcg10 += other.ndcg10;
        reciprocalRank += other.reciprocalRank;
    }

    /** Share of events whose true item ranked below {@code k}; k must be one of the configured ks. */
    public double hitRate(int k) {
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                return count == 0 ? 0.0 : (double) hits[i] / count;
            }
        }
        throw new IllegalArgumentException("k=" + k + " is not tracked; tracked: " + Arrays.toString(ks));
    }

    public double ndcgAt10() {
        return count == 0 ? 0.0 : ndcg10 / count;
    }

    public double meanReciprocalRank() {
        return count == 0 ? 0.0 : reciprocalRank / count;
    }

    public long count() {
        return count;
    }

    /** Events whose true item could not be ranked (counted as misses). */
    public long unrankable() {
        return unrankable;
    }

    public int[] ks() {
        return ks.clone();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int k : ks) {
            sb.append(String.format("HR@%d=%.4f ", k, hitRate(k)));
        }
        return sb.append(String.format("NDCG@10=%.4f n=%d unrankable=%d", ndcgAt10(), count, unrankable))
                .toString();
    }
}
