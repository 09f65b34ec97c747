package io.streamrec.job.model;

import io.streamrec.schema.features.ItemFeatures;
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
    private static final byte FORMAT = 3;
    /** Written before items counted their positives; still read (as a count of 0). */
    private static final byte FORMAT_WITHOUT_POSITIVES = 2;

    /** The item's serving vector. */
    public float[] vector;
    /** Adagrad accumulator, one per coordinate. */
    public float[] accumulator;
    /** Gradient records applied (a bundled record counts once). */
    public long updates;
    /**
     * Items with catalog features: the keys the served vector is composed of ({@code null} or empty for none; a
     * feature or context key never has any).
     */
    public String[] featureKeys;
    /** Their coefficients, parallel to {@link #featureKeys}. */
    public float[] featureWeights;
    /** The catalog retired the item: it is published as removed, and not again until the catalog offers it again. */
    public boolean retired;
    /** How many events have had this item as their positive (published as its popularity). */
    public long positives;

    public ItemState() {}

    public ItemState(float[] vector, float[] accumulator) {
        this.vector = vector;
        this.accumulator = accumulator;
    }

    /** The catalog features ({@link ItemFeatures#NONE} for none). */
    public ItemFeatures features() {
        return featureKeys == null || featureKeys.length == 0 ? ItemFeatures.NONE
                : ItemFeatures.of(featureKeys, featureWeights);
    }

    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            StateBytes.writeFloats(out, vector);
            StateBytes.writeFloats(out, accumulator);
            out.writeLong(updates);
            ItemFeatures f = features();
            out.writeInt(f.size());
            for (int i = 0; i < f.size(); i++) {
                StateBytes.writeString(out, f.key(i));
                out.writeFloat(f.weight(i));
            }
            out.writeBoolean(retired);
            out.writeLong(positives);
        });
    }

    public static ItemState fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT_WITHOUT_POSITIVES, FORMAT, "item state", (format, in) -> {
            ItemState s = new ItemState(StateBytes.readFloats(in), StateBytes.readFloats(in));
            s.updates = in.readLong();
            int n = in.readInt();
            s.featureKeys = new String[n];
            s.featureWeights = new float[n];
            for (int i = 0; i < n; i++) {
                s.featureKeys[i] = StateBytes.readString(in);
                s.featureWeights[i] = in.readFloat();
            }
            s.retired = in.readBoolean();
            if (format >= 3) {
                s.positives = in.readLong();
            }
            return s;
        });
    }
}
