package io.streamrec.job.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The heap cache's bounds, by count and by weight, its eviction order, and expiry, without Flink. */
class HotStatesTest {

    private static final class E extends HotStates.Entry {
        final String key;

        E(String key) {
            this.key = key;
        }
    }

    private final List<String> evicted = new ArrayList<>();

    private HotStates<E> cache(int capacity, long maxWeight, long ttlMs) {
        return new HotStates<>(capacity, maxWeight, ttlMs, E::new, (k, e) -> evicted.add(k));
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondTheCount() throws Exception {
        HotStates<E> c = cache(2, Long.MAX_VALUE, 0);
        E a = c.get("a", 0);
        c.get("b", 0);
        assertSame(a, c.get("a", 1), "a hit returns the cached entry");
        c.get("c", 2);
        assertEquals(List.of("b"), evicted, "b was the least recently used");
        assertEquals(2, c.size());
    }

    @Test
    void evictsBeyondTheTotalWeightButNeverTheEntryInUse() throws Exception {
        HotStates<E> c = cache(100, 10, 0);
        c.reweigh(c.get("a", 0), 4);
        c.reweigh(c.get("b", 0), 4);
        E x = c.get("c", 0);
        c.reweigh(x, 2);
        assertEquals(List.of(), evicted, "10 fits");
        c.reweigh(x, 3); // grew: 11 > 10
        assertEquals(List.of("a"), evicted);
        assertEquals(7, c.totalWeight());
        c.reweigh(x, 50); // alone over the bound: everything else goes, the entry in use stays
        assertEquals(List.of("a", "b"), evicted);
        assertEquals(1, c.size());
        assertEquals(50, c.totalWeight());
    }

    @Test
    void anEntryUnusedForTheTtlIsLoadedAgain() throws Exception {
        HotStates<E> c = cache(10, 100, 1_000);
        E first = c.get("a", 0);
        c.reweigh(first, 7);
        assertSame(first, c.get("a", 999));
        E again = c.get("a", 1_999);
        assertNotSame(first, again, "idle for the TTL: dropped and loaded");
        assertEquals(0, c.totalWeight(), "its weight left with it");
        assertEquals(List.of(), evicted, "dropped, not written back");
    }
}
