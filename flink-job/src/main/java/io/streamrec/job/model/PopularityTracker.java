package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The most-popular baseline: item ids with event times and weights go in, the heaviest items (and the rank of a
 * given item among them, excluding a user's seen items) come out, in bounded memory.
 *
 * <p>Space-Saving (Metwally et al. 2005) keeps {@code capacity} counters; a new id takes over the smallest counter
 * and inherits its count as an overestimate, so every item whose true share exceeds {@code 1/capacity} is
 * guaranteed to be tracked. With a half-life, counts decay exponentially in event time ("most popular lately");
 * forward decay (Cormode et al. 2009) implements this without touching every counter: an event at time t adds
 * {@code weight * 2^((t - landmark) / halfLife)}, and since all counters are read relative to the same landmark
 * their order is the decayed order. When the multiplier grows large all counters are rescaled by a power of two,
 * which is exact in floating point and so never reorders ties.
 *
 * <p>Ties rank the longer-tracked item first. Not thread-safe; one instance per subtask. Snapshot with
 * {@link #toBytes}.
 */
public final class PopularityTracker {
    private static final byte FORMAT = 1;
    /** Rescale once the forward-decay multiplier reaches 2^RESCALE_EXPONENT, far from double overflow. */
    private static final double RESCALE_EXPONENT = 64;

    private static final class Entry {
        final String id;
        double count;
        /** Space-Saving overestimate bound: count - error <= true count <= count. */
        double error;
        final long seq;

        Entry(String id, double count, double error, long seq) {
            this.id = id;
            this.count = count;
            this.error = error;
            this.seq = seq;
        }
    }

    /** Ascending count; among equal counts the newest first, so that it is the one evicted. */
    private static final Comparator<Entry> ORDER = PopularityTracker::compare;

    private static int compare(Entry a, Entry b) {
        int c = Double.compare(a.count, b.count);
        return c != 0 ? c : Long.compare(b.seq, a.seq);
    }

    private final int capacity;
    private final long halfLifeMs;
    private final HashMap<String, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> byCount = new TreeSet<>(ORDER);
    private long landmarkMs = Long.MIN_VALUE;
    private long nextSeq;

    /**
     * @param capacity counters kept; must exceed the largest k ranked plus the longest exclusion list
     * @param halfLifeMs half-life of a count in event time; 0 for no decay (plain "most popular so far")
     */
    public PopularityTracker(int capacity, long halfLifeMs) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        if (halfLifeMs < 0) {
            throw new IllegalArgumentException("halfLifeMs must be >= 0, got " + halfLifeMs);
        }
        this.capacity = capacity;
        this.halfLifeMs = halfLifeMs;
    }

    /** Counts one event of {@code itemId} at {@code timestampMs} with the given weight (> 0). */
    public void add(String itemId, long timestampMs, double weight) {
        double w = weight * decayMultiplier(timestampMs);
        Entry e = entries.get(itemId);
        if (e != null) {
            byCount.remove(e);
            e.count += w;
            byCount.add(e);
            return;
        }
        if (entries.size() < capacity) {
            e = new Entry(itemId, w, 0.0, nextSeq++);
        } else {
            Entry min = byCount.pollFirst();
            entries.remove(min.id);
            e = new Entry(itemId, min.count + w, min.count, nextSeq++);
        }
        entries.put(itemId, e);
        byCount.add(e);
    }

    private double decayMultiplier(long t) {
        if (halfLifeMs == 0) {
            return 1.0;
        }
        if (landmarkMs == Long.MIN_VALUE) {
            landmarkMs = t;
        }
        double exponent = (double) (t - landmarkMs) / halfLifeMs;
        if (exponent > RESCALE_EXPONENT) {
            // Moving the landmark to t divides every stored count by 2^shift; counts stay in the same order.
            long shift = (long) Math.floor(exponent);
            double factor = Math.scalb(1.0, (int) -Math.min(shift, 2000));
            for (Entry en : entries.values()) {
                en.count *= factor;
                en.error *= factor;
            }
            landmarkMs += shift * halfLifeMs;
            exponent = (double) (t - landmarkMs) / halfLifeMs;
        }
        return Math.pow(2.0, exponent);
    }

    /** Tracked (possibly decayed, overestimated) count of {@code itemId} relative to the others; 0 if untracked. */
    public double score(String itemId) {
        Entry e = entries.get(itemId);
        return e == null ? 0.0 : e.count;
    }

    /** Whether {@code itemId} currently holds a counter. */
    public boolean isTracked(String itemId) {
        return entries.containsKey(itemId);
    }

    /**
     * 0-based rank of {@code target} among tracked items not in {@code exclude}, or -1 when it is not tracked
     * (an untracked item is below every tracked one, so it is outside any top-k with k at most the capacity).
     */
    public int rankOf(String target, Set<String> exclude) {
        return rankOf(target, exclude, Integer.MAX_VALUE);
    }

    /**
     * {@link #rankOf(String, Set)} capped at {@code limit}. Walks down from the heaviest item, so a metric that
     * only asks "in the top 100?" stops after about 100 steps.
     */
    public int rankOf(String target, Set<String> exclude, int limit) {
        Entry t = entries.get(target);
        if (t == null) {
            return -1;
        }
        int rank = 0;
        Iterator<Entry> it = byCount.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e == t) {
                return rank;
            }
            if (!exclude.contains(e.id) && ++rank >= limit) {
                return limit;
            }
        }
        throw new IllegalStateException("tracked entry " + target + " missing from the order");
    }

    /** The {@code n} heaviest tracked items not in {@code exclude}, heaviest first. */
    public List<String> top(int n, Set<String> exclude) {
        List<String> out = new ArrayList<>(Math.min(n, entries.size()));
        Iterator<Entry> it = byCount.descendingIterator();
        while (it.hasNext() && out.size() < n) {
            Entry e = it.next();
            if (!exclude.contains(e.id)) {
                out.add(e.id);
            }
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Serializes settings, landmark and counters (in eviction order, so ties keep their order on restore). */
    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(capacity);
            out.writeLong(halfLifeMs);
            out.writeLong(landmarkMs);
            out.writeLong(nextSeq);
            out.writeInt(entries.size());
            for (Entry e : byCount) {
                StateBytes.writeString(out, e.id);
                out.writeDouble(e.count);
                out.writeDouble(e.error);
                out.writeLong(e.seq);
            }
        });
    }

    /** Restores a tracker written by {@link #toBytes}; it ranks and evicts exactly as the original would. */
    public static PopularityTracker fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "popularity tracker", in -> {
            PopularityTracker p = new PopularityTracker(in.readInt(), in.readLong());
            p.landmarkMs = in.readLong();
            p.nextSeq = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Entry e = new Entry(StateBytes.readString(in), in.readDouble(), in.readDouble(), in.readLong());
                p.entries.put(e.id, e);
                p.byCount.add(e);
            }
            return p;
        });
    }
}
