package io.streamrec.serving.retrieval;

import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An approximate top-k index over one {@link ItemMatrix} (inverted file, IVF): the items are clustered by k-means
 * (on a sample, L2), each cluster's rows are copied contiguously ("lists"), and a query scans only the lists whose
 * centroids score best against it, with exact float scores (so no re-scoring pass is needed), then, if fewer than k
 * available items were seen, further lists in rank order until k are found. Exclusions are checked inside the scan,
 * as in {@link VectorTopK}, so k results come back whatever is excluded, as long as k items are available.
 *
 * <p>Inner products are not distances (a long vector outranks a close one), so the clustering uses the MIPS-to-L2
 * transform: every row gets an extra coordinate {@code sqrt(M^2 - ||v||^2)} (M the largest norm), which makes all
 * rows equally long, so that the rows nearest an augmented query (extra coordinate 0) are those of largest inner
 * product. Lists are ranked by the query's inner product with their centroids. Within a list rows are in descending
 * norm order, and a list's scan stops at the first row whose Cauchy-Schwarz bound {@code ||q|| ||v||} cannot beat the
 * k-th best score so far (dot products only): with the skewed norms of learned embeddings most of a list is skipped.
 *
 * <p>Memory: the reordered float rows (1x the matrix) plus 12 bytes per item (row to ordinal, norm, list) plus the
 * centroids.
 * Built off the query path ({@link AnnIndexer}); a rebuild reuses the previous index's centroids, and the list of
 * every row whose floats did not change, so a snapshot that changes 10% of the items costs a tenth of the
 * assignments. Immutable and thread-safe once built.
 */
public final class IvfIndex {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;
    private static final int LANES = SPECIES.length();

    private final int dim;
    private final int size;
    private final int lists;
    private final float[] centroids;
    private final int[] start;
    private final int[] perm;
    private final int[] assignment;
    private final float[] rows;
    /** Each position's L2 norm, rounded up; within a list positions are in descending norm order. */
    private final float[] norms;
    private final int probes;

    private IvfIndex(int dim, int size, int lists, float[] centroids, int[] start, int[] perm,
                     int[] assignment, float[] rows, float[] norms, int probes) {
        this.dim = dim;
        this.size = size;
        this.lists = lists;
        this.centroids = centroids;
        this.start = start;
        this.perm = perm;
        this.assignment = assignment;
        this.rows = rows;
        this.norms = norms;
        this.probes = probes;
    }

    /** Lists for a matrix of n items when none are configured: about sqrt(n) / 4, at least 8. */
    public static int defaultLists(int n) {
        return Math.max(8, (int) Math.round(Math.sqrt(n) / 4));
    }

    /** Lists probed per query when none are configured: 35% of them, at least 8 (recall about 0.96-0.97). */
    public static int defaultProbes(int lists) {
        return Math.min(lists, Math.max(8, (int) Math.ceil(0.35 * lists)));
    }

    public int lists() {
        return lists;
    }

    public int probes() {
        return probes;
    }

    /** Bytes held by the index (beyond the matrix it indexes). */
    public long memoryBytes() {
        return 4L * rows.length + 4L * norms.length + 4L * perm.length + 4L * assignment.length + 4L * centroids.length + 4L * start.length;
    }

