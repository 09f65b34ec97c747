package io.streamrec.serving.retrieval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The candidate side of retrieval: every item's vector in one contiguous row-major {@code float[]} (row i is item
 * ordinal i), its id, and the inverse L2 norms used by cosine similarity. Ordinals are stable across
 * {@link #withUpdates}: an item keeps its row, new items are appended, none are removed.
 *
 * <p>Immutable, so thread-safe: queries read it without locks while the next one is being built.
 */
public final class ItemMatrix {
    private final int dim;
    private final int size;
    private final String[] ids;
    private final Map<String, Integer> ordinals;
    private final float[] data;
    private final float[] invNorms;

    private ItemMatrix(int dim, int size, String[] ids, Map<String, Integer> ordinals, float[] data,
                       float[] invNorms) {
        this.dim = dim;
        this.size = size;
        this.ids = ids;
        this.ordinals = ordinals;
        this.data = data;
        this.invNorms = invNorms;
    }

    /** No items yet; {@code dim} 0 means "not known yet": the first update fixes it. */
    public static ItemMatrix empty(int dim) {
        return new ItemMatrix(dim, 0, new String[0], Map.of(), new float[0], new float[0]);
    }

    /** Builds a matrix from parallel arrays (tests, benchmarks); every vector must have {@code dim} floats. */
    public static ItemMatrix of(String[] ids, float[][] vectors) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        Map<String, float[]> updates = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            updates.put(ids[i], vectors[i]);
        }
        return empty(dim).withUpdates(updates);
    }

    /**
     * A new matrix with the given vectors upserted (existing ids keep their ordinal, new ids are appended in the
     * map's iteration order). The receiver is unchanged.
     *
     * @throws IllegalArgumentException if a vector's length differs from this matrix's dimension (when known)
     */
    public ItemMatrix withUpdates(Map<String, float[]> updates) {
        int d = dim;
        if (d == 0) {
            for (float[] v : updates.values()) {
                d = v.length;
                break;
            }
        }
        int added = 0;
        for (Map.Entry<String, float[]> e : updates.entrySet()) {
            if (e.getValue().length != d) {
                throw new IllegalArgumentException("item '" + e.getKey() + "' has dimension " + e.getValue().length
                        + ", the matrix has " + d);
            }
            if (!ordinals.containsKey(e.getKey())) {
                added++;
            }
        }
        int n = size + added;
        // Copy-on-write: the served matrix stays untouched while queries run on it.
        float[] newData = Arrays.copyOf(data, n * d);
        float[] newInv = Arrays.copyOf(invNorms, n);
        String[] newIds = Arrays.copyOf(ids, n);
        Map<String, Integer> newOrd = new HashMap<>(ordinals);
        int next = size;
        for (Map.Entry<String, float[]> e : updates.entrySet()) {
            Integer ord = newOrd.get(e.getKey());
            if (ord == null) {
                ord = next++;
                newOrd.put(e.getKey(), ord);
                newIds[ord] = e.getKey();
            }
            float[] v = e.getValue();
            System.arraycopy(v, 0, newData, ord * d, d);
            newInv[ord] = inverseNorm(v);
        }
        return new ItemMatrix(d, n, newIds, newOrd, newData, newInv);
    }

    static float inverseNorm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s == 0 ? 0f : (float) (1.0 / Math.sqrt(s));
    }

    public int dim() {
        return dim;
    }

    public int size() {
        return size;
    }

    /** Ordinal of an item, or -1 if it is not in the matrix. */
    public int ordinal(String itemId) {
        Integer o = ordinals.get(itemId);
        return o == null ? -1 : o;
    }

    public String id(int ordinal) {
        return ids[ordinal];
    }

    /** A copy of the item's vector. */
    public float[] vector(int ordinal) {
        return Arrays.copyOfRange(data, ordinal * dim, (ordinal + 1) * dim);
    }

    /** The backing rows; callers must not modify it. */
    float[] data() {
        return data;
    }

    float[] invNorms() {
        return invNorms;
    }
}
