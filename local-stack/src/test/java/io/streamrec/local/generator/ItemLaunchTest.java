package io.streamrec.local.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * New items and retirements while the generator runs: a launched item's catalog record comes strictly before its
 * first event and at least the delay before it in event time, it then takes events like other items of its
 * popularity; a retired item's {@code "available": false} record comes before it stops taking events; all of it
 * deterministic and recorded in the ground truth.
 */
class ItemLaunchTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Duration EVERY = Duration.ofSeconds(30);
    private static final Duration DELAY = Duration.ofSeconds(20);
    private static final Duration RETIRE = Duration.ofSeconds(45);
    private static final int EVENTS = 60_000; // 600 s of simulated time at 100/s

    /** What the generator gave out, in order: catalog changes and events. */
    private record Step(CatalogRecord record, InteractionEvent event) {}

    private static GeneratorConfig config;
    private static ClickstreamGenerator generator;
    private static List<Step> steps;

    private static GeneratorConfig.Builder world() {
        return GeneratorConfig.builder().seed(7).simulatedClock(START, 100).newItems(EVERY, DELAY)
                .retireEvery(RETIRE);
    }

    private static List<Step> run(ClickstreamGenerator g, int events) {
        List<Step> out = new ArrayList<>();
        g.onCatalogChange(r -> out.add(new Step(r, null)));
        for (int i = 0; i < events; i++) {
            out.add(new Step(null, g.next()));
        }
        return out;
    }

    @BeforeAll
    static void generate() {
        config = world().build();
        generator = new ClickstreamGenerator(config);
        steps = run(generator, EVENTS);
    }

    @Test
    void newItemsAreLaunchedOnScheduleWithTheNextIds() {
        GroundTruth truth = generator.groundTruth();
        List<GroundTruth.Launch> launches = truth.launches();
        long end = steps.get(steps.size() - 1).event().timestamp;
        long expected = (end - START.toEpochMilli()) / EVERY.toMillis();
        assertEquals(expected, launches.size(), "one launch every 30 s of event time");
        assertEquals(2_000 + launches.size(), truth.items());
        for (int k = 0; k < launches.size(); k++) {
            GroundTruth.Launch l = launches.get(k);
            assertEquals("i-" + (2_000 + k), l.itemId());
            assertEquals(START.toEpochMilli() + (k + 1) * EVERY.toMillis(), l.launchedAt());
            assertEquals(l.launchedAt() + DELAY.toMillis(), l.eventsFrom());
            assertEquals(l.launchedAt(), l.record().updatedAt());
            assertTrue(l.record().available());
            assertEquals(l.record(), truth.catalogRecord(l.itemId()));
            assertEquals(l.topic(), truth.itemTopic(l.itemId()));
            assertEquals(l.itemId(), truth.catalog().get(2_000 + k).itemId());
        }
    }

    @Test
    void aNewItemsCatalogRecordComesStrictlyBeforeItsFirstEventAndAtLeastTheDelayBefore() {
        Map<String, Integer> recordAt = new HashMap<>();
        Map<String, Integer> firstEventAt = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.record() != null && s.record().available()) {
                assertNull(recordAt.put(s.record().itemId(), i), "one launch record per item");
            } else if (s.event() != null) {
                firstEventAt.putIfAbsent(s.event().itemId, i);
            }
        }
        List<GroundTruth.Launch> launches = generator.groundTruth().launches();
        assertEquals(launches.size(), recordAt.size());
        int withEvents = 0;
        for (GroundTruth.Launch l : launches) {
            Integer first = firstEventAt.get(l.itemId());
            if (first == null) {
                continue;
            }
            withEvents++;
            assertTrue(recordAt.get(l.itemId()) < first, l.itemId() + ": catalog record after its first event");
            InteractionEvent e = steps.get(first).event();
            assertTrue(e.timestamp >= l.launchedAt() + DELAY.toMillis(), l.itemId() + " took an event at "
                    + e.timestamp + ", launched at " + l.launchedAt());
            // The record goes out with the first event generated at or after the launch time: not early.
            int at = recordAt.get(l.itemId());
            int next = at + 1;
            while (steps.get(next).event() == null) {
                next++;
            }
            int previous = at - 1;
            while (steps.get(previous).event() == null) {
                previous--;
            }
            assertTrue(steps.get(next).event().timestamp >= l.launchedAt());
            assertTrue(steps.get(previous).event().timestamp < l.launchedAt());
        }
        // Launches with 150 s of events after them: nearly all are clicked (a tail rank in a topic of ~100 items
        // still gets a click every few seconds).
        long lateEnough = launches.stream().filter(l -> l.eventsFrom() < START.toEpochMilli() + 450_000).count();
        assertTrue(withEvents >= lateEnough * 0.8, withEvents + " of " + lateEnough + " new items had events");
    }

    @Test
    void aNewItemTakesEventsAsItsPopularitySays() {
        GroundTruth truth = generator.groundTruth();
        double expected = 0;
        long observed = 0;
        for (GroundTruth.Launch l : truth.launches()) {
            if (truth.status(l.itemId()) != GroundTruth.ItemStatus.ACTIVE) {
                continue;
            }
            int item = truth.itemIndex(l.itemId());
            long clicksSince = 0;
            for (Step s : steps) {
                if (s.event() != null && s.event().type == EventType.CLICK && s.event().timestamp >= l.eventsFrom()) {
                    clicksSince++;
                    observed += s.event().itemId.equals(l.itemId()) ? 1 : 0;
                }
            }
            expected += truth.expectedPopularity(item) * clicksSince;
        }
        System.out.printf("clicks on new items: %d observed, %.0f expected from their popularity%n", observed,
                expected);
        assertTrue(expected > 100, "expected " + expected);
        assertEquals(expected, observed, expected * 0.3);
    }

    @Test
    void aRetiredItemGetsAnUnavailableRecordAndNoEventsAfterIt() {
        GroundTruth truth = generator.groundTruth();
        List<GroundTruth.Retirement> retirements = truth.retirements();
        long end = steps.get(steps.size() - 1).event().timestamp;
        assertEquals((end - START.toEpochMilli()) / RETIRE.toMillis(), retirements.size());
        Map<String, Integer> retiredAt = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.record() != null && !s.record().available()) {
                retiredAt.put(s.record().itemId(), i);
            }
        }
        for (int k = 0; k < retirements.size(); k++) {
            GroundTruth.Retirement r = retirements.get(k);
            assertEquals(START.toEpochMilli() + (k + 1) * RETIRE.toMillis(), r.retiredAt());
            assertFalse(r.record().available());
            assertEquals(r.retiredAt(), r.record().updatedAt());
            assertEquals(GroundTruth.ItemStatus.RETIRED, truth.status(r.itemId()));
            assertEquals(r.record(), truth.catalogRecord(r.itemId()));
            assertFalse(r.record().categories().isEmpty(), "a retired record keeps the item's attributes");
            assertEquals(0, truth.trueAffinity(7, truth.itemIndex(r.itemId())));
            Integer at = retiredAt.get(r.itemId());
            assertNotNull(at);
            for (int i = at + 1; i < steps.size(); i++) {
                InteractionEvent e = steps.get(i).event();
                assertTrue(e == null || !e.itemId.equals(r.itemId()), r.itemId() + " had an event after its "
                        + "retirement: " + e);
            }
        }
        // Retired items had clicks before: retirement draws among the active items, not only unclicked ones.
        long clickedBefore = retirements.stream().filter(r -> steps.stream().anyMatch(s -> s.event() != null
                && s.event().itemId.equals(r.itemId()))).count();
        assertTrue(clickedBefore > 0);
        // The world stays a probability over the items that take events.
        double sum = IntStream.range(0, truth.items()).mapToDouble(i -> truth.trueAffinity(7, i)).sum();
        assertEquals(1.0, sum, 1e-9);
    }

    /** Also an item already in a cart: it is neither carted nor bought after its retirement. */
    @Test
    void aRetiredItemInCartsIsNotBoughtAfterwards() {
        ClickstreamGenerator small = new ClickstreamGenerator(GeneratorConfig.builder().seed(3).users(20).items(40)
                .topics(2).cartProbability(0.6).purchaseProbability(1).simulatedClock(START, 100)
                .retireEvery(Duration.ofSeconds(5)).build());
        List<Step> s = run(small, 10_000); // 100 s: 20 of the 40 items retire
        assertTrue(small.groundTruth().retirements().size() >= 18);
        java.util.Set<String> retired = new java.util.HashSet<>();
        int purchasesOfLaterRetired = 0;
        for (Step step : s) {
            if (step.record() != null) {
                retired.add(step.record().itemId());
            } else {
                assertFalse(retired.contains(step.event().itemId), "event on a retired item: " + step.event());
                if (step.event().type == EventType.PURCHASE && small.groundTruth().status(step.event().itemId)
                        == GroundTruth.ItemStatus.RETIRED) {
                    purchasesOfLaterRetired++;
                }
            }
        }
        assertTrue(purchasesOfLaterRetired > 0, "the retired items were being bought before");
    }

    @Test
    void launchesAndRetirementsAreDeterministic() {
        ClickstreamGenerator again = new ClickstreamGenerator(config);
        List<Step> replay = run(again, EVENTS);
        assertEquals(steps, replay);
        assertEquals(generator.groundTruth().launches(), again.groundTruth().launches());
        assertEquals(generator.groundTruth().retirements(), again.groundTruth().retirements());
        assertEquals(generator.groundTruth().catalog(), again.groundTruth().catalog());
    }

    @Test
    void aLaunchedItemTakesNoEventsBeforeItsDelayAndCountsForNothingMeanwhile() {
        ClickstreamGenerator g = new ClickstreamGenerator(world().build());
        List<Step> s = run(g, 3_100); // ~31 s: the first launch (at 30 s) is still in its delay
        GroundTruth truth = g.groundTruth();
        assertEquals(1, truth.launches().size());
        String item = truth.launches().get(0).itemId();
        assertEquals(GroundTruth.ItemStatus.LAUNCHED, truth.status(item));
        assertEquals(0, truth.trueAffinity("u-1", item));
        assertFalse(truth.trueTopItems(truth.usersMatching(item, 1).get(0), truth.items()).contains(item));
        assertTrue(s.stream().noneMatch(x -> x.event() != null && x.event().itemId.equals(item)));
        assertTrue(truth.tasteMatch(truth.usersMatching(item, 1).get(0), item) > 0.3,
                "a new item already suits someone by its content");
        assertTrue(truth.describe(truth.catalogRecord(item))
                .startsWith("new item " + item + " launched (catalog only"));
    }

    @Test
    void changesStartAtChangesFromAndNeverWithoutASchedule() {
        Instant live = START.plusSeconds(100);
        ClickstreamGenerator g = new ClickstreamGenerator(world().changesFrom(live).build());
        run(g, 20_000); // 200 s
        List<GroundTruth.Launch> launches = g.groundTruth().launches();
        assertEquals(3, launches.size(), "launches at 130, 160 and 190 s");
        assertEquals(live.toEpochMilli() + EVERY.toMillis(), launches.get(0).launchedAt());
        assertEquals(live.toEpochMilli() + RETIRE.toMillis(), g.groundTruth().retirements().get(0).retiredAt());

        ClickstreamGenerator still = new ClickstreamGenerator(GeneratorConfig.builder().seed(7)
                .simulatedClock(START, 100).build());
        List<Step> s = run(still, 20_000);
        assertTrue(still.groundTruth().launches().isEmpty() && still.groundTruth().retirements().isEmpty());
        assertTrue(s.stream().allMatch(x -> x.event() != null));
        assertEquals(2_000, still.groundTruth().items());
    }
}