    /**
     * Builds the index of {@code m}.
     *
     * @param lists    clusters (0: {@link #defaultLists})
     * @param probes   lists scanned per query at least (0: {@link #defaultProbes})
     * @param previous the index of the previous snapshot's matrix (null for none): its centroids are reused, and
     *                 its assignment for every row of {@code prevMatrix} whose floats are unchanged
     */
    public static IvfIndex build(ItemMatrix m, int lists, int probes, IvfIndex previous, ItemMatrix prevMatrix,
                                 long seed) {
        int n = m.size();
        int dim = m.dim();
        float[] data = m.data();
        int auto = defaultLists(n);
        if (lists == 0 && previous != null && previous.dim == dim && previous.lists <= 2 * auto
                && 2 * previous.lists >= auto) {
            auto = previous.lists; // keep the lists (and centroids) while the catalog grows or shrinks moderately
        }
        int nl = Math.max(1, Math.min(lists > 0 ? lists : auto, Math.max(1, n)));
        float[] centroids;
        boolean reuse = previous != null && previous.dim == dim && previous.lists == nl && prevMatrix != null
                && prevMatrix.dim() == dim;
        if (reuse) {
            centroids = previous.centroids;
        } else {
            centroids = kmeans(data, extra(data, n, dim), n, dim, nl, seed);
        }
        int[] assignment = new int[n];
        float[] ext = extra(data, n, dim);
        float[] cnorm = halfSquaredNorms(centroids, nl, dim + 1);
        float[] prevData = reuse ? prevMatrix.data() : null;
        int prevN = reuse ? Math.min(prevMatrix.size(), previous.size) : 0;
        for (int i = 0; i < n; i++) {
            if (i < prevN && Arrays.equals(data, i * dim, (i + 1) * dim, prevData, i * dim, (i + 1) * dim)) {
                assignment[i] = previous.assignment[i];
            } else {
                assignment[i] = nearest(data, i * dim, ext[i], centroids, cnorm, nl, dim);
            }
        }
        int[] start = new int[nl + 1];
        for (int i = 0; i < n; i++) {
            start[assignment[i] + 1]++;
        }
        for (int l = 0; l < nl; l++) {
            start[l + 1] += start[l];
        }
        // Within a list, descending norm: a scan stops where ||q|| ||v|| cannot beat the k-th best score.
        float[] itemNorms = new float[n];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int j = i * dim, end = j + dim; j < end; j++) {
                sq += (double) data[j] * data[j];
            }
            itemNorms[i] = ItemMatrix.roundUp(Math.sqrt(sq));
        }
        int[] fill = Arrays.copyOf(start, nl);
        long[] keys = new long[n]; // per list: descending norm (inverted bits of a non-negative float), then ordinal
        for (int i = 0; i < n; i++) {
            keys[fill[assignment[i]]++] = ((long) (~Float.floatToIntBits(itemNorms[i]) & 0x7FFFFFFF) << 32) | i;
        }
        for (int l = 0; l < nl; l++) {
            Arrays.sort(keys, start[l], start[l + 1]);
        }
        int[] perm = new int[n];
        float[] rows = new float[n * dim];
        float[] norms = new float[n];
        for (int p = 0; p < n; p++) {
            int i = (int) keys[p];
            int l = assignment[i];
            perm[p] = i;
            norms[p] = itemNorms[i];
            System.arraycopy(data, i * dim, rows, p * dim, dim);
        }
        return new IvfIndex(dim, n, nl, centroids, start, perm, assignment, rows, norms,
                probes > 0 ? Math.min(probes, nl) : defaultProbes(nl));
    }

    private static float[] halfSquaredNorms(float[] c, int nl, int dim) {
        float[] out = new float[nl];
        for (int l = 0; l < nl; l++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                s += (double) c[l * dim + j] * c[l * dim + j];
            }
            out[l] = (float) (s / 2);
        }
        return out;
    }

    /**
     * The MIPS-to-L2 transform's extra coordinate of every row: {@code sqrt(M^2 - ||v||^2)} with M the largest norm,
     * so that every augmented row has norm M and the nearest rows (L2) to an augmented query (extra coordinate 0)
     * are those of largest inner product: the clustering then groups what a query ranks together.
     */
    private static float[] extra(float[] data, int n, int dim) {
        double[] sq = new double[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                s += (double) data[i * dim + j] * data[i * dim + j];
            }
            sq[i] = s;
            max = Math.max(max, s);
        }
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            e[i] = (float) Math.sqrt(Math.max(0, max - sq[i]));
        }
        return e;
    }

    /** argmin_l ||x - c_l||^2 = argmax_l (x . c_l - ||c_l||^2 / 2), in the augmented space (dim + 1). */
    private static int nearest(float[] data, int off, float ext, float[] centroids, float[] cnorm, int nl, int dim) {
        int best = 0;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < nl; l++) {
            int c = l * (dim + 1);
            float s = dot(centroids, c, data, off, dim) + ext * centroids[c + dim] - cnorm[l];
            if (s > bestScore) {
                bestScore = s;
                best = l;
            }
        }
        return best;
    }

    /** Lloyd's k-means on a sample of at most 64 points per list, 10 iterations, random initial centroids. */
    static float[] kmeans(float[] data, float[] ext, int n, int dim, int nl, long seed) {
        int da = dim + 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        int sampleSize = Math.min(n, 64 * nl);
        int[] sample = new int[sampleSize];
        if (sampleSize == n) {
            for (int i = 0; i < n; i++) {
                sample[i] = i;
            }
        } else {
            for (int i = 0; i < sampleSize; i++) {
                sample[i] = rnd.nextInt(n);
            }
        }
        float[] c = new float[nl * da];
        for (int l = 0; l < nl; l++) {
            int s = sample[rnd.nextInt(sampleSize)];
            System.arraycopy(data, s * dim, c, l * da, dim);
            c[l * da + dim] = ext[s];
        }
        int[] assign = new int[sampleSize];
        for (int iter = 0; iter < 10; iter++) {
            float[] cnorm = halfSquaredNorms(c, nl, da);
            for (int s = 0; s < sampleSize; s++) {
                assign[s] = nearest(data, sample[s] * dim, ext[sample[s]], c, cnorm, nl, dim);
            }
            double[] sum = new double[nl * da];
            int[] count = new int[nl];
            for (int s = 0; s < sampleSize; s++) {
                int l = assign[s];
                count[l]++;
                int o = sample[s] * dim;
                for (int j = 0; j < dim; j++) {
                    sum[l * da + j] += data[o + j];
                }
                sum[l * da + dim] += ext[sample[s]];
            }
            for (int l = 0; l < nl; l++) {
                if (count[l] == 0) { // an empty cluster restarts at a random sample point
                    int r = sample[rnd.nextInt(sampleSize)];
                    System.arraycopy(data, r * dim, c, l * da, dim);
                    c[l * da + dim] = ext[r];
                    continue;
                }
                for (int j = 0; j < da; j++) {
                    c[l * da + j] = (float) (sum[l * da + j] / count[l]);
                }
            }
        }
        return c;
    }

    /**
     * The approximate top-k of {@code query} over the indexed matrix {@code m} (the one this index was built from):
     * ordinals of {@code m}, best first, never an excluded one, {@code min(k, available)} of them.
     */
    public TopKResult search(ItemMatrix m, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(m, query, k);
        int want = Math.min(k, Math.max(size - excluded.count(), 0));
        ScoreHeap heap = new ScoreHeap(want);
        if (want == 0) {
            return heap.toResult();
        }
        float[] inv = sim == Similarity.COSINE ? m.invNorms() : null;
        float queryScale = sim == Similarity.COSINE ? ItemMatrix.inverseNorm(query) : 1f;
        double qn = 0;
        for (float x : query) {
            qn += (double) x * x;
        }
        float[] rank = new float[lists];
        for (int l = 0; l < lists; l++) {
            rank[l] = dot(centroids, l * (dim + 1), query, 0, dim);
        }
        Integer[] order;
        // Cauchy-Schwarz: q . v <= ||q|| ||v||; rounded up (a relative 2^-16 covers the float sums' error for any
        // dim the bf16 kernel accepts, with a wide margin). Only for dot products: a cosine is at most 1 anyway.
        float qBound = inv == null ? (float) (Math.sqrt(qn) * (1 + 0x1p-16)) : Float.NaN;
        int[] top = topLists(rank, Math.min(probes, lists));
        for (int l : top) {
            scan(heap, query, qBound, start[l], start[l + 1], inv, queryScale, excluded);
        }
        if (heap.size() < want) { // too few available items in the probed lists: continue in rank order
            order = new Integer[lists];
            for (int l = 0; l < lists; l++) {
                order[l] = l;
            }
            Arrays.sort(order, (a, b) -> Float.compare(rank[b], rank[a]));
            boolean[] done = new boolean[lists];
            for (int l : top) {
                done[l] = true;
            }
            for (int r = 0; r < lists && heap.size() < want; r++) {
                int l = order[r];
                if (!done[l]) {
                    scan(heap, query, qBound, start[l], start[l + 1], inv, queryScale, excluded);
                }
            }
        }
        return heap.toResult();
    }

    /** The {@code p} best lists by rank, any order. */
    private static int[] topLists(float[] rank, int p) {
        ScoreHeap h = new ScoreHeap(p);
        for (int l = 0; l < rank.length; l++) {
            if (h.wouldAccept(rank[l])) {
                h.push(rank[l], l);
            }
        }
        TopKResult r = h.toResult();
        int[] out = new int[r.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.ordinal(i);
        }
        return out;
    }

    private void scan(ScoreHeap heap, float[] query, float qBound, int from, int to, float[] inv, float queryScale,
                      Exclusion excluded) {
        float[] data = rows;
        float[] s = new float[4];
        int p = from;
        for (; p + 4 <= to; p += 4) {
            if (qBound * norms[p] + 0x1p-100f < heap.threshold()) {
                return; // no later item of this list (smaller norms) can enter the heap
            }
            RowDots.four(data, p * dim, dim, query, s);
            offer(heap, s[0], perm[p], inv, queryScale, excluded);
            offer(heap, s[1], perm[p + 1], inv, queryScale, excluded);
            offer(heap, s[2], perm[p + 2], inv, queryScale, excluded);
            offer(heap, s[3], perm[p + 3], inv, queryScale, excluded);
        }
        for (; p < to; p++) {
            if (qBound * norms[p] + 0x1p-100f < heap.threshold()) {
                return;
            }
            offer(heap, dot(data, p * dim, query, 0, dim), perm[p], inv, queryScale, excluded);
        }
    }

    private static void offer(ScoreHeap heap, float dot, int ordinal, float[] inv, float queryScale,
                              Exclusion excluded) {
        float s = VectorTopK.score(dot, ordinal, inv, queryScale);
        if (heap.wouldAccept(s) && !excluded.contains(ordinal)) {
            heap.push(s, ordinal);
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(dim);
        int j = 0;
        for (; j < bound; j += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, aOff + j).fma(FloatVector.fromArray(SPECIES, b, bOff + j), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < dim; j++) {
            s += a[aOff + j] * b[bOff + j];
        }
        return s;
    }
}
