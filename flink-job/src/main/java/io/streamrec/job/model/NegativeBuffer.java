package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A bounded ring of recently seen positive item ids from which negatives are drawn: positives go in (oldest
 * overwritten), uniform draws come out. Sampling the stream's own positives is the streaming analogue of TFRS
 * in-batch negatives: an item is drawn in proportion to its recent popularity, which makes the negatives hard
 * where it matters, and the attached {@link FrequencyEstimator} knows the exact draw probability for the logQ
 * correction.
 *
 * <p>Memory: {@code capacity} ids plus one count per distinct id. Snapshot to bytes with {@link #toBytes}; the
 * frequency counts are rebuilt on {@link #fromBytes}. Not thread-safe; one instance per UserTower subtask.
 */
public final class NegativeBuffer {
    private static final byte FORMAT = 1;

    private final FrequencyEstimator.Entry[] ring;
    private final FrequencyEstimator frequencies;
    private final double smoothing;
    /** Next slot to write. */
    private int head;
    private int size;
    /** Counter behind {@link #nextEpoch}. */
    private long epoch;
    /** The draw shared by the next training steps; transient (see {@link NegativeWindow}). */
    private NegativeWindow window;

    /**
     * @param capacity how many recent positives to keep (the "batch" the negatives come from)
     * @param smoothing pseudo-count of the frequency estimate, see {@link FrequencyEstimator}
     */
    public NegativeBuffer(int capacity, double smoothing) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.ring = new FrequencyEstimator.Entry[capacity];
        this.smoothing = smoothing;
        this.frequencies = new FrequencyEstimator(smoothing);
    }

    /** Appends a positive, evicting the oldest once full. */
    public void add(String itemId) {
        FrequencyEstimator.Entry evicted = ring[head];
        if (evicted != null) {
            frequencies.remove(evicted);
        } else {
            size++;
        }
        ring[head] = frequencies.addEntry(itemId);
        head = (head + 1) % ring.length;
    }

    /** One uniform draw over the filled slots; null when empty. */
    public String sample(RandomGenerator rng) {
        FrequencyEstimator.Entry e = sampleEntry(rng);
        return e == null ? null : e.id;
    }

    /** {@link #sample}, as the drawn id's entry (same draw for the same random state); null when empty. */
    FrequencyEstimator.Entry sampleEntry(RandomGenerator rng) {
        if (size == 0) {
            return null;
        }
        // While filling, the slots [0, size) are the filled ones; once full, all are.
        return ring[rng.nextInt(size)];
    }

    /** {@link #probability(String)} of a drawn entry, without a look-up. */
    double probability(FrequencyEstimator.Entry drawn) {
        return frequencies.probability(drawn);
    }

    /** A fresh value for {@link FrequencyEstimator.Entry#drawEpoch}: one per training step (a long never wraps). */
    long nextEpoch() {
        return ++epoch;
    }

    /** The window for draws of {@code draws} vectors of {@code length} floats (a new, closed one if none fits). */
    NegativeWindow window(int draws, int length) {
        if (window == null || window.draws != draws || window.length != length) {
            window = new NegativeWindow(draws, length);
        }
        return window;
    }

    /** The window, or null before the first training step. */
    NegativeWindow currentWindow() {
        return window;
    }

    /** Probability that {@link #sample} returns {@code itemId}; see {@link FrequencyEstimator#probability}. */
    public double probability(String itemId) {
        return frequencies.probability(itemId);
    }

    public FrequencyEstimator frequencies() {
        return frequencies;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return ring.length;
    }

    /** The ids from oldest to newest. */
    public List<String> contents() {
        List<String> out = new ArrayList<>(size);
        int start = size < ring.length ? 0 : head;
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % ring.length].id);
        }
        return out;
    }

    /** Serializes capacity, smoothing, the write position and the slots as they lie in the ring. */
    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(ring.length);
            out.writeDouble(smoothing);
            out.writeInt(head);
            out.writeInt(size);
            for (int i = 0; i < size; i++) {
                StateBytes.writeString(out, ring[i].id);
            }
        });
    }

    /**
     * Restores a buffer written by {@link #toBytes}. The slots keep their positions, so the same random draws
     * return the same ids as before the snapshot (replay after a restore is deterministic).
     */
    public static NegativeBuffer fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "negative buffer", in -> {
            NegativeBuffer b = new NegativeBuffer(in.readInt(), in.readDouble());
            b.head = in.readInt();
            b.size = in.readInt();
            for (int i = 0; i < b.size; i++) {
                String id = StateBytes.readString(in);
                b.ring[i] = b.frequencies.addEntry(id);
            }
            return b;
        });
    }
}
