package io.streamrec.local.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator's catalog: deterministic, correlated with the hidden topics (so content carries real signal), and
 * written as the catalog schema's JSON; {@link GroundTruth#usersMatching} names the users an item suits.
 */
class SyntheticCatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    private static GroundTruth truth;
    private static List<InteractionEvent> events;

    @BeforeAll
    static void generate() {
        ClickstreamGenerator g = new ClickstreamGenerator(GeneratorConfig.builder().seed(7)
                .simulatedClock(START, 100).build());
        truth = g.groundTruth();
        events = g.take(60_000);
    }

    private static String category(CatalogRecord r) {
        return r.categories().get("category").get(0);
    }

    private static String brand(CatalogRecord r) {
        return r.categories().get("brand").get(0);
    }

    @Test
    void theSameSeedGivesTheSameCatalogAndAnotherSeedAnotherOne() {
        List<CatalogRecord> again = new ClickstreamGenerator(GeneratorConfig.builder().seed(7).build())
                .groundTruth().catalog();
        assertEquals(truth.catalog(), again);
        List<CatalogRecord> other = new ClickstreamGenerator(GeneratorConfig.builder().seed(8).build())
                .groundTruth().catalog();
        assertNotEquals(truth.catalog(), other);
        assertEquals(2_000, truth.catalog().size());
        for (int i = 0; i < truth.items(); i++) {
            CatalogRecord r = truth.catalog().get(i);
            assertEquals(GroundTruth.itemId(i), r.itemId());
            assertTrue(r.available());
            assertEquals(Set.of("category", "brand"), r.categories().keySet());
            assertEquals(Set.of("title"), r.text().keySet());
            assertEquals(Set.of("price"), r.numbers().keySet());
        }
    }

    @Test
    void theCategoryNamesTheItemsTopicForMostItems() {
        int matching = 0;
        for (CatalogRecord r : truth.catalog()) {
            if (category(r).equals(truth.topicName(truth.itemTopic(r.itemId())))) {
                matching++;
            }
            assertEquals(truth.categoryTopic(r.itemId()), truth.syntheticCatalog().topicOfName(category(r)));
        }
        double share = (double) matching / truth.items();
        // 85% by construction, plus the noise that draws the own topic again (0.15 / 20).
        assertTrue(share > 0.82 && share < 0.90, "category = own topic for " + share + " of the items");

        // Without noise every item is categorized by its topic, with full noise about one in twenty.
        GroundTruth exact = new ClickstreamGenerator(GeneratorConfig.builder().seed(7).catalogNoise(0).build())
                .groundTruth();
        assertTrue(exact.catalog().stream().allMatch(r -> exact.categoryTopic(r.itemId())
                == exact.itemTopic(r.itemId())));
        GroundTruth noisy = new ClickstreamGenerator(GeneratorConfig.builder().seed(7).catalogNoise(1).build())
                .groundTruth();
        long hits = noisy.catalog().stream().filter(r -> noisy.categoryTopic(r.itemId())
                == noisy.itemTopic(r.itemId())).count();
        assertTrue(hits < 200, hits + " of 2,000 items on their own topic by chance");
    }

    @Test
    void brandsAreMostlyTopicSpecificAndAFewAreShared() {
        Map<String, Set<Integer>> topicsOfBrand = new HashMap<>();
        int own = 0;
        for (CatalogRecord r : truth.catalog()) {
            int t = truth.itemTopic(r.itemId());
            topicsOfBrand.computeIfAbsent(brand(r), b -> new HashSet<>()).add(t);
            if (truth.syntheticCatalog().brandsOf(t).contains(brand(r))) {
                own++;
            }
        }
        double share = (double) own / truth.items();
        assertTrue(share > 0.81 && share < 0.89, "own-topic brand for " + share + " of the items");
        long single = topicsOfBrand.values().stream().filter(s -> s.size() == 1).count();
        long shared = topicsOfBrand.values().stream().filter(s -> s.size() >= 10).count();
        assertEquals(20 * SyntheticCatalog.BRANDS_PER_TOPIC, single, "every own brand stays in its topic");
        assertEquals(SyntheticCatalog.SHARED_BRANDS, shared, "the shared brands appear across topics");
    }

    @Test
    void titlesAreMostlyWordsOfTheItemsTopicAndPricesFollowTheTopic() {
        int words = 0;
        int own = 0;
        Map<Integer, List<Double>> prices = new TreeMap<>();
        for (CatalogRecord r : truth.catalog()) {
            int t = truth.itemTopic(r.itemId());
            Set<String> vocabulary = Set.copyOf(truth.syntheticCatalog().vocabularyOf(t));
            for (String w : r.text().get("title").toLowerCase(java.util.Locale.ROOT).split(" ")) {
                boolean topical = false;
                for (int o = 0; o < truth.topics(); o++) {
                    topical |= truth.syntheticCatalog().vocabularyOf(o).contains(w);
                }
                if (topical) {
                    words++;
                    own += vocabulary.contains(w) ? 1 : 0;
                }
            }
            double price = r.numbers().get("price");
            assertTrue(price > 0 && Math.round(price * 100) / 100.0 == price, "price " + price);
            prices.computeIfAbsent(t, k -> new ArrayList<>()).add(price);
        }
        double share = (double) own / words;
        assertTrue(share > 0.78 && share < 0.88, "title words of the own topic: " + share);
        // Median prices differ between topics (log-normal medians, sigma 0.7).
        List<Double> medians = prices.values().stream().map(l -> l.stream().sorted().toList().get(l.size() / 2))
                .sorted().toList();
        assertTrue(medians.get(medians.size() - 1) / medians.get(0) > 3, "topic medians " + medians);
    }

    @Test
    void cartAndPurchaseValuesAreTheCatalogPrice() {
        int checked = 0;
        for (InteractionEvent e : events) {
            if (e.type != EventType.CLICK) {
                assertEquals(truth.catalogRecord(e.itemId).numbers().get("price"), e.value, e.toString());
                checked++;
            }
        }
        assertTrue(checked > 1_000);
    }

    /**
     * The share of a user's clicks that should land on items whose category names {@code topic}: a click is on topic
     * t with probability (1 - exploration) * taste[t] + exploration / topics, and an item of topic t is categorized
     * as {@code topic} with probability (t == topic ? 1 - noise : 0) + noise / topics.
     */
    private static double expectedShare(String user, int topic) {
        double noise = 0.15;
        double e = truth.exploration();
        double[] taste = truth.taste(user);
        double share = 0;
        for (int t = 0; t < truth.topics(); t++) {
            share += ((1 - e) * taste[t] + e / truth.topics())
                    * ((t == topic ? 1 - noise : 0) + noise / truth.topics());
        }
        return share;
    }

    /**
     * Content carries signal about the hidden tastes: the items whose category names a user's favourite topic are
     * where about half of a focused user's clicks go (as many as the model says), though they are a twentieth of
     * the catalog.
     */
    @Test
    void aUsersClicksGoMostlyToItemsWhoseCategoryMatchesTheirTaste() {
        Map<String, List<String>> clicks = new HashMap<>();
        events.stream().filter(e -> e.type == EventType.CLICK)
                .forEach(e -> clicks.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(e.itemId));
        double observed = 0;
        double expected = 0;
        int users = 0;
        for (Map.Entry<String, List<String>> e : clicks.entrySet()) {
            String user = e.getKey();
            int favourite = truth.dominantTopic(user);
            if (e.getValue().size() < 50 || truth.taste(user)[favourite] < 0.5) {
                continue;
            }
            String name = truth.topicName(favourite);
            long matching = e.getValue().stream().filter(i -> category(truth.catalogRecord(i)).equals(name)).count();
            observed += (double) matching / e.getValue().size();
            expected += expectedShare(user, favourite);
            users++;
        }
        observed /= users;
        expected /= users;
        System.out.printf("%d focused users: %.3f of their clicks on items categorized as their favourite topic "
                + "(%.3f expected)%n", users, observed, expected);
        assertTrue(users >= 40, "users: " + users);
        assertTrue(observed > 0.4, "share of clicks on matching items: " + observed + " (a twentieth of the items)");
        assertEquals(expected, observed, 0.04);
    }

    /** The users {@link GroundTruth#usersMatching} names for an item are those who click its kind of item. */
    @Test
    void theUsersMatchingAnItemAreTheOnesWhoClickItsCategory() {
        Map<String, int[]> clicksByUser = new HashMap<>(); // [clicks on items categorized as the probe's topic, all]
        String probe = truth.popularItems(1).get(0);
        int topic = truth.itemTopic(probe);
        for (InteractionEvent e : events) {
            if (e.type == EventType.CLICK) {
                int[] c = clicksByUser.computeIfAbsent(e.userId, u -> new int[2]);
                c[0] += truth.categoryTopic(e.itemId) == topic ? 1 : 0;
                c[1]++;
            }
        }
        List<String> matching = truth.usersMatching(probe, 30);
        assertEquals(30, matching.size());
        for (int i = 1; i < matching.size(); i++) {
            assertTrue(truth.tasteMatch(matching.get(i - 1), probe) >= truth.tasteMatch(matching.get(i), probe));
        }
        assertEquals(truth.taste(matching.get(0))[topic], truth.tasteMatch(matching.get(0), probe));
        double expected = 0;
        long clicked = 0;
        for (String u : matching) {
            int n = clicksByUser.getOrDefault(u, new int[2])[1];
            expected += n * expectedShare(u, topic);
            clicked += n;
        }
        expected /= clicked;
        double matchingShare = share(clicksByUser, matching);
        double everyone = share(clicksByUser, new ArrayList<>(clicksByUser.keySet()));
        System.out.printf("clicks on the category of %s: its 30 matching users %.3f (%.3f expected), all users "
                + "%.3f%n", probe, matchingShare, expected, everyone);
        assertTrue(matchingShare > 5 * everyone, matchingShare + " vs " + everyone);
        assertEquals(expected, matchingShare, 0.05);
    }

    private static double share(Map<String, int[]> clicksByUser, List<String> users) {
        long on = 0;
        long all = 0;
        for (String u : users) {
            int[] c = clicksByUser.getOrDefault(u, new int[2]);
            on += c[0];
            all += c[1];
        }
        return (double) on / all;
    }

    @Test
    void recordsAreWrittenAsTheCatalogSchemasJson() throws Exception {
        JsonNode schema;
        try (InputStream in = SyntheticCatalogTest.class.getResourceAsStream("/catalog-record.schema.json")) {
            assertNotNull(in, "catalog-record.schema.json is on the classpath (schemas module)");
            schema = JSON.readTree(in);
        }
        Set<String> topLevel = new HashSet<>();
        schema.path("properties").fieldNames().forEachRemaining(topLevel::add);
        Pattern name = Pattern.compile(schema.path("properties").path("categories").path("propertyNames")
                .path("pattern").asText());

        CatalogRecord launched = new CatalogRecord("i-2001", true,
                Map.of("category", List.of("garden"), "tags", List.of("new", "eco")), Map.of("title", "Eco trowel"),
                Map.of("price", 12.5), 1_704_067_200_000L);
        List<CatalogRecord> records = new ArrayList<>(truth.catalog().subList(0, 50));
        records.add(launched);
        records.add(SyntheticCatalog.retire(truth.catalogRecord("i-3"), 1_704_067_260_000L));
        records.add(CatalogRecord.retired("i-9"));
        for (CatalogRecord r : records) {
            byte[] bytes = CatalogJson.toBytes(r);
            assertTrue(bytes.length <= 65_536);
            JsonNode n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                assertTrue(topLevel.contains(field), "field " + field + " is not in the schema");
            }
            for (String required : iterable(schema.path("required"))) {
                assertTrue(n.has(required), required + " missing in " + n);
            }
            // The strict parser (what the trainer uses) reads back exactly the record written.
            CatalogParseResult back = new CatalogParser().parse(r.itemId().getBytes(StandardCharsets.UTF_8), bytes);
            assertTrue(back.isValid(), () -> back + " for " + new String(bytes, StandardCharsets.UTF_8));
            assertEquals(r, back.record());
        }
        for (CatalogRecord r : List.of(launched, CatalogRecord.retired("i-9"))) {
            byte[] bytes = CatalogJson.toBytes(r);
            assertEquals(r, new CatalogParser().parse(r.itemId().getBytes(StandardCharsets.UTF_8), bytes).record());
        }
        assertThrows(IllegalArgumentException.class, () -> CatalogJson.toBytes(new CatalogRecord("i-1", true,
                Map.of(), Map.of(), Map.of("price", Double.NaN), null)));
    }

    private static List<String> iterable(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    void moreTopicsThanNamesStillGetDistinctNamesAndWords() {
        GroundTruth wide = new ClickstreamGenerator(GeneratorConfig.builder().topics(50).items(500).build())
                .groundTruth();
        Set<String> names = new HashSet<>();
        Set<String> words = new HashSet<>();
        for (int t = 0; t < 50; t++) {
            assertTrue(names.add(wide.topicName(t)), "duplicate name " + wide.topicName(t));
            for (String w : wide.syntheticCatalog().vocabularyOf(t)) {
                assertTrue(words.add(w), "word " + w + " in two topics");
            }
            assertEquals(t, wide.syntheticCatalog().topicOfName(wide.topicName(t)));
        }
        assertFalse(names.contains("books-1"));
        assertTrue(names.contains("books-2") && names.contains("books-3"));
    }
}
