package io.streamrec.serving.retrieval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The candidate side of retrieval: every item's vector in one contiguous row-major {@code float[]} (row i is item
 * ordinal i), its id, and the inverse L2 norms used by cosine similarity. Ordinals are stable across
 * {@link #withUpdates}: an item keeps its row, new items are appended, none are removed.
 *
 * <p>Next to the floats it keeps a bfloat16 copy of the rows for {@link Bf16TopK}'s first pass (half the bytes
 * per scan; +50% memory) and each row's L2 norm rounded up (its error bound), unless built without them
 * ({@link #empty(int, boolean)}: the float kernel does not read them). Both are built with the matrix, when a
 * snapshot is swapped in, never per query. Layout: row i is {@link #packedStride()} ints; int j of a row holds
 * coordinate j in its upper 16 bits and coordinate {@code packedStride() + j} (0 past {@code dim}) in its lower 16
 * bits, each rounded to nearest-even bf16, so that {@code x & 0xFFFF0000} and {@code x << 16} reinterpreted as
 * floats are the two coordinates.
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
    private final int[] packed;
    private final float[] norms;
    private final boolean withBf16;
    /** The approximate index built for this matrix, attached once before the matrix is served (or never). */
    private volatile IvfIndex annIndex;

    private ItemMatrix(int dim, int size, String[] ids, Map<String, Integer> ordinals, float[] data,
                       float[] invNorms, int[] packed, float[] norms, boolean withBf16) {
        this.dim = dim;
        this.size = size;
        this.ids = ids;
        this.ordinals = ordinals;
        this.data = data;
        this.invNorms = invNorms;
        this.packed = packed;
        this.norms = norms;
        this.withBf16 = withBf16;
    }

    /** No items yet; {@code dim} 0 means "not known yet": the first update fixes it. With the bf16 copy. */
    public static ItemMatrix empty(int dim) {
        return empty(dim, true);
    }

    /**
     * {@link #empty(int)}; {@code withBf16} false builds this matrix and those derived from it without the bf16 copy
     * and the rounded-up norms, a third less memory, for the float kernel ({@link Bf16TopK} then scans the floats).
     */
    public static ItemMatrix empty(int dim, boolean withBf16) {
        return new ItemMatrix(dim, 0, new String[0], Map.of(), new float[0], new float[0], new int[0], new float[0],
                withBf16);
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
     * map's iteration order), with a bf16 copy if the receiver has one. The receiver is unchanged.
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
        int stride = stride(d);
        int[] newPacked = withBf16 ? Arrays.copyOf(packed, n * stride) : packed;
        float[] newNorms = withBf16 ? Arrays.copyOf(norms, n) : norms;
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
            if (withBf16) {
                pack(v, newPacked, ord * stride, stride);
                newNorms[ord] = normRoundedUp(v);
            }
        }
        return new ItemMatrix(d, n, newIds, newOrd, newData, newInv, newPacked, newNorms, withBf16);
    }

    private static int stride(int dim) {
        return (dim + 1) >>> 1;
    }

    private static void pack(float[] v, int[] out, int off, int stride) {
        for (int j = 0; j < stride; j++) {
            int lo = stride + j < v.length ? bf16(v[stride + j]) : 0;
            out[off + j] = bf16(v[j]) << 16 | lo;
        }
    }

    /**
     * The bfloat16 nearest to {@code f} (ties to even), as its 16 bits: then {@code |f - bf16(f)| <= |f| * 2^-8}
     * for normal floats and {@code <= 2^-134} for subnormal ones. Finite floats that would round to infinity are
     * clamped to the largest finite bf16 (still within {@code |f| * 2^-8}); NaN stays NaN, infinity stays infinite.
     */
    static int bf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (f != f) {
            return (x >>> 16 & 0x8000) | 0x7FC0;
        }
        int r = (x + 0x7FFF + (x >>> 16 & 1)) >>> 16;
        if ((r & 0x7FFF) == 0x7F80 && (x & 0x7FFFFFFF) != 0x7F800000) {
            r--; // a finite float rounded up to infinity
        }
        return r & 0xFFFF;
    }

    /** The L2 norm, rounded up to a float (infinite or NaN when the vector is). */
    static float normRoundedUp(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return roundUp(Math.sqrt(s));
    }

    /** The smallest float at or above {@code d}. */
    static float roundUp(double d) {
        float f = (float) d;
        return f < d ? Math.nextUp(f) : f;
    }

    static float inverseNorm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s == 0 ? 0f : (float) (1.0 / Math.sqrt(s));
    }

    /** The approximate index of this matrix, null if none was built ({@link AnnIndexer}). */
    public IvfIndex annIndex() {
        return annIndex;
    }

    /** Attaches the index built from this matrix; done by {@link AnnIndexer} before the matrix is served. */
    void attach(IvfIndex index) {
        this.annIndex = index;
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

    /** Whether {@link #packed()} and the rounded-up norms are built (see {@link #empty(int, boolean)}). */
    public boolean hasBf16() {
        return withBf16;
    }

    /** The bf16 rows (see the class comment), empty without them; callers must not modify it. */
    int[] packed() {
        return packed;
    }

    /** Ints per row of {@link #packed()}: {@code ceil(dim / 2)}. */
    int packedStride() {
        return stride(dim);
    }

    /** Each row's L2 norm, rounded up. */
    float[] norms() {
        return norms;
    }
}
