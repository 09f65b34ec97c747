package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StringIntMapTest {

    /**
     * Random puts, overwrites, removes and clears, over ids whose hash codes collide in pairs ("Aa" and "BB" share
     * one), answer exactly like a HashMap, through several growths and long probe runs.
     */
    @Test
    void behavesLikeAHashMap() {
        SplittableRandom rnd = new SplittableRandom(7);
        StringIntMap map = new StringIntMap();
        Map<String, Integer> truth = new HashMap<>();
        String[] ids = new String[600];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i % 2 == 0 ? "Aa" : "BB") + (i / 2);
        }
        for (int step = 0; step < 50_000; step++) {
            // A fresh instance half the time: equal ids must match by equals, not only by reference.
            String id = rnd.nextBoolean() ? ids[rnd.nextInt(ids.length)] : new String(ids[rnd.nextInt(ids.length)]);
            int op = rnd.nextInt(100);
            if (op < 55) {
                int v = rnd.nextInt(1_000_000);
                map.put(id, v);
                truth.put(id, v);
            } else if (op < 99) {
                map.remove(id);
                truth.remove(id);
            } else {
                map.clear();
                truth.clear();
            }
            String probe = ids[rnd.nextInt(ids.length)];
            assertEquals(truth.getOrDefault(probe, StringIntMap.ABSENT), map.get(probe), "step " + step);
            assertEquals(truth.size(), map.size(), "step " + step);
        }
        for (String id : ids) {
            assertEquals(truth.getOrDefault(id, StringIntMap.ABSENT), map.get(new String(id)), id);
            assertEquals(truth.containsKey(id), map.containsKey(id), id);
        }
    }

    @Test
    void absentKeysAndNegativeValues() {
        StringIntMap map = new StringIntMap();
        assertEquals(StringIntMap.ABSENT, map.get("Aa"));
        map.put("Aa", 0);
        assertTrue(map.containsKey("Aa"));
        assertFalse(map.containsKey("BB"), "same hash code as Aa, different id");
        assertThrows(IllegalArgumentException.class, () -> map.put("x", -1));
    }
}
