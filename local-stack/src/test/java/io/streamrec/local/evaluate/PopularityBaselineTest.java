package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PopularityBaselineTest {

    private static InteractionEvent event(String user, String item) {
        return new InteractionEvent(user, item, EventType.CLICK, 1_000_000_000_000L);
    }

    /**
     * By hand. Stream: (u1,a) (u2,b) (u2,a) (u3,b) (u3,c) (u1,b) (u4,a).
     * <pre>
     * (u1,a) a new: -1                       counts a1
     * (u2,b) b new: -1                       a1 b1 (a seen first)
     * (u2,a) order a,b; u2 has b (behind a): rank 0        a2 b1
     * (u3,b) order a,b: rank 1               a2 b2 (a seen first)
     * (u3,c) new: -1                         a2 b2 c1
     * (u1,b) order a,b,c; u1 has a (in front): rank 0      b3 a2 c1
     * (u4,a) order b,a,c: rank 1
     * </pre>
     */
    @Test
    void ranksByCountsSoFarWithoutTheUsersHistory() {
        List<InteractionEvent> stream = List.of(event("u1", "a"), event("u2", "b"), event("u2", "a"),
                event("u3", "b"), event("u3", "c"), event("u1", "b"), event("u4", "a"));
        assertArrayEquals(new int[] {-1, -1, 0, 1, -1, 0, 1}, PopularityBaseline.ranks(stream, 500));
        // Without history exclusion (history of 0 items), u1's "a" stays in front of "b".
        assertArrayEquals(new int[] {-1, -1, 0, 1, -1, 1, 1}, PopularityBaseline.ranks(stream, 0));
    }

    /** Random streams against a reference that recounts everything per event. */
    @ParameterizedTest(name = "items={0} users={1} events={2} history={3}")
    @CsvSource({"5, 3, 200, 2", "40, 10, 2000, 5", "300, 50, 5000, 500", "1, 2, 20, 1"})
    void matchesRecountingReference(int nItems, int nUsers, int nEvents, int historyMax) {
        Random rnd = new Random(nItems * 31L + nEvents);
        List<InteractionEvent> stream = new ArrayList<>();
        for (int i = 0; i < nEvents; i++) {
            // Skewed item choice, so counts differ and also tie.
            int item = (int) Math.floor(nItems * Math.pow(rnd.nextDouble(), 2));
            stream.add(event("u" + rnd.nextInt(nUsers), "i" + item));
        }
        int[] actual = PopularityBaseline.ranks(stream, historyMax);

        Map<String, Integer> counts = new HashMap<>();
        Map<String, Integer> firstSeen = new HashMap<>();
        Map<String, LinkedHashSet<String>> histories = new HashMap<>();
        for (int i = 0; i < nEvents; i++) {
            InteractionEvent e = stream.get(i);
            LinkedHashSet<String> h = histories.computeIfAbsent(e.userId, u -> new LinkedHashSet<>());
            int expected = -1;
            if (counts.containsKey(e.itemId)) {
                int c = counts.get(e.itemId);
                int at = firstSeen.get(e.itemId);
                expected = 0;
                for (Map.Entry<String, Integer> o : counts.entrySet()) {
                    String id = o.getKey();
                    if (id.equals(e.itemId) || h.contains(id)) {
                        continue;
                    }
                    if (o.getValue() > c || (o.getValue() == c && firstSeen.get(id) < at)) {
                        expected++;
                    }
                }
            }
            assertEquals(expected, actual[i], "event " + i);
            counts.merge(e.itemId, 1, Integer::sum);
            firstSeen.putIfAbsent(e.itemId, i);
            h.remove(e.itemId);
            h.add(e.itemId);
            while (h.size() > historyMax) {
                h.remove(h.iterator().next());
            }
        }
    }
}
