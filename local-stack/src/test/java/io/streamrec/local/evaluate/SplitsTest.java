package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {

    private static List<InteractionEvent> events(int n) {
        List<InteractionEvent> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Not in time order, as u.data is not.
            list.add(new InteractionEvent("u" + (i % 7), "i" + i, EventType.RATING, 1_000_000L * ((i * 37) % n)));
        }
        return list;
    }

    @Test
    void randomSplitIsReproducibleAndComplete() {
        List<InteractionEvent> all = events(1000);
        Splits.Split a = Splits.random(all, 0.8, 42);
        Splits.Split b = Splits.random(all, 0.8, 42);
        assertEquals(800, a.train().size());
        assertEquals(200, a.test().size());
        assertEquals(a.train(), b.train(), "same seed, same split");
        assertNotEquals(a.train(), Splits.random(all, 0.8, 43).train());
        Set<InteractionEvent> union = new HashSet<>(a.train());
        union.addAll(a.test());
        assertEquals(new HashSet<>(all), union);
    }

    @Test
    void coldItemsWithholdASeededShareOfTheItemsAndAllTheirEvents() {
        List<InteractionEvent> all = events(1000);
        Splits.ColdSplit s = Splits.coldItems(all, 0.1, 42);
        Set<String> items = new HashSet<>();
        all.forEach(e -> items.add(e.itemId));
        assertEquals(Math.max(1, Math.round(items.size() * 0.1)), s.withheld().size());
        assertEquals(s.withheld(), Splits.coldItems(all, 0.1, 42).withheld(), "seeded");
        assertNotEquals(s.withheld(), Splits.coldItems(all, 0.1, 7).withheld());
        assertEquals(all.size(), s.train().size() + s.test().size());
        assertTrue(s.test().stream().allMatch(e -> s.withheld().contains(e.itemId)));
        assertTrue(s.train().stream().noneMatch(e -> s.withheld().contains(e.itemId)));
    }

    @Test
    void temporalSplitTrainsOnThePast() {
        Splits.Split s = Splits.temporal(events(1000), 0.8);
        long lastTrain = s.train().stream().mapToLong(e -> e.timestamp).max().orElseThrow();
        long firstTest = s.test().stream().mapToLong(e -> e.timestamp).min().orElseThrow();
        assertTrue(lastTrain <= firstTest);
        assertEquals(800, s.train().size());
    }

    @Test
    void passesRepeatTheTrainingEventsWithFreshSeedsAndOrder() {
        List<InteractionEvent> train = events(100);
        List<InteractionEvent> timeOrdered = Splits.passes(train, 3, false, 42);
        assertEquals(300, timeOrdered.size());
        for (int p = 0; p < 3; p++) {
            List<InteractionEvent> pass = timeOrdered.subList(100 * p, 100 * (p + 1));
            for (int i = 1; i < pass.size(); i++) {
                assertTrue(pass.get(i - 1).timestamp <= pass.get(i).timestamp, "time order within a pass");
            }
            // Pass p is shifted by p ms, so the trainer's per-event seed (user, item, time) differs per pass.
            assertEquals(Splits.byTime(train).get(0).timestamp + p, pass.get(0).timestamp);
        }
        List<InteractionEvent> shuffled = Splits.passes(train, 2, true, 42);
        List<String> first = shuffled.subList(0, 100).stream().map(e -> e.itemId).toList();
        List<String> second = shuffled.subList(100, 200).stream().map(e -> e.itemId).toList();
        assertNotEquals(first, second, "a new permutation per pass");
        assertEquals(new HashSet<>(first), new HashSet<>(second));
        assertEquals(first, Splits.passes(train, 2, true, 42).subList(0, 100).stream().map(e -> e.itemId).toList());
    }
}
