package io.streamrec.local.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParserOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The synthetic clickstream: determinism, its statistics, and that its hidden ground truth is learnable. */
class ClickstreamGeneratorTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final int EVENTS = 60_000;

    private static GeneratorConfig config;
    private static ClickstreamGenerator generator;
    private static List<InteractionEvent> events;

    @BeforeAll
    static void generate() {
        // The default world (1,000 users, 2,000 items, 20 topics), as the demo uses it.
        config = GeneratorConfig.builder().seed(7).simulatedClock(START, 100).build();
        generator = new ClickstreamGenerator(config);
        events = generator.take(EVENTS);
    }

    @Test
    void sameSeedGivesTheSameStreamAndAnotherSeedAnotherOne() {
        List<InteractionEvent> again = new ClickstreamGenerator(config).take(5_000);
        assertEquals(events.subList(0, 5_000), again);
        List<InteractionEvent> other = new ClickstreamGenerator(GeneratorConfig.builder().seed(8)
                .simulatedClock(START, 100).build()).take(5_000);
        assertNotEquals(events.subList(0, 5_000), other);
    }

    @Test
    void simulatedTimestampsStartAtTheStartAndFollowTheRate() {
        assertTrue(events.get(0).timestamp >= START.toEpochMilli());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).timestamp >= events.get(i - 1).timestamp, "timestamps must not decrease");
        }
        double seconds = (events.get(EVENTS - 1).timestamp - START.toEpochMilli()) / 1000.0;
        assertEquals(EVENTS / 100.0, seconds, EVENTS / 100.0 * 0.05, "100 events/s of simulated time");
    }

    @Test
    void liveTimestampsComeFromTheWallClock() {
        AtomicLong clock = new AtomicLong(1_714_564_800_000L);
        ClickstreamGenerator live = new ClickstreamGenerator(GeneratorConfig.builder().liveClock(clock::get).build());
        assertEquals(1_714_564_800_000L, live.next().timestamp);
        clock.set(1_714_564_801_000L);
        assertEquals(1_714_564_801_000L, live.next().timestamp);
        clock.set(1_714_564_700_000L); // the clock steps back: timestamps do not
        assertEquals(1_714_564_801_000L, live.next().timestamp);
    }

    @Test
    void everyEventIsAcceptedByTheTrainersParser() {
        EventParser parser = new EventParser(ParserOptions.defaults());
        for (InteractionEvent e : events.subList(0, 2_000)) {
            assertEquals(e, parser.parse(EventJson.toBytes(e)).event());
        }
    }

    @Test
    void itemPopularityIsHeavyTailed() {
        Map<String, Long> clicks = events.stream().filter(e -> e.type == EventType.CLICK)
                .collect(Collectors.groupingBy(e -> e.itemId, Collectors.counting()));
        List<Long> counts = clicks.values().stream().sorted(Comparator.reverseOrder()).toList();
        long total = counts.stream().mapToLong(Long::longValue).sum();
        long top10 = counts.subList(0, config.items() / 10).stream().mapToLong(Long::longValue).sum();
        double share = (double) top10 / total;
        // Zipf(1) over 100 items per topic puts ~56% of a topic's clicks on its top 10%.
        assertTrue(share > 0.45 && share < 0.7, "top 10% of items got only " + share + " of the clicks");
    }

    @Test
    void sessionsBelongToOneUserAndCartsAndPurchasesFollowClicks() {
        Map<String, List<InteractionEvent>> bySession = new LinkedHashMap<>();
        events.forEach(e -> bySession.computeIfAbsent(e.sessionId, s -> new ArrayList<>()).add(e));
        int complete = 0;
        long clicksInComplete = 0;
        for (List<InteractionEvent> session : bySession.values()) {
            assertEquals(1, session.stream().map(e -> e.userId).distinct().count(), "one user per session");
            Set<String> clicked = new HashSet<>();
            Set<String> carted = new HashSet<>();
            for (InteractionEvent e : session) {
                switch (e.type) {
                    case CLICK: clicked.add(e.itemId); break;
                    case ADD_TO_CART:
                        assertTrue(clicked.contains(e.itemId), "carted before clicked: " + e);
                        carted.add(e.itemId);
                        break;
                    case PURCHASE: assertTrue(carted.contains(e.itemId), "bought without a cart: " + e); break;
                    default: throw new AssertionError("unexpected type " + e);
                }
            }
            // Sessions still open at the end of the sample are cut short: leave out those active near the end.
            if (session.get(session.size() - 1).timestamp < events.get(EVENTS - 2_000).timestamp) {
                complete++;
                clicksInComplete += session.stream().filter(e -> e.type == EventType.CLICK).count();
            }
        }
        double meanClicks = (double) clicksInComplete / complete;
        assertTrue(meanClicks > 4.5 && meanClicks < 7.5, "mean clicks per session " + meanClicks);
        // Users interleave: many sessions, far fewer users active in each stretch.
        assertTrue(bySession.size() > EVENTS / 15, "sessions: " + bySession.size());
    }

    @Test
    void purchasesAreRarerThanCartsAndCartsRarerThanClicks() {
        Map<EventType, Long> byType = new EnumMap<>(EventType.class);
        events.forEach(e -> byType.merge(e.type, 1L, Long::sum));
        long clicks = byType.get(EventType.CLICK);
        long carts = byType.get(EventType.ADD_TO_CART);
        long purchases = byType.get(EventType.PURCHASE);
        assertEquals(0.12, (double) carts / clicks, 0.02);
        assertEquals(0.4, (double) purchases / carts, 0.06);
        assertTrue(events.stream().filter(e -> e.type != EventType.CLICK).allMatch(e -> e.value != null && e.value > 0),
                "carts and purchases carry the price");
    }

    @Test
    void groundTruthIsAProbabilityAndWitnessesHaveDistinctTastes() {
        GroundTruth truth = generator.groundTruth();
        double sum = IntStream.range(0, truth.items()).mapToDouble(i -> truth.trueAffinity(7, i)).sum();
        assertEquals(1.0, sum, 1e-9);
        assertEquals(truth.trueAffinity(7, 3), truth.trueAffinity("u-7", "i-3"));

        List<String> witnesses = truth.usersWithDistinctTastes(5);
        assertEquals(5, witnesses.size());
        assertEquals(5, witnesses.stream().map(truth::dominantTopic).distinct().count());
        List<Set<String>> tops = witnesses.stream().map(u -> Set.copyOf(truth.trueTopItems(u, 10))).toList();
        for (int a = 0; a < tops.size(); a++) {
            for (int b = a + 1; b < tops.size(); b++) {
                Set<String> overlap = new HashSet<>(tops.get(a));
                overlap.retainAll(tops.get(b));
                assertTrue(overlap.size() <= 2, witnesses.get(a) + " and " + witnesses.get(b) + " share " + overlap);
            }
        }
        // The true favourites are in the user's favourite topic.
        String u = witnesses.get(0);
        assertEquals(truth.dominantTopic(u), truth.itemTopic(truth.trueTopItems(u, 1).get(0)));
    }

    /**
     * The demo relies on this: the stream carries enough signal that a model learned from it beats popularity.
     * Each user's first 80% of clicks train, the last 20% test; recall@10 = share of test clicks whose item is
     * in the user's top 10. Measured with the default world: popularity about 0.10, topic counts about 0.26,
     * the ground truth itself about 0.28.
     */
    @Test
    void aPersonalModelLearnedFromTheStreamBeatsPopularityByAWideMargin() {
        GroundTruth truth = generator.groundTruth();
        int items = truth.items();
        Map<String, List<Integer>> clicksByUser = new HashMap<>();
        events.stream().filter(e -> e.type == EventType.CLICK).forEach(e ->
                clicksByUser.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(truth.itemIndex(e.itemId)));
        double[] itemCount = new double[items];
        long hitsPopular = 0;
        long hitsTopics = 0;
        long hitsTruth = 0;
        long tested = 0;
        Map<String, List<Integer>> train = new HashMap<>();
        clicksByUser.forEach((u, l) -> {
            List<Integer> t = l.subList(0, (int) Math.round(l.size() * 0.8));
            train.put(u, t);
            t.forEach(i -> itemCount[i]++);
        });
        Set<Integer> popular = topK(itemCount, 10);
        int[] topicOf = IntStream.range(0, items).map(i -> truth.itemTopic(GroundTruth.itemId(i))).toArray();
        for (Map.Entry<String, List<Integer>> e : clicksByUser.entrySet()) {
            List<Integer> all = e.getValue();
            List<Integer> test = all.subList(train.get(e.getKey()).size(), all.size());
            // Per-user topic counts (topics from the ground truth) times the learned item counts: the brief's model.
            double[] topicCount = new double[truth.topics()];
            train.get(e.getKey()).forEach(i -> topicCount[topicOf[i]]++);
            double[] score = new double[items];
            for (int i = 0; i < items; i++) {
                score[i] = (topicCount[topicOf[i]] + 0.1) * itemCount[i];
            }
            Set<Integer> personal = topK(score, 10);
            Set<Integer> ideal = truth.trueTopItems(e.getKey(), 10).stream().map(truth::itemIndex)
                    .collect(Collectors.toSet());
            for (int item : test) {
                tested++;
                hitsPopular += popular.contains(item) ? 1 : 0;
                hitsTopics += personal.contains(item) ? 1 : 0;
                hitsTruth += ideal.contains(item) ? 1 : 0;
            }
        }
        double popularityRecall = (double) hitsPopular / tested;
        double topicRecall = (double) hitsTopics / tested;
        double truthRecall = (double) hitsTruth / tested;
        System.out.printf("recall@10 on held-out clicks: popularity %.3f, topic counts %.3f, ground truth %.3f%n",
                popularityRecall, topicRecall, truthRecall);
        assertTrue(topicRecall > 2 * popularityRecall, "topic model " + topicRecall + " vs " + popularityRecall);
        assertTrue(truthRecall > 2 * popularityRecall, "ground truth " + truthRecall + " vs " + popularityRecall);
    }

    /** Indices of the k largest scores (ties: lower index first). */
    private static Set<Integer> topK(double[] score, int k) {
        Set<Integer> out = new HashSet<>();
        boolean[] taken = new boolean[score.length];
        for (int n = 0; n < k; n++) {
            int best = -1;
            for (int i = 0; i < score.length; i++) {
                if (!taken[i] && (best < 0 || score[i] > score[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            out.add(best);
        }
        return out;
    }
}
