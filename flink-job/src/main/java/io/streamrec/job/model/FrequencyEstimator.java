package io.streamrec.job.model;

import java.util.HashMap;

/**
 * Item frequencies over a sliding window of recent positives, for the logQ correction: ids enter and leave (the
 * {@link NegativeBuffer} calls {@link #add}/{@link #remove} as its ring turns over); {@link #probability} gives the
 * chance that one uniform draw from the window returns the id.
 *
 * <p>Why counts over the window rather than the hashed streaming estimator of Yi et al. (RecSys 2019): that
 * estimator approximates how often an item shows up in a training batch, because there the negatives are the batch.
 * Here the negatives are drawn uniformly from the ring, so the proposal distribution is known exactly:
 * {@code count / size}. Using the exact proposal makes the importance-sampling correction unbiased, has no hash
 * collisions, and costs one map entry per distinct id in the window, so memory is bounded by the ring capacity.
 * A positive that is not in the window (only needed when the positive's logit is corrected too) gets the
 * additive-smoothing estimate {@code smoothing / (size + smoothing * (distinct + 1))} instead of 0.
 *
 * <p>Not thread-safe; one instance per subtask. Not serialized on its own: it is rebuilt from the ring on restore.
 */
public final class FrequencyEstimator {
    private final HashMap<String, Entry> counts = new HashMap<>();
    private final double smoothing;
    private long total;

    /**
     * @param smoothing pseudo-count for ids outside the window (and added to those inside); 0 gives the exact
     *     window frequency
     */
    public FrequencyEstimator(double smoothing) {
        if (smoothing < 0) {
            throw new IllegalArgumentException("smoothing must be >= 0, got " + smoothing);
        }
        this.smoothing = smoothing;
    }

    /** One more occurrence of {@code id} in the window. */
    public void add(String id) {
        canonicalAdd(id);
    }

    /**
     * {@link #add}, returning the instance of the id the estimator keeps as its key: callers that store ids for
     * this window can store that one, so that repeated ids are one object (hot in cache, hashed once) instead of
     * one copy per event.
     */
    String canonicalAdd(String id) {
        Entry e = counts.get(id);
        if (e == null) {
            e = new Entry(id);
            counts.put(id, e);
        }
        e.count++;
        total++;
        return e.id;
    }

    /** A count and the canonical instance of its id. */
    private static final class Entry {
        final String id;
        int count;

        Entry(String id) {
            this.id = id;
        }
    }

    /** One occurrence of {@code id} left the window; removes the entry at 0 so that memory follows the window. */
    public void remove(String id) {
        Entry c = counts.get(id);
        if (c == null) {
            throw new IllegalStateException("removing " + id + " which is not in the window");
        }
        if (--c.count == 0) {
            counts.remove(id);
        }
        total--;
    }

    /** Occurrences of {@code id} in the window. */
    public int count(String id) {
        Entry c = counts.get(id);
        return c == null ? 0 : c.count;
    }

    /** Occurrences in total (the window's fill). */
    public long total() {
        return total;
    }

    /** Distinct ids in the window (the estimator's memory). */
    public int distinct() {
        return counts.size();
    }

    /**
     * Probability that one uniform draw from the window is {@code id}, smoothed; 0 only when smoothing is 0 and
     * the id is absent (or the window is empty).
     */
    public double probability(String id) {
        double denominator = total + smoothing * (counts.size() + 1);
        return denominator == 0 ? 0.0 : (count(id) + smoothing) / denominator;
    }
}
