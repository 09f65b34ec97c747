package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
 *
 * <p>One of three popularity counts, on purpose not one class: this one is the trainer's live baseline (per
 * UserTower subtask, the events' training weights, approximate and bounded, optionally decayed, checkpointed in
 * operator state). Serving's {@code ingest.Popularity} counts every event of the whole topic alike, always decayed
 * by a half-life, in RocksDB, to answer users without a vector. {@code evaluate.PopularityBaseline} (local-stack)
 * counts exactly, unweighted and never decayed, over the whole stream, for the offline report's reference numbers.
 * Unifying them would make the live one exact (unbounded memory) or the report's one approximate.
 *
 * <p>Layout: counters are rows of parallel arrays, found by id through a {@link StringIntMap} and ordered by a
 * binary min-heap of rows (least count first, among equal counts the newest), so that counting an event costs one
 * look-up and a sift along one path, without allocation, and the counter to take over is the heap's root. Counts
 * only grow (weights are positive), so a counted row only moves away from the root. Ranking, which the live metric
 * needs for a small sample of events, scans the counters: rank = how many non-excluded counters outrank the item.
 */
public final class PopularityTracker {
    private static final byte FORMAT = 1;
    /** Rescale once the forward-decay multiplier reaches 2^RESCALE_EXPONENT, far from double overflow. */
    private static final double RESCALE_EXPONENT = 64;

