package io.streamrec.serving.retrieval;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link VectorTopK} or {@link Bf16TopK} (see {@link Kernel}) with one query's scan split over several cores: the
 * items are cut into contiguous ranges, each range's exact top-k is found on its own thread (the calling thread takes
 * the first range), and the per-range lists are merged. Every item of the global top-k is in its range's top-k, so
 * the result is the same exact top-k, with the same tie order (score, then ascending ordinal), as the single-threaded
 * scan.
 *
 * <p>Why: one scan of a large matrix is bound by one core's memory bandwidth; two cores halve a single query's
 * latency (BENCHMARKS.md). Under concurrent load every core is already busy, so splitting only adds hand-offs: a
 * range is handed to a helper thread only when one is idle at that moment (a {@link SynchronousQueue} pool), and
 * otherwise the caller scans it itself. Small matrices are never split.
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

        RangeTopK create() {
            return this == FLOAT ? new VectorTopK() : new Bf16TopK();
        }
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
        TopKResult[] results = new TopKResult[p];
        @SuppressWarnings("unchecked")
        Future<TopKResult>[] futures = new Future[p];
        int[] bounds = new int[p + 1];
        for (int i = 0; i <= p; i++) {
            // Range ends on multiples of 4 where possible, so that the kernel's 4-row steps stay aligned.
            bounds[i] = i == p ? n : (int) ((long) n * i / p) & ~3;
        }
        for (int i = 1; i < p; i++) {
            int from = bounds[i];
            int to = bounds[i + 1];
            try {
                futures[i] = helpers.submit(() -> kernel.searchRange(matrix, query, want, excluded, sim, from, to));
            } catch (RejectedExecutionException busy) {
                results[i] = kernel.searchRange(matrix, query, want, excluded, sim, from, to);
            }
        }
        results[0] = kernel.searchRange(matrix, query, want, excluded, sim, bounds[0], bounds[1]);
        for (int i = 1; i < p; i++) {
            if (futures[i] != null) {
                results[i] = join(futures[i]);
            }
        }
        return merge(results, want);
    }

    private static TopKResult join(Future<TopKResult> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // finish the query; the scan is short and holds no locks
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IllegalStateException(c);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
