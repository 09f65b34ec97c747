package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>Layout: pending sums are rows of one float array in first-touched order. A step's gradients arrive with the
 * {@link ItemVectorCache} slot of each item ({@link #addEvent(StepResult)}), and a slot-indexed table finds the
 * row without hashing the id (tens of adds per event, so hashing was most of the cost); the table entry is
 * trusted only when the row's id equals the item's, since a slot can be reused by another item. Adds without a
 * slot, and the first add of an item per bundle, go through an id map, so each item has exactly one row.
 */
public final class GradientBundle {
    private static final byte FORMAT = 2;
    /** Written before rows counted positives; still read (as no positives). */
    private static final byte FORMAT_WITHOUT_POSITIVES = 1;

    private final StringIntMap rowOfId = new StringIntMap();
    /** Row of a cache slot + 1; 0 for none. Grows to the highest slot seen. */
    private int[] rowOfSlot = new int[0];
    private String[] ids = new String[16];
    private int[] appearances = new int[16];
    private int[] positives = new int[16];
    /** The slot each row was registered under in {@link #rowOfSlot}, -1 for none. */
    private int[] slotOfRow = new int[16];
    private float[] sums = new float[0];
    private int length = -1;
    private int rows;
    private int events;

    /** Adds one event's gradients (as returned by {@link Learner#train}) and counts the event. */
    public void addEvent(List<ItemGradient> gradients) {
        for (ItemGradient g : gradients) {
            add(g);
        }
        events++;
    }

    /** {@link #addEvent(List)} of a training step's gradients, using their cache slots to find the rows. */
    public void addEvent(StepResult step) {
        addGradients(step);
        events++;
    }

    /** Adds a step's gradients without counting an event (e.g. {@link Learner#closeNegatives}). */
    public void addGradients(StepResult step) {
        List<ItemGradient> gradients = step.itemGradients;
        int[] slots = step.itemSlots;
        for (int i = 0; i < gradients.size(); i++) {
            ItemGradient g = gradients.get(i);
            add(g.itemId, i < slots.length ? slots[i] : -1, g.gradient, g.appearances, g.positives);
        }
    }

    /** Sums one gradient record into the bundle (the argument is not kept). */
    public void add(ItemGradient g) {
        add(g.itemId, -1, g.gradient, g.appearances, g.positives);
    }

    private void add(String id, int slot, float[] gradient, int count, int positiveCount) {
        int row = -1;
        if (slot >= 0 && slot < rowOfSlot.length) {
            int r = rowOfSlot[slot] - 1;
            if (r >= 0 && r < rows && (ids[r] == id || ids[r].equals(id))) {
                row = r;
            }
        }
        if (row < 0) {
            int r = rowOfId.get(id);
            row = r >= 0 ? r : newRow(id, gradient.length);
            if (slot >= 0) {
                remember(slot, row);
            }
        }
        int base = row * length;
        for (int d = 0; d < length; d++) {
            sums[base + d] += gradient[d];
        }
        appearances[row] += count;
        positives[row] += positiveCount;
    }

    private int newRow(String id, int gradientLength) {
        if (length < 0) {
            length = gradientLength;
        } else if (gradientLength != length) {
            throw new IllegalArgumentException("gradient of " + id + " has length " + gradientLength
                    + ", the bundle holds " + length);
        }
        if (rows == ids.length) {
            int n = 2 * rows;
            ids = Arrays.copyOf(ids, n);
            appearances = Arrays.copyOf(appearances, n);
            positives = Arrays.copyOf(positives, n);
            slotOfRow = Arrays.copyOf(slotOfRow, n);
        }
        if ((rows + 1) * length > sums.length) {
            sums = Arrays.copyOf(sums, Math.max(16 * length, 2 * sums.length));
        }
        int row = rows++;
        ids[row] = id;
        appearances[row] = 0;
        positives[row] = 0;
        slotOfRow[row] = -1;
        Arrays.fill(sums, row * length, (row + 1) * length, 0f);
        rowOfId.put(id, row);
        return row;
    }

    /** Registers {@code row} under {@code slot} (its only slot: a row found under an older slot leaves that one). */
    private void remember(int slot, int row) {
        int old = slotOfRow[row];
        if (old >= 0 && rowOfSlot[old] == row + 1) {
            rowOfSlot[old] = 0;
        }
        if (slot >= rowOfSlot.length) {
            rowOfSlot = Arrays.copyOf(rowOfSlot, Math.max(slot + 1, 2 * rowOfSlot.length));
        }
        rowOfSlot[slot] = row + 1;
        slotOfRow[row] = slot;
    }

    /** The summed records in first-touched order; the bundle is empty afterwards. */
    public List<ItemGradient> drain() {
        List<ItemGradient> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            out.add(new ItemGradient(ids[r], Arrays.copyOfRange(sums, r * length, (r + 1) * length),
                    appearances[r], positives[r]));
        }
        clear();
        return out;
    }

    private void clear() {
        for (int r = 0; r < rows; r++) {
            int slot = slotOfRow[r];
            if (slot >= 0 && rowOfSlot[slot] == r + 1) {
                rowOfSlot[slot] = 0;
            }
            ids[r] = null;
        }
        rowOfId.clear();
        rows = 0;
        events = 0;
    }

    /** Distinct items pending. */
    public int size() {
        return rows;
    }

    /** Events added since the last drain. */
    public int events() {
        return events;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(events);
            out.writeInt(rows);
            for (int r = 0; r < rows; r++) {
                StateBytes.writeString(out, ids[r]);
                StateBytes.writeFloats(out, Arrays.copyOfRange(sums, r * length, (r + 1) * length));
                out.writeInt(appearances[r]);
                out.writeInt(positives[r]);
            }
        });
    }

    public static GradientBundle fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT_WITHOUT_POSITIVES, FORMAT, "gradient bundle", (format, in) -> {
            GradientBundle b = new GradientBundle();
            int events = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                b.add(new ItemGradient(StateBytes.readString(in), StateBytes.readFloats(in), in.readInt(),
                        format >= 2 ? in.readInt() : 0));
            }
            b.events = events;
            return b;
        });
    }
}
