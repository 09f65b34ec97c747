package io.streamrec.serving.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Batched execution returns exactly the single-query scan's answers, and does batch under concurrent load. */
class BatchingTopKTest {

    @Test
    void concurrentQueriesAreBatchedAndAnsweredExactly() throws Exception {
        LearnedLikeVectors gen = new LearnedLikeVectors(33, 50, 9);
        ItemMatrix m = gen.matrix(30_001); // not a multiple of 4: the tail rows too
        VectorTopK oracle = new VectorTopK();
        BatchingTopK batching = new BatchingTopK(new VectorTopK(), 16);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 150; i++) {
                        float[] q = gen.query();
                        Exclusion.Builder b = Exclusion.builder(m.size());
                        for (int j = 0; j < 1000; j++) {
                            b.add(rnd.nextInt(m.size()));
                        }
                        Exclusion ex = b.build();
                        int k = 1 + rnd.nextInt(100);
                        TopKResult want = oracle.search(m, q, k, ex, Similarity.DOT);
                        TopKResult got = batching.search(m, q, k, ex, Similarity.DOT);
                        assertEquals(want.size(), got.size());
                        for (int r = 0; r < want.size(); r++) {
                            assertEquals(want.ordinal(r), got.ordinal(r));
                            assertEquals(Float.floatToRawIntBits(want.score(r)), Float.floatToRawIntBits(got.score(r)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(batching.batchPasses() > 0, "some queries were scored in a shared pass");
        assertTrue(batching.batchedQueries() >= 2 * batching.batchPasses());
        // cosine and k beyond the items go through unchanged
        float[] q = gen.query();
        assertEquals(oracle.search(m, q, 5, Exclusion.none(), Similarity.COSINE).ordinal(0),
                batching.search(m, q, 5, Exclusion.none(), Similarity.COSINE).ordinal(0));
    }
}
