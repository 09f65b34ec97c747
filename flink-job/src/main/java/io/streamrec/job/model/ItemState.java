package io.streamrec.job.model;

import java.io.Serializable;

/**
 * Everything the ItemTower keeps per item key: the authoritative item vector (with the bias as last coordinate
 * when {@code model.item-bias} is on), its Adagrad accumulator and how many gradient records it has absorbed.
 * {@link Learner#applyItemGradient} updates it in place.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields). Not thread-safe.
 */
public class ItemState implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final byte FORMAT = 1;

    /** The item's serving vector. */
    public float[] vector;
    /** Adagrad accumulator, one per coordinate. */
    public float[] accumulator;
    /** Gradient records applied (a bundled record counts once). */
    public long updates;

    public ItemState() {}

    public ItemState(float[] vector, float[] accumulator) {
        this.vector = vector;
        this.accumulator = accumulator;
    }

    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            StateBytes.writeFloats(out, vector);
            StateBytes.writeFloats(out, accumulator);
            out.writeLong(updates);
        });
    }

    public static ItemState fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "item state", in -> {
            ItemState s = new ItemState(StateBytes.readFloats(in), StateBytes.readFloats(in));
            s.updates = in.readLong();
            return s;
        });
    }
}
