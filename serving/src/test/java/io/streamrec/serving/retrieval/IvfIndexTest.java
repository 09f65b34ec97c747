package io.streamrec.serving.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The approximate index against the exact scan (the oracle) on vectors shaped like learned embeddings. */
class IvfIndexTest {
    private static final int N = 60_000;
    private static final int DIM = 32;
    private static final int K = 100;
    private static LearnedLikeVectors gen;
    private static ItemMatrix matrix;
    private static IvfIndex index;
    private static final VectorTopK EXACT = new VectorTopK();

    @BeforeAll
    static void build() {
        gen = new LearnedLikeVectors(DIM, 100, 3);
        matrix = gen.matrix(N);
        index = IvfIndex.build(matrix, 0, 0, null, null, 42);
    }

    private static double recall(IvfIndex ix, ItemMatrix m, int queries, Exclusion ex, Similarity sim) {
        double sum = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = gen.query();
            TopKResult truth = EXACT.search(m, query, K, ex, sim);
            TopKResult got = ix.search(m, query, K, ex, sim);
            assertEquals(truth.size(), got.size(), "k results");
            Set<Integer> t = new HashSet<>();
            for (int i = 0; i < truth.size(); i++) {
                t.add(truth.ordinal(i));
            }
            int hits = 0;
            for (int i = 0; i < got.size(); i++) {
                hits += t.contains(got.ordinal(i)) ? 1 : 0;
                if (i > 0) {
                    assertTrue(got.score(i) <= got.score(i - 1), "best first");
                }
            }
            sum += hits / (double) truth.size();
        }
        return sum / queries;
    }

    @Test
    void recallAt100IsAtLeast95PercentAtDefaultSettings() {
        double r = recall(index, matrix, 100, Exclusion.none(), Similarity.DOT);
        assertTrue(r >= 0.95, "recall@100 " + r);
    }

    @Test
    void scoresAreExactDotProducts() {
        float[] q = gen.query();
        TopKResult got = index.search(matrix, q, K, Exclusion.none(), Similarity.DOT);
        for (int i = 0; i < got.size(); i++) {
            float[] v = matrix.vector(got.ordinal(i));
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                s += (double) v[j] * q[j];
            }
            assertEquals(s, got.score(i), 1e-4 * Math.max(1, Math.abs(s)));
        }
    }

    @Test
    void exclusionsAreAppliedInsideTheSearch() {
        float[] q = gen.query();
        // exclude the exact top 1000 for this query: k other items must come back, none excluded
        TopKResult top = EXACT.search(matrix, q, 1000, Exclusion.none(), Similarity.DOT);
        Exclusion.Builder b = Exclusion.builder(N);
        for (int i = 0; i < top.size(); i++) {
            b.add(top.ordinal(i));
        }
        Exclusion ex = b.build();
        TopKResult got = index.search(matrix, q, K, ex, Similarity.DOT);
        assertEquals(K, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertFalse(ex.contains(got.ordinal(i)), "never an excluded item");
        }
        assertTrue(recall(index, matrix, 20, ex, Similarity.DOT) >= 0.9, "recall with 1,000 excluded");
        // nearly everything excluded: the remaining few come back (further lists are scanned)
        Exclusion.Builder all = Exclusion.builder(N);
        for (int i = 5; i < N; i++) {
            all.add(i);
        }
        assertEquals(5, index.search(matrix, q, K, all.build(), Similarity.DOT).size());
    }

    @Test
    void cosineSearchFindsSimilarItems() {
        double r = recall(index, matrix, 30, Exclusion.none(), Similarity.COSINE);
        assertTrue(r >= 0.8, "cosine recall@100 " + r);
    }

    @Test
    void incrementalRebuildAfterTenPercentChangedKeepsRecall() {
        Random rnd = new Random(5);
        Map<String, float[]> updates = new HashMap<>();
        for (int i = 0; i < N / 10; i++) {
            updates.put(matrix.id(rnd.nextInt(N)), gen.item());
        }
        for (int i = 0; i < 1000; i++) {
            updates.put("new-" + i, gen.item());
        }
        ItemMatrix next = matrix.withUpdates(updates);
        IvfIndex rebuilt = IvfIndex.build(next, 0, 0, index, matrix, 42);
        assertEquals(index.lists(), rebuilt.lists());
        double r = recall(rebuilt, next, 50, Exclusion.none(), Similarity.DOT);
        assertTrue(r >= 0.95, "recall@100 after the update " + r);
    }

    @Test
    void indexerAttachesByModeAndIndexedTopKUsesIt() {
        ItemMatrix small = gen.matrix(1000);
        assertNull(new AnnIndexer(AnnIndexer.Mode.AUTO, 5000, 0, 0).prepare(small, null).annIndex());
        assertNull(new AnnIndexer(AnnIndexer.Mode.EXACT, 1, 0, 0).prepare(small, null).annIndex());
        ItemMatrix indexed = new AnnIndexer(AnnIndexer.Mode.AUTO, 1000, 0, 0).prepare(small, null);
        assertSame(small, indexed);
        assertNotNull(indexed.annIndex());
        float[] q = gen.query();
        TopKResult viaIndex = new IndexedTopK(EXACT).search(small, q, 10, Exclusion.none(), Similarity.DOT);
        TopKResult direct = indexed.annIndex().search(small, q, 10, Exclusion.none(), Similarity.DOT);
        assertEquals(direct.ordinal(0), viaIndex.ordinal(0));
        // k above the number of items: all of them
        assertEquals(1000, indexed.annIndex().search(small, q, 5000, Exclusion.none(), Similarity.DOT).size());
    }
}
