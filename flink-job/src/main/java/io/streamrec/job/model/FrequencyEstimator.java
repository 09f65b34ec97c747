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
        addEntry(id);
    }

    /**
     * {@link #add}, returning the id's entry, which stays the same object while the id is in the window: callers
     * that store ids for this window store the entry, so that repeated ids are one object (hot in cache, hashed
     * once) instead of one copy per event.
     */
    Entry addEntry(String id) {
        Entry e = counts.get(id);
        if (e == null) {
            e = new Entry(id);
            counts.put(id, e);
        }
        e.count++;
        total++;
        return e;
    }

    /**
     * A count and the canonical instance of its id, plus scratch fields for {@link Learner#train}, which reaches
     * entries through the {@link NegativeBuffer}'s ring and so needs no hash look-up to de-duplicate draws or to
     * find a draw's cached vector.
     */
    static final class Entry {
        final String id;
        /** {@code id.hashCode()}, kept here so that comparing ids rarely touches the string. */
        final int hash;
        int count;
        /** The draw epoch ({@link NegativeBuffer#nextEpoch}) in which this entry was last drawn. */
        long drawEpoch;
        /** In that epoch, the index of its first draw. */
        int firstDraw;
        /** The {@link ItemVectorCache} slot the id had when last looked up; a hint, verified before use. */
        int cacheSlot = -1;

        Entry(String id) {
            this.id = id;
            this.hash = id.hashCode();
        }
    }

    /** One occurrence of {@code id} left the window; removes the entry at 0 so that memory follows the window. */
    public void remove(String id) {
        Entry c = counts.get(id);
        if (c == null) {
            throw new IllegalStateException("removing " + id + " which is not in the window");
        }
        remove(c);
    }

    /** {@link #remove(String)} of an entry this estimator handed out and still holds. */
    void remove(Entry c) {
        if (--c.count == 0) {
            counts.remove(c.id);
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
        return probability(count(id));
    }

    /** {@link #probability(String)} of an entry that is in the window, without a look-up. */
    double probability(Entry e) {
        return probability(e.count);
    }

    private double probability(int count) {
        double denominator = total + smoothing * (counts.size() + 1);
        return denominator == 0 ? 0.0 : (count + smoothing) / denominator;
    }
}
