package io.streamrec.local.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.FreePorts;
import io.streamrec.local.generator.GroundTruth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item features end to end on the demo's real stack (broker, trainer on Flink with RocksDB, serving node, the
 * generator's catalog whose attributes follow its hidden tastes): a product launched into the catalog is recommended,
 * before anyone has touched it, to the users whose hidden taste matches its features, and far more than to the users
 * it does not suit; a product the catalog retires disappears from the served snapshot at the next snapshot.
 */
class CatalogFeaturesITCase {
    private static final int USERS = 300;
    private static final int ITEMS = 400;
    private static final Duration SNAPSHOT = Duration.ofSeconds(2);

    @Test
    void newItemsAreRecommendedToMatchingUsersBeforeTheirFirstEventAndRetiredOnesDisappear(@TempDir Path state)
            throws Exception {
        Path home = Path.of(System.getProperty("streamrec.home", "..")).toAbsolutePath();
        DemoSettings settings = new DemoSettings(home, state, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
                FreePorts.pick(), 2, 200, USERS, ITEMS, 8, 11, Duration.ofSeconds(120), null,
                Map.of("snapshot.interval", SNAPSHOT.toSeconds() + "s", "metrics.prequential.sample", "0"),
                Duration.ofSeconds(8), Duration.ofMinutes(30), Duration.ofSeconds(10));
        try (Demo demo = new Demo(settings, line -> System.out.println("demo notice: " + line))) {
            demo.start();
            assertTrue(demo.awaitReady(Duration.ofMinutes(3)), "/ready turns 200");
            GroundTruth truth = demo.groundTruth();

            // Launches: catalog records only (their first events are 30 minutes away). Wait for three, and for
            // each to be in the served snapshot.
            Awaitility.await("three launches").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> truth.launches().size() >= 3);
            List<String> launched = truth.launches().subList(0, 3).stream().map(GroundTruth.Launch::itemId).toList();
            for (String item : launched) {
                Awaitility.await(item + " served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> demo.status("/v1/items/" + item + "/similar?k=1") == 200);
            }
            // Let the features learn a little more from the live traffic, then rank every item for 30 users the
            // new item suits best and 30 it suits least. Measured up to three times, 10 s apart, each printed: the
            // model's state at one instant moves with the live traffic. (Before the demo waited for its catalog to be
            // served ahead of the backfill, a warm JVM trained the backfill before the features could learn from it
            // and the first measurement showed no gap at all, 111 vs 106 against the usual ~55 vs ~140.)
            double[] ranks = null;
            for (int attempt = 1; attempt <= 3; attempt++) {
                Thread.sleep(10_000);
                ranks = meanRanks(demo, truth, launched, attempt);
                if (ranks[0] < 0.5 * ITEMS && ranks[0] < 0.85 * ranks[1]) {
                    break;
                }
            }
            if (!(ranks[0] < 0.5 * ITEMS && ranks[0] < 0.85 * ranks[1])) {
                // What serving holds, for the record: its log's tail, and the launched items' nearest items.
                java.nio.file.Path log = state.resolve("logs").resolve("serving.log");
                if (java.nio.file.Files.exists(log)) {
                    List<String> lines = java.nio.file.Files.readAllLines(log);
                    lines.subList(Math.max(0, lines.size() - 40), lines.size())
                            .forEach(l -> System.out.println("serving.log: " + l));
                }
                for (String item : launched) {
                    System.out.println("similar to " + item + ": " + demo.get("/v1/items/" + item + "/similar?k=5"));
                }
                System.out.println("recommendations: " + demo.get("/v1/users/" + truth.usersMatching(launched.get(0),
                        1).get(0) + "/recommendations?k=5"));
            }
            // Measured (BENCHMARKS.md): a new item ranks in the better half for the users it suits, clearly above
            // where it ranks for the others, but rarely makes their top 10 against ~400 trained items.
            assertTrue(ranks[0] < 0.5 * ITEMS, "a new item ranks in the better half for the users it suits: "
                    + "mean rank " + ranks[0] + " of " + ITEMS);
            assertTrue(ranks[0] < 0.85 * ranks[1], "and clearly higher than for the users it does not suit: "
                    + ranks[0] + " vs " + ranks[1]);

            // Retirements: gone from the served snapshot at the next snapshot after the record.
            int before = truth.retirements().size();
            Awaitility.await("a retirement").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                    .until(() -> truth.retirements().size() > before);
            GroundTruth.Retirement r = truth.retirements().get(before);
            long retiredAt = System.currentTimeMillis();
            Awaitility.await(r.itemId() + " no longer served").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> demo.status("/v1/items/" + r.itemId() + "/similar?k=1") == 404);
            long gone = System.currentTimeMillis() - retiredAt;
            System.out.printf(Locale.ROOT, "retired %s: gone from serving %d ms after its catalog record%n",
                    r.itemId(), gone);
            assertTrue(gone <= SNAPSHOT.toMillis() * 2 + 3_000, "within a snapshot interval (plus the pipeline): "
                    + gone + " ms");
            for (String user : truth.usersMatching(r.itemId(), 20)) {
                assertFalse(items(demo, user, ITEMS + 50).contains(r.itemId()), "never answered after retirement");
            }
        }
    }

    /** The launched items' mean rank for the 30 users each suits best and the 30 it suits least. */
    private static double[] meanRanks(Demo demo, GroundTruth truth, List<String> launched, int attempt)
            throws Exception {
        int matchingHits = 0;
        int otherHits = 0;
        double matchingRank = 0;
        double otherRank = 0;
        for (String item : launched) {
            List<String> all = truth.usersMatching(item, USERS);
            for (String user : all.subList(0, 30)) {
                int rank = rankOf(demo, user, item);
                matchingRank += rank;
                matchingHits += rank < 10 ? 1 : 0;
            }
            for (String user : all.subList(USERS - 30, USERS)) {
                int rank = rankOf(demo, user, item);
                otherRank += rank;
                otherHits += rank < 10 ? 1 : 0;
            }
        }
        int n = launched.size() * 30;
        System.out.printf(Locale.ROOT, "new items (no event yet), measurement %d: in the top 10 of %d/%d matching "
                + "users (mean rank %.0f of ~%d) vs %d/%d others (mean rank %.0f)%n", attempt, matchingHits, n,
                matchingRank / n, ITEMS, otherHits, n, otherRank / n);
        return new double[] {matchingRank / n, otherRank / n};
    }

    /** The item's 0-based rank in the user's full answer (every item the user has not seen), or the answer's size. */
    private static int rankOf(Demo demo, String user, String item) throws Exception {
        List<String> items = items(demo, user, ITEMS + 50);
        int i = items.indexOf(item);
        return i < 0 ? items.size() : i;
    }

    /** The user's answer (from the model, or popular items for a user who has not acted yet). */
    private static List<String> items(Demo demo, String user, int k) throws Exception {
        JsonNode answer = demo.get("/v1/users/" + user + "/recommendations?k=" + k);
        List<String> out = new ArrayList<>();
        answer.path("items").forEach(n -> out.add(n.path("item_id").asText()));
        return out;
    }
}
