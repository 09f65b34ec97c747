package io.streamrec.serving.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exact top-k with batched execution: queries that arrive while another batch is being scanned are scored together in
 * one pass over the matrix (each block of rows is read from memory once and multiplied with every query of the
 * batch: a matrix-matrix product), so throughput grows with load instead of every query paying for its own pass of
 * the memory-bound scan.
 *
 * <p>No batching window: a query is queued, and whichever caller finds no batch running becomes the runner (flat
 * combining): it takes up to {@code maxBatch} queued queries on the same matrix, scans, completes them, and repeats
 * until its own query is answered; a waiting caller checks every 100 microseconds whether to take over. At low load a batch is one query, which goes to the {@code single} top-k
 * (e.g. {@link ParallelTopK}: split over idle cores); under load batches grow by themselves. Results are exactly
 * {@link VectorTopK}'s (the same float arithmetic per row, rows offered in ascending order), so also those of
 * {@link Bf16TopK} and {@link ParallelTopK}. Cosine queries go straight to {@code single}.
 *
 * <p>Thread-safe.
 */
public final class BatchingTopK implements TopK {
    private final TopK single;
    private final int maxBatch;
    private final ConcurrentLinkedQueue<Query> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong batched = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();

    /** Queries answered in a batch of two or more so far. */
    public long batchedQueries() {
        return batched.get();
    }

    /** Passes over a matrix for batches of two or more so far. */
    public long batchPasses() {
        return passes.get();
    }

    private static final class Query {
        final ItemMatrix matrix;
        final float[] vector;
        final int k;
        final Exclusion excluded;
        final CompletableFuture<TopKResult> result = new CompletableFuture<>();

        Query(ItemMatrix matrix, float[] vector, int k, Exclusion excluded) {
            this.matrix = matrix;
            this.vector = vector;
            this.k = k;
            this.excluded = excluded;
        }
    }

    /**
     * @param single   answers batches of one query (and cosine queries)
     * @param maxBatch most queries per pass
     */
    public BatchingTopK(TopK single, int maxBatch) {
        this.single = single;
        this.maxBatch = Math.max(1, maxBatch);
    }

    @Override
    public TopKResult search(ItemMatrix matrix, float[] query, int k, Exclusion excluded, Similarity sim) {
        TopK.checkArgs(matrix, query, k);
        if (sim != Similarity.DOT || maxBatch == 1) {
            return single.search(matrix, query, k, excluded, sim);
        }
        Query q = new Query(matrix, query, k, excluded);
        queue.add(q);
        while (true) {
            if (running.compareAndSet(false, true)) {
                try {
                    drain(q);
                } finally {
                    running.set(false);
                }
            }
            try {
                // Done, or a runner has it, or it is still queued: a waiter that times out tries to become the
                // runner itself, so queued queries never wait for a runner that has left.
                return q.result.get(100, TimeUnit.MICROSECONDS);
            } catch (TimeoutException e) {
                // retry
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batched top-k", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
                        : new IllegalStateException(e.getCause());
            }
        }
    }

    /** Runs batches until {@code own} is answered or nothing is queued (the caller holds {@link #running}). */
    private void drain(Query own) {
        List<Query> batch = new ArrayList<>(maxBatch);
        Query first;
        while (!own.result.isDone() && (first = queue.poll()) != null) {
            batch.clear();
            batch.add(first);
            // same matrix only; another matrix's queries (a snapshot swap under way) wait for the next batch
            for (int i = 1; i < maxBatch; i++) {
                Query next = queue.peek();
                if (next == null || next.matrix != first.matrix) {
                    break;
                }
                batch.add(queue.poll());
            }
            try {
                if (batch.size() == 1) {
                    first.result.complete(single.search(first.matrix, first.vector, first.k, first.excluded,
                            Similarity.DOT));
                } else {
                    TopKResult[] r = scan(first.matrix, batch);
                    batched.addAndGet(r.length);
                    passes.incrementAndGet();
                    for (int b = 0; b < r.length; b++) {
                        batch.get(b).result.complete(r[b]);
                    }
                }
            } catch (RuntimeException e) {
                batch.forEach(x -> x.result.completeExceptionally(e));
            }
        }
    }

    /** One pass over the rows for every query of the batch, four rows at a time, as {@link VectorTopK}. */
    static TopKResult[] scan(ItemMatrix m, List<Query> batch) {
        int nq = batch.size();
        int n = m.size();
        int dim = m.dim();
        float[] data = m.data();
        ScoreHeap[] heaps = new ScoreHeap[nq];
        float[][] qs = new float[nq][];
        Exclusion[] ex = new Exclusion[nq];
        for (int b = 0; b < nq; b++) {
            Query q = batch.get(b);
            heaps[b] = new ScoreHeap(Math.min(q.k, Math.max(n - q.excluded.count(), 0)));
            qs[b] = q.vector;
            ex[b] = q.excluded;
        }
        float[] s = new float[4];
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int o0 = i * dim;
            for (int b = 0; b < nq; b++) {
                RowDots.four(data, o0, dim, qs[b], s);
                ScoreHeap h = heaps[b];
                offer(h, s[0], i, ex[b]);
                offer(h, s[1], i + 1, ex[b]);
                offer(h, s[2], i + 2, ex[b]);
                offer(h, s[3], i + 3, ex[b]);
            }
        }
        for (; i < n; i++) {
            for (int b = 0; b < nq; b++) {
                offer(heaps[b], VectorTopK.dot(data, i * dim, qs[b], dim), i, ex[b]);
            }
        }
        TopKResult[] out = new TopKResult[nq];
        for (int b = 0; b < nq; b++) {
            out[b] = heaps[b].toResult();
        }
        return out;
    }

    private static void offer(ScoreHeap heap, float s, int ordinal, Exclusion excluded) {
        if (heap.wouldAccept(s) && !excluded.contains(ordinal)) {
            heap.push(s, ordinal);
        }
    }
}
