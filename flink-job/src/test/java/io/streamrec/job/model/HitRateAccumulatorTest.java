package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HitRateAccumulatorTest {

    @Test
    void hitRatesAndNdcgOnATinyExample() {
        HitRateAccumulator h = new HitRateAccumulator(1, 10, 100);
        h.record(0);   // hit everywhere, ndcg 1
        h.record(3);   // hit@10, ndcg 1/log2(5)
        h.record(50);  // hit@100 only
        h.record(-1);  // unrankable: a miss
        assertEquals(0.25, h.hitRate(1), 1e-12);
        assertEquals(0.5, h.hitRate(10), 1e-12);
        assertEquals(0.75, h.hitRate(100), 1e-12);
        assertEquals((1.0 + 1.0 / (Math.log(5) / Math.log(2))) / 4, h.ndcgAt10(), 1e-12);
        assertEquals(1, h.unrankable());
        assertThrows(IllegalArgumentException.class, () -> h.hitRate(5));
    }

    @Test
    void mergeEqualsRecordingEverythingInOne() {
        HitRateAccumulator a = new HitRateAccumulator();
        HitRateAccumulator b = new HitRateAccumulator();
        HitRateAccumulator all = new HitRateAccumulator();
        int[] ranks = {0, 5, 9, 10, 99, 100, -1, 2};
        for (int i = 0; i < ranks.length; i++) {
            (i % 2 == 0 ? a : b).record(ranks[i]);
            all.record(ranks[i]);
        }
        a.merge(b);
        assertEquals(all.toString(), a.toString());
        assertThrows(IllegalArgumentException.class, () -> a.merge(new HitRateAccumulator(5)));
    }

    @Test
    void cacheRanksAndMetricsMatchBruteForceSorting() {
        SplittableRandom rnd = new SplittableRandom(11);
        int items = 300;
        int dim = 8;
        ItemVectorCache cache = new ItemVectorCache(items, dim);
        float[][] vectors = new float[items][dim];
        for (int i = 0; i < items; i++) {
            for (int d = 0; d < dim; d++) {
                vectors[i][d] = (float) rnd.nextGaussian();
            }
            cache.put("i" + i, vectors[i]);
        }
        HitRateAccumulator viaCache = new HitRateAccumulator(1, 10, 100);
        HitRateAccumulator bruteForce = new HitRateAccumulator(1, 10, 100);
        for (int e = 0; e < 500; e++) {
            float[] q = new float[dim];
            for (int d = 0; d < dim; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            int target = rnd.nextInt(items);
            Set<String> exclude = new HashSet<>();
            for (int x = 0; x < 40; x++) {
                exclude.add("i" + rnd.nextInt(items));
            }
            exclude.remove("i" + target);
            // Brute force: sort every non-excluded item by score, find the target's position.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                if (!exclude.contains("i" + i)) {
                    order.add(i);
                }
            }
            order.sort((x, y) -> Float.compare(Vectors.dot(q, vectors[y]), Vectors.dot(q, vectors[x])));
            int expected = order.indexOf(target);
            assertEquals(expected, cache.rankOf(q, "i" + target, exclude));
            assertEquals(Math.min(expected, 100), cache.rankOf(q, "i" + target, exclude, 100));
            viaCache.record(cache.rankOf(q, "i" + target, exclude, 100));
            bruteForce.record(expected);
        }
        assertEquals(bruteForce.hitRate(10), viaCache.hitRate(10), 0.0);
        assertEquals(bruteForce.hitRate(100), viaCache.hitRate(100), 0.0);
        assertEquals(bruteForce.ndcgAt10(), viaCache.ndcgAt10(), 1e-12);
    }
}
