package io.streamrec.serving;

import static io.streamrec.serving.ServingTestSupport.await;
import static io.streamrec.serving.ServingTestSupport.event;
import static io.streamrec.serving.ServingTestSupport.get;
import static io.streamrec.serving.ServingTestSupport.getJson;
import static io.streamrec.serving.ServingTestSupport.itemIds;
import static io.streamrec.serving.ServingTestSupport.quietly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.ranker.RankerModel;
import io.streamrec.schema.EventType;
import io.streamrec.serving.rank.TestRankers;
import io.streamrec.serving.retrieval.BruteForceTopK;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopKResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranking stage through real Kafka and real HTTP: item embeddings, a user vector and seen items published as
 * the trainer and the event stream publish them, then a {@link RankerModel} trained to prefer five of the user's
 * 200 candidates (retrieval ranks 100-104) published to the ranker topic. The answer carries the model's version and
 * its order; exclusions stay exact; {@code rank=none} is retrieval order; corrupt records are counted and change
 * nothing; the newest record's model replaces the one in use, whatever its version; a restarted node serves its model
 * at once.
 */
class RankerServingITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int ITEMS = 300;
    private static final int DIM = 16;
    private static final String USER = "ranked-user";

    @TempDir
    Path stateDir;

    @Test
    void answersCarryTheRankersVersionAndOrder() throws Exception {
        EmbeddedKafkaBroker broker = KAFKA.broker();
        ServingTestSupport.Topics topics = new ServingTestSupport.Topics(broker, 2);
        Random rnd = new Random(17);
        Map<String, float[]> items = new LinkedHashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            items.put("item-" + i, ServingTestSupport.randomVector(rnd, DIM));
        }
        ItemMatrix reference = ItemMatrix.of(items.keySet().toArray(new String[0]),
                items.values().toArray(new float[0][]));
        float[] user = ServingTestSupport.randomVector(rnd, DIM);
        Set<String> seen = Set.of("item-3", "item-30", "item-299", "item-42");
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        seen.forEach(id -> events.add(event(topics.interactions, USER, id, EventType.CLICK)));
        broker.produce(events);
        ServingTestSupport.publishUserVector(broker, topics.users, USER, user, 1);
        ServingTestSupport.publishSnapshot(broker, topics.items, 1, items, 2);

        // The candidates the node retrieves (no query spec: the user's vector is the query; no prior on the rows).
        Exclusion.Builder eb = Exclusion.builder(reference.size());
        seen.forEach(id -> eb.add(reference.ordinal(id)));
        TopKResult candidates = new BruteForceTopK().search(reference, user, 200, eb.build(), Similarity.DOT);
        Map<String, float[]> rows = new LinkedHashMap<>();
        Set<String> preferred = new LinkedHashSet<>();
        for (int i = 0; i < candidates.size(); i++) {
            String id = reference.id(candidates.ordinal(i));
            rows.put(id, items.get(id));
            if (i >= 100 && i < 105) {
                preferred.add(id);
            }
        }
        RankerModel trained = TestRankers.train(user, rows, preferred, 120);

        String base = "/v1/users/" + USER + "/recommendations?k=10";
        try (ServingNode node = new ServingNode(topics.config(broker, stateDir)).start()) {
            await(Duration.ofSeconds(30), "the snapshot, the user vector and the seen items", quietly(() -> {
                JsonNode r = getJson(node.port(), base);
                return r.get("strategy").asText().equals("model") && r.get("excluded_count").asInt() == seen.size();
            }));
            JsonNode before = getJson(node.port(), base);
            assertTrue(before.get("ranker_version").isNull(), "no model yet: " + before);
            assertTrue(metric(node, "streamrec_ranker_fallbacks_total{reason=\"no_model\"}") >= 1);

            ServingTestSupport.publishRanker(broker, topics.ranker, trained.toPublishedBytes());
            await(Duration.ofSeconds(30), "the ranker model in use", quietly(() ->
                    getJson(node.port(), base).get("ranker_version").asLong(-1) == 120));
            JsonNode ranked = getJson(node.port(), base);
            assertOrderedByTheModel(ranked, TestRankers.published(trained), user, reference, candidates, preferred);
            for (String id : itemIds(ranked)) {
                assertFalse(seen.contains(id), "seen item " + id + " answered");
            }

            // Exclusions stay exact: two preferred items excluded explicitly, the other three still lead.
            List<String> two = new ArrayList<>(preferred).subList(0, 2);
            JsonNode without = getJson(node.port(), base + "&exclude_items=" + two.get(0) + "&exclude_items="
                    + two.get(1));
            assertEquals(10, without.get("items").size());
            assertEquals(120, without.get("ranker_version").asLong());
            Set<String> rest = new HashSet<>(preferred);
            two.forEach(rest::remove);
            assertEquals(rest, new HashSet<>(itemIds(without).subList(0, 3)));
            assertFalse(itemIds(without).contains(two.get(0)) || itemIds(without).contains(two.get(1)));
            // k beyond the candidates: every available item, ranked
            JsonNode all = getJson(node.port(), "/v1/users/" + USER + "/recommendations?k=1000");
            assertEquals(ITEMS - seen.size(), all.get("items").size());
            assertEquals(120, all.get("ranker_version").asLong());

            // rank=none: retrieval order, as before the ranker.
            JsonNode none = getJson(node.port(), base + "&rank=none");
            assertTrue(none.get("ranker_version").isNull());
            for (int i = 0; i < 10; i++) {
                assertEquals(reference.id(candidates.ordinal(i)), itemIds(none).get(i), "retrieval rank " + i);
                assertFalse(none.get("items").get(i).has("rank_score"));
            }
            assertEquals(400, get(node.port(), base + "&rank=best").statusCode());

            // Corrupt records: counted, logged, the model in use stays.
            ServingTestSupport.publishRanker(broker, topics.ranker, "not a model".getBytes(StandardCharsets.UTF_8));
            byte[] newer = TestRankers.train(user, rows, preferred, 150).toPublishedBytes();
            ServingTestSupport.publishRanker(broker, topics.ranker, Arrays.copyOf(newer, 200)); // truncated
            await(Duration.ofSeconds(10), "both corrupt records counted", quietly(() -> metric(node,
                    "streamrec_records_skipped_total{reason=\"undecodable\",topic=\"" + topics.ranker + "\"}") == 2));
            JsonNode after = getJson(node.port(), base);
            assertEquals(120, after.get("ranker_version").asLong(), "the previous model is still in use");
            assertEquals(itemIds(ranked), itemIds(after));
            assertEquals(200, get(node.port(), "/health").statusCode());

            // The newest record wins, even of a lower version (a trainer restored from an older checkpoint).
            ServingTestSupport.publishRanker(broker, topics.ranker, trained.toPublishedBytes());
            ServingTestSupport.publishRanker(broker, topics.ranker, newer);
            await(Duration.ofSeconds(30), "the newest model in use", quietly(() ->
                    getJson(node.port(), base).get("ranker_version").asLong() == 150));
            ServingTestSupport.publishRanker(broker, topics.ranker, TestRankers.train(user, rows, preferred, 130)
                    .toPublishedBytes());
            await(Duration.ofSeconds(30), "a newer record of a lower version in use", quietly(() ->
                    getJson(node.port(), base).get("ranker_version").asLong() == 130));
            ServingTestSupport.publishRanker(broker, topics.ranker, newer);
            await(Duration.ofSeconds(30), "the 150 again", quietly(() ->
                    getJson(node.port(), base).get("ranker_version").asLong() == 150));
            assertEquals(150, metric(node, "streamrec_ranker_version"));
            assertTrue(metric(node, "streamrec_ranker_ranked_total") >= 5);
            assertTrue(get(node.port(), "/metrics").body().contains("streamrec_ranker_duration_seconds_bucket"));
        }

        // A restart serves the model it had at once: it is in the state store, the topic has nothing new.
        try (ServingNode node = new ServingNode(topics.config(broker, stateDir)).start()) {
            await(Duration.ofSeconds(30), "the restored snapshot and model", quietly(() ->
                    getJson(node.port(), base).get("ranker_version").asLong(-1) == 150));
            assertEquals(0, metric(node, "streamrec_records_consumed_total{topic=\"" + topics.ranker + "\"}"),
                    "nothing re-read from the topic");
        }
    }

    /**
     * The answer is the model's best 10 of the candidates: each item's rank_score is the model's logit for it (over
     * the same features, computed here), the scores fall, they are the 10 highest, and the preferred items lead.
     */
    private static void assertOrderedByTheModel(JsonNode r, RankerModel model, float[] user, ItemMatrix reference,
                                                TopKResult candidates, Set<String> preferred) {
        int n = candidates.size();
        String[] ids = new String[n];
        float[][] rows = new float[n][];
        float[] scores = new float[n];
        Map<String, Integer> at = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            ids[i] = reference.id(candidates.ordinal(i));
            rows[i] = reference.vector(candidates.ordinal(i));
            scores[i] = candidates.score(i);
            at.put(ids[i], i);
        }
        float[] logits = TestRankers.logits(model, user, USER, ids, rows, scores);
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        JsonNode items = r.get("items");
        assertEquals(10, items.size());
        for (int i = 0; i < 10; i++) {
            JsonNode item = items.get(i);
            int c = at.get(item.get("item_id").asText());
            double rankScore = item.get("rank_score").asDouble();
            assertEquals(logits[c], rankScore, 1e-4, "rank " + i + ": the model's logit for " + ids[c]);
            assertEquals(sorted[n - 1 - i], rankScore, 1e-4, "rank " + i + ": the (i+1)-th highest logit");
            assertEquals(scores[c], item.get("score").asDouble(), 1e-4, "the retrieval score is kept");
        }
        assertEquals(preferred, new HashSet<>(itemIds(r).subList(0, 5)), "the items the model was taught lead");
    }

    /** A sample's value on /metrics (0 when absent). */
    private static double metric(ServingNode node, String sample) throws Exception {
        String body = get(node.port(), "/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
