package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Sums item gradients per item over a short run of events on one UserTower subtask: per-event
 * {@link ItemGradient}s go in, one summed record per touched item comes out on {@link #drain()}. Each event touches
 * one positive and K negatives that are mostly the same popular items, so bundling cuts the shuffle to the
 * ItemTower from {@code events * (K + 1)} records to about the number of distinct items.
 *
 * <p>Summing and then taking one Adagrad step is a mini-batch step: the accumulator grows by the square of the
 * sum rather than the sum of squares. Drain before each checkpoint barrier, or snapshot with {@link #toBytes}, so
 * that no gradient is lost on restore. Not thread-safe; one per subtask.
 */
public final class GradientBundle {
    private static final byte FORMAT = 1;

    private final LinkedHashMap<String, ItemGradient> pending = new LinkedHashMap<>();
    private int events;

    /** Adds one event's gradients (as returned by {@link Learner#train}) and counts the event. */
    public void addEvent(List<ItemGradient> gradients) {
        for (ItemGradient g : gradients) {
            add(g);
        }
        events++;
    }

    /** Sums one gradient record into the bundle (the argument is not kept). */
    public void add(ItemGradient g) {
        ItemGradient sum = pending.get(g.itemId);
        if (sum == null) {
            pending.put(g.itemId, new ItemGradient(g.itemId, g.gradient.clone(), g.appearances));
        } else {
            Vectors.axpy(1f, g.gradient, sum.gradient);
            sum.appearances += g.appearances;
        }
    }

    /** The summed records in first-touched order; the bundle is empty afterwards. */
    public List<ItemGradient> drain() {
        List<ItemGradient> out = new ArrayList<>(pending.values());
        pending.clear();
        events = 0;
        return out;
    }

    /** Distinct items pending. */
    public int size() {
        return pending.size();
    }

    /** Events added since the last drain. */
    public int events() {
        return events;
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(events);
            out.writeInt(pending.size());
            for (ItemGradient g : pending.values()) {
                StateBytes.writeString(out, g.itemId);
                StateBytes.writeFloats(out, g.gradient);
                out.writeInt(g.appearances);
            }
        });
    }

    public static GradientBundle fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "gradient bundle", in -> {
            GradientBundle b = new GradientBundle();
            b.events = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                ItemGradient g = new ItemGradient(StateBytes.readString(in), StateBytes.readFloats(in), in.readInt());
                b.pending.put(g.itemId, g);
            }
            return b;
        });
    }
}
