package io.streamrec.serving.retrieval;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link VectorTopK} or {@link Bf16TopK} (see {@link Kernel}; {@link ScalarTopK} on a JVM without the Vector API)
 * with one query's scan split over several cores: the items are cut into contiguous chunks (a few per thread), the
 * calling thread and any idle helper claim chunks from a shared counter until none is left, each chunk's exact top-k
 * is found by whoever claimed it, and the per-chunk lists are merged. Every item of the global top-k is in its chunk's top-k, so
 * the result is the same exact top-k, with the same tie order (score, then ascending ordinal), as the single-threaded
 * scan.
 *
 * <p>Why: one scan of a large matrix is bound by one core's memory bandwidth; two cores halve a single query's
 * latency (BENCHMARKS.md). Under concurrent load every core is already busy, so splitting only adds hand-offs: a
 * query is offered to a helper thread only when one is idle at that moment (a {@link SynchronousQueue} pool), and
 * the caller never waits for a helper to start: a helper that wakes late finds fewer (or no) chunks left, and the
 * caller waits only for chunks a helper has claimed, at most one chunk's scan each. Small matrices are never split.
 *
 * <p>Thread-safe. {@link #close} stops the helper threads.
 */
public final class ParallelTopK implements TopK, AutoCloseable {

    /** The per-range kernel; both return the same exact result. */
    public enum Kernel {
        /** {@link VectorTopK}: one pass over the float rows. */
        FLOAT,
        /** {@link Bf16TopK}: a pass over the bf16 copy, then exact re-scoring of the few candidates. */
        BF16;

        /**
         * The kernel, or {@link ScalarTopK} when the Vector API is not there: loading {@link VectorTopK} or
         * {@link Bf16TopK} without {@code jdk.incubator.vector} in the boot layer fails with NoClassDefFoundError,
         * so neither class is touched then.
         */
        RangeTopK create() {
            if (!vectorApiAvailable()) {
                return new ScalarTopK();
            }
            return this == FLOAT ? new VectorTopK() : new Bf16TopK();
        }
    }

    /** Whether this JVM was started with {@code --add-modules jdk.incubator.vector} (the SIMD kernels need it). */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** What actually scans: {@code "bf16 (Vector API)"}, {@code "float (Vector API)"} or {@code "scalar"}. */
    public String kernelName() {
        return kernel instanceof ScalarTopK ? "scalar"
                : (kernel instanceof Bf16TopK ? "bf16" : "float") + " (Vector API)";
    }

    private final RangeTopK kernel;
    private final int parts;
    private final int minItemsPerPart;
    private final ThreadPoolExecutor helpers;

    /**
     * With the {@link Kernel#FLOAT} kernel.
     *
     * @param parts           ranges per query at most (1 = never split)
     * @param minItemsPerPart a query is split only into ranges of at least this many items
     */
    public ParallelTopK(int parts, int minItemsPerPart) {
        this(parts, minItemsPerPart, Kernel.FLOAT);
    }

    /**
     * @param parts           ranges per query at most (1 = never split)
     * @param minItemsPerPart a query is split only into ranges of at least this many items
     * @param kernel          what scans each range
     */
    public ParallelTopK(int parts, int minItemsPerPart, Kernel kernel) {
        this.kernel = kernel.create();
        if (parts < 1 || minItemsPerPart < 1) {
            throw new IllegalArgumentException("parts and minItemsPerPart must be >= 1, got " + parts + ", "
                    + minItemsPerPart);
        }
        this.parts = parts;
        this.minItemsPerPart = minItemsPerPart;
        AtomicInteger count = new AtomicInteger();
        // Core = max threads, each idle in take(): the SynchronousQueue hands a range over only to an idle one.
        this.helpers = parts == 1 ? null : new ThreadPoolExecutor(parts - 1, parts - 1, 0, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "topk-scan-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        if (helpers != null) {
            helpers.prestartAllCoreThreads();
        }
    }

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        int n = matrix.size();
        int want = Math.min(k, Math.max(n - excluded.count(), 0));
        int p = helpers == null ? 1 : Math.min(parts, n / minItemsPerPart);
        if (p <= 1 || want == 0) {
            return kernel.searchRange(matrix, query, want, excluded, sim, 0, n);
        }
        // More chunks than threads, claimed from a shared counter: a helper that wakes late (or not at all) leaves
        // its chunks to the caller instead of making it wait, and a chunk claimed is always finished.
        int chunks = Math.max(p, Math.min(p * CHUNKS_PER_PART, n / MIN_ITEMS_PER_CHUNK));
        int[] bounds = new int[chunks + 1];
        for (int i = 0; i <= chunks; i++) {
            // Chunk ends on multiples of 4 where possible, so that the kernel's 4-row steps stay aligned.
            bounds[i] = i == chunks ? n : (int) ((long) n * i / chunks) & ~3;
        }
        Scan scan = new Scan(kernel, matrix, query, want, excluded, sim, bounds);
        for (int i = 1; i < p; i++) {
            try {
                helpers.execute(scan::work);
            } catch (RejectedExecutionException busy) {
                break; // no idle helper now: the caller scans the rest itself
            }
        }
        scan.work();
        return merge(scan.awaitResults(), want);
    }

    /** Chunks per thread of a split query. */
    static final int CHUNKS_PER_PART = 2;
    /** Smallest chunk worth a separate scan (each chunk starts its bounded heap afresh). */
    static final int MIN_ITEMS_PER_CHUNK = 4096;

    /** One split query: chunks claimed by index, results published through the completion count. */
    private static final class Scan {
        private final RangeTopK kernel;
        private final ItemMatrix matrix;
        private final float[] query;
        private final int want;
        private final Exclusion excluded;
        private final Similarity sim;
        private final int[] bounds;
        private final TopKResult[] results;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Scan(RangeTopK kernel, ItemMatrix matrix, float[] query, int want, Exclusion excluded, Similarity sim,
             int[] bounds) {
            this.kernel = kernel;
            this.matrix = matrix;
            this.query = query;
            this.want = want;
            this.excluded = excluded;
            this.sim = sim;
            this.bounds = bounds;
            this.results = new TopKResult[bounds.length - 1];
        }

        /** Scans chunks until none is left; run by the caller and by any helper that picks the query up. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < results.length) {
                try {
                    results[c] = kernel.searchRange(matrix, query, want, excluded, sim, bounds[c], bounds[c + 1]);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet(); // publishes results[c] to the thread that reads done
                }
            }
        }

        /** Waits for the chunks other threads claimed (at most one chunk's scan each); rethrows a failure. */
        TopKResult[] awaitResults() {
            for (int spins = 0; done.get() < results.length; spins++) {
                if (spins < 1000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
            return results;
        }
    }

    /** Merges per-range lists (each best first) into the best {@code want}: higher score, then lower ordinal. */
    static TopKResult merge(TopKResult[] lists, int want) {
        int total = 0;
        for (TopKResult r : lists) {
            total += r.size();
        }
        int n = Math.min(want, total);
        int[] ords = new int[n];
        float[] scores = new float[n];
        int[] pos = new int[lists.length];
        for (int out = 0; out < n; out++) {
            int best = -1;
            for (int l = 0; l < lists.length; l++) {
                if (pos[l] >= lists[l].size()) {
                    continue;
                }
                if (best < 0 || better(lists[l], pos[l], lists[best], pos[best])) {
                    best = l;
                }
            }
            ords[out] = lists[best].ordinal(pos[best]);
            scores[out] = lists[best].score(pos[best]);
            pos[best]++;
        }
        return new TopKResult(ords, scores);
    }

    private static boolean better(TopKResult a, int i, TopKResult b, int j) {
        float sa = a.score(i);
        float sb = b.score(j);
        return sa > sb || (sa == sb && a.ordinal(i) < b.ordinal(j));
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}