    private final int capacity;
    private final long halfLifeMs;
    private final StringIntMap rowOfId;
    /** Per row: the id, its (decayed, overestimated) count, the Space-Saving error bound, the tracking order. */
    private String[] ids;
    private double[] counts;
    private double[] errors;
    private long[] seqs;
    /** Per row: its index in {@link #heap}. */
    private int[] heapIndex;
    /** Rows in [0, size) as a min-heap by {@link #below}. */
    private int[] heap;
    private int size;
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
        int initial = Math.min(capacity, 1024);
        rowOfId = new StringIntMap(initial);
        ids = new String[initial];
        counts = new double[initial];
        errors = new double[initial];
        seqs = new long[initial];
        heapIndex = new int[initial];
        heap = new int[initial];
    }

    /** Counts one event of {@code itemId} at {@code timestampMs} with the given weight (> 0). */
    public void add(String itemId, long timestampMs, double weight) {
        double w = weight * decayMultiplier(timestampMs);
        int row = rowOfId.get(itemId);
        if (row >= 0) {
            counts[row] += w;
            siftDown(heapIndex[row]);
            return;
        }
        if (size < capacity) {
            row = size;
            grow(size + 1);
            set(row, itemId, w, 0.0);
            heap[size] = row;
            heapIndex[row] = size;
            size++;
            siftUp(size - 1);
        } else {
            // Space-Saving: the new id takes over the least counter and inherits its count as an overestimate.
            row = heap[0];
            rowOfId.remove(ids[row]);
            double min = counts[row];
            set(row, itemId, min + w, min);
            siftDown(0);
        }
        rowOfId.put(itemId, row);
    }

    private void set(int row, String id, double count, double error) {
        ids[row] = id;
        counts[row] = count;
        errors[row] = error;
        seqs[row] = nextSeq++;
    }

    private void grow(int rows) {
        if (rows > ids.length) {
            int n = (int) Math.min(capacity, Math.max(rows, 2L * ids.length));
            ids = Arrays.copyOf(ids, n);
            counts = Arrays.copyOf(counts, n);
            errors = Arrays.copyOf(errors, n);
            seqs = Arrays.copyOf(seqs, n);
            heapIndex = Arrays.copyOf(heapIndex, n);
            heap = Arrays.copyOf(heap, n);
        }
    }

    /**
     * Whether row {@code a} is below row {@code b}: a smaller count, or among equal counts the newer (it is the one
     * evicted, and it ranks after the longer-tracked one).
     */
    private boolean below(int a, int b) {
        int c = Double.compare(counts[a], counts[b]);
        return c != 0 ? c < 0 : seqs[a] > seqs[b];
    }

    private void siftDown(int i) {
        int row = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && below(heap[child + 1], heap[child])) {
                child++;
            }
            if (!below(heap[child], row)) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(row, i);
    }

    private void siftUp(int i) {
        int row = heap[i];
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!below(row, heap[parent])) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(row, i);
    }

    private void place(int row, int i) {
        heap[i] = row;
        heapIndex[row] = i;
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
            for (int r = 0; r < size; r++) {
                counts[r] *= factor;
                errors[r] *= factor;
            }
            landmarkMs += shift * halfLifeMs;
            exponent = (double) (t - landmarkMs) / halfLifeMs;
        }
        return Math.pow(2.0, exponent);
    }

    /** Tracked (possibly decayed, overestimated) count of {@code itemId} relative to the others; 0 if untracked. */
    public double score(String itemId) {
        int row = rowOfId.get(itemId);
        return row < 0 ? 0.0 : counts[row];
    }

    /** Whether {@code itemId} currently holds a counter. */
    public boolean isTracked(String itemId) {
        return rowOfId.get(itemId) >= 0;
    }

    /**
     * 0-based rank of {@code target} among tracked items not in {@code exclude}, or -1 when it is not tracked
     * (an untracked item is below every tracked one, so it is outside any top-k with k at most the capacity).
     */
    public int rankOf(String target, Set<String> exclude) {
        return rankOf(target, exclude, Integer.MAX_VALUE);
    }

    /**
     * {@link #rankOf(String, Set)} capped at {@code limit}: one pass over the counters, which stops once
     * {@code limit} non-excluded items outrank the target.
     */
    public int rankOf(String target, Set<String> exclude, int limit) {
        int t = rowOfId.get(target);
        if (t < 0) {
            return -1;
        }
        int rank = 0;
        for (int r = 0; r < size; r++) {
            if (r != t && below(t, r) && !exclude.contains(ids[r]) && ++rank >= limit) {
                return limit;
            }
        }
        return rank;
    }

    /** The {@code n} heaviest tracked items not in {@code exclude}, heaviest first. */
    public List<String> top(int n, Set<String> exclude) {
        List<String> out = new ArrayList<>(Math.min(n, size));
        for (int row : rowsDescending()) {
            if (out.size() == n) {
                break;
            }
            if (!exclude.contains(ids[row])) {
                out.add(ids[row]);
            }
        }
        return out;
    }

    /** Every row, heaviest first (ties: longer-tracked first). */
    private int[] rowsDescending() {
        Integer[] rows = new Integer[size];
        for (int r = 0; r < size; r++) {
            rows[r] = r;
        }
        Arrays.sort(rows, (a, b) -> a.equals(b) ? 0 : below(a, b) ? 1 : -1);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = rows[i];
        }
        return out;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Serializes settings, landmark and counters (in eviction order, so ties keep their order on restore). */
    public byte[] toBytes() {
        int[] descending = rowsDescending();
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(capacity);
            out.writeLong(halfLifeMs);
            out.writeLong(landmarkMs);
            out.writeLong(nextSeq);
            out.writeInt(size);
            for (int i = size - 1; i >= 0; i--) {
                int row = descending[i];
                StateBytes.writeString(out, ids[row]);
                out.writeDouble(counts[row]);
                out.writeDouble(errors[row]);
                out.writeLong(seqs[row]);
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
            p.grow(n);
            for (int row = 0; row < n; row++) {
                p.ids[row] = StateBytes.readString(in);
                p.counts[row] = in.readDouble();
                p.errors[row] = in.readDouble();
                p.seqs[row] = in.readLong();
                p.rowOfId.put(p.ids[row], row);
                // Written in ascending order, so the rows in order already form a valid min-heap.
                p.place(row, row);
            }
            p.size = n;
            return p;
        });
    }
}
