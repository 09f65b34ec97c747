package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PrequentialMetricsTest {

    @Test
    void computesHitRatesAndNdcgOverallAndPerWindow() {
        long[] times = {1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007};
        int[] model = {0, 9, 10, -1, 99, 100, 3, 1};
        int[] pop = {5, 50, -1, 0, 0, 0, 200, 11};
        PrequentialMetrics m = PrequentialMetrics.compute(times, model, pop, 2);

        double log2 = Math.log(2);
        double ndcgModel = (1.0 + log2 / Math.log(11) + log2 / Math.log(5) + log2 / Math.log(3)) / 8;
        assertEquals(8, m.model().events());
        assertEquals(1, m.model().unrankable());
        assertEquals(4.0 / 8, m.model().hr10(), 1e-12); // 0, 9, 3, 1
        assertEquals(6.0 / 8, m.model().hr100(), 1e-12); // and 10, 99
        assertEquals(ndcgModel, m.model().ndcg10(), 1e-12);
        assertEquals(4.0 / 8, m.popularity().hr10(), 1e-12); // 5, 0, 0, 0
        assertEquals(6.0 / 8, m.popularity().hr100(), 1e-12); // and 50, 11

        assertEquals(2, m.windows().size());
        PrequentialMetrics.Window first = m.windows().get(0);
        assertEquals(0, first.firstEvent());
        assertEquals(4, first.events());
        assertEquals(1000L, first.fromTime());
        assertEquals(1003L, first.toTime());
        assertEquals(2.0 / 4, first.model().hr10(), 1e-12);
        assertEquals(2.0 / 4, m.windows().get(1).model().hr10(), 1e-12);
        assertEquals(2.0 / 4, first.popularity().hr10(), 1e-12);
        assertEquals(2.0 / 4, m.windows().get(1).popularity().hr10(), 1e-12);
        assertEquals(3.0 / 4, m.windows().get(1).popularity().hr100(), 1e-12);
        assertEquals(m.model(), PrequentialMetrics.stats(model));
    }

    @Test
    void fewerEventsThanWindows() {
        PrequentialMetrics m = PrequentialMetrics.compute(new long[] {1}, new int[] {0}, new int[] {0}, 10);
        assertEquals(1, m.windows().size());
        assertEquals(1.0, m.model().hr10());
        assertEquals(0, PrequentialMetrics.compute(new long[0], new int[0], new int[0], 3).windows().size());
        assertThrows(IllegalArgumentException.class,
                () -> PrequentialMetrics.compute(new long[2], new int[1], new int[2], 3));
    }
}
