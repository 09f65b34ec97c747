package io.streamrec.serving.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.EventType;
import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.VectorTopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotAssembler.Update;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The HTTP API over a snapshot with features: the query's context from the request (and its validation), catalog-only
 * items served from their features, retired items gone, and a user's recent items in the query.
 */
class FeaturesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SPORTS = FeatureKeys.item("category", "sports");
    private static final String NIGHT = FeatureKeys.context("hour", "23");

    @TempDir
    static Path dir;
    private static StateStore store;
    private static HttpApi api;
    private static SnapshotHolder holder;
    private static String base;

    @BeforeAll
    static void start() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ServingConfig config = ServingConfig.defaults().with(ServingConfig.HTTP_PORT, 0)
                .with(ServingConfig.HTTP_HOST, "127.0.0.1").with(ServingConfig.STATE_DIR, dir);
        store = StateStore.open(dir, false);
        SeenItemsStore seen = new SeenItemsStore(store, 1000);
        UserVectorStore users = new UserVectorStore(store);
        Popularity popularity = new Popularity(store, Duration.ofHours(1), 1000, 3000);
        try (WriteBatchWithIndex b = store.newBatch()) {
            users.put(b, "alice", new float[] {1, 0, 0, 1}, 1, 0); // dim 3 + bias coordinate
            seen.record(b, "carol", "a1", EventType.CLICK, 1000); // no vector, one recent item
            popularity.add("a0", 1000, 1.0);
            popularity.add("retired", 1000, 5.0); // the most popular, but retired by the second snapshot
            popularity.beforeWrite(b);
            store.write(b);
        }
        popularity.publish(true);
        // Items: a0..a4 point along x (alice's taste), b0..b4 along y; "new" is catalog-only: a zero id vector and
        // the sports feature, which points along x too; "night" items along z are what the 23:00 context favours.
        QuerySpec spec = new QuerySpec(3, true, 1.0, 5, 1.0, false, 1.0,
                ContextSpec.parse(1.0, "hour", "device", "UTC"), 0L, 0.01);
        Map<String, Update> updates = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            updates.put("a" + i, Update.of(new float[] {1f - 0.1f * i, 0f, 0f, 0f}));
            updates.put("b" + i, Update.of(new float[] {0f, 1f - 0.1f * i, 0f, 0f}));
            updates.put("night" + i, Update.of(new float[] {0f, 0f, 0.1f, 0f}));
        }
        updates.put(SPORTS, Update.of(new float[] {3f, 0f, 0f, 0f}));
        updates.put(NIGHT, Update.of(new float[] {0f, 0f, 100f, 0f}));
        updates.put("new", Update.of(new float[4], ItemFeatures.of(new String[] {SPORTS}, new float[] {1f})));
        updates.put("retired", Update.of(new float[] {9f, 0f, 0f, 0f}));
        holder = new SnapshotHolder();
        ItemSnapshot first = ItemSnapshot.empty(true).apply(updates, new SnapshotVersion(1, 0, 0), spec.toJson());
        // The next snapshot retires one item.
        holder.set(first.apply(Map.of("retired", Update.removal()), new SnapshotVersion(2, System.currentTimeMillis(),
                0), ""));
        Recommender rec = new Recommender(holder, users, seen, popularity, new VectorTopK());
        api = new HttpApi(config, rec, holder, new ServingMetrics(), () -> null);
        api.start();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    static void stop() {
        api.close();
        store.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> items(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).get("items").forEach(n -> out.add(n.get("item_id").asText()));
        return out;
    }

    private static void assertInvalid(HttpResponse<String> r, String parameter) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("invalid_parameter", n.get("error").asText(), r.body());
        assertEquals(parameter, n.get("parameter").asText(), r.body());
    }

    @Test
    void aCatalogOnlyItemIsServedFromItsFeaturesAndARetiredOneNever() throws Exception {
        List<String> alice = items(get("/v1/users/alice/recommendations?k=3&context.hour=12"));
        assertEquals(List.of("new", "a0", "a1"), alice, "the sports feature scores 3 along alice's taste");
        assertFalse(items(get("/v1/users/alice/recommendations?k=100&context.hour=12")).contains("retired"));
        assertEquals(404, get("/v1/items/retired/similar").statusCode());
        assertEquals("a0", items(get("/v1/items/new/similar?k=1")).get(0), "similar works for a catalog-only item");
    }

    @Test
    void theRequestsContextEntersTheQuery() throws Exception {
        assertEquals("night0", items(get("/v1/users/alice/recommendations?k=1&context.hour=23")).get(0));
        assertEquals("new", items(get("/v1/users/alice/recommendations?k=1&context.hour=12")).get(0));
        // A property that is not configured as context, or has no vector, changes nothing.
        assertEquals("new", items(get("/v1/users/alice/recommendations?k=1&context.hour=12&context.page=cart"))
                .get(0));
        assertEquals("night0", items(post("/v1/recommendations",
                "{\"history\": [\"a0\"], \"k\": 1, \"context\": {\"hour\": 23}}")).get(0));
        assertEquals("new", items(post("/v1/recommendations",
                "{\"history\": [\"a0\"], \"k\": 1, \"context\": {\"hour\": \"7\", \"weekday\": \"sunday\"}}")).get(0));
    }

    @Test
    void aUserWithoutAVectorIsAnsweredFromTheItemsTheyJustTouched() throws Exception {
        HttpResponse<String> r = get("/v1/users/carol/recommendations?k=2&context.hour=12");
        assertEquals("model", JSON.readTree(r.body()).get("strategy").asText());
        assertEquals(List.of("new", "a0"), items(r), "carol clicked a1: items along x, a1 itself excluded");
        HttpResponse<String> dave = get("/v1/users/dave/recommendations");
        assertEquals("popular", JSON.readTree(dave.body()).get("strategy").asText());
        assertEquals(List.of("a0"), items(dave), "a retired item is not answered as popular either");
    }

    @Test
    void badContextIsA400NamingTheParameter() throws Exception {
        assertInvalid(get("/v1/users/alice/recommendations?context.hour=24"), "context.hour");
        assertInvalid(get("/v1/users/alice/recommendations?context.hour=noon"), "context.hour");
        assertInvalid(get("/v1/users/alice/recommendations?context.weekday=8"), "context.weekday");
        assertInvalid(get("/v1/users/alice/recommendations?context.weekday=funday"), "context.weekday");
        assertInvalid(get("/v1/users/alice/recommendations?context.device="), "context.device");
        assertInvalid(get("/v1/users/alice/recommendations?context.hour=1&context.hour=2"), "context.hour");
        assertInvalid(get("/v1/users/alice/recommendations?context.device="
                + URLEncoder.encode("a\u0001b", StandardCharsets.UTF_8)), "context.device");
        assertInvalid(post("/v1/recommendations", "{\"history\": [\"a0\"], \"context\": [13]}"), "context");
        assertInvalid(post("/v1/recommendations", "{\"history\": [\"a0\"], \"context\": {\"hour\": 1.5}}"),
                "context.hour");
        assertInvalid(post("/v1/recommendations", "{\"history\": [\"a0\"], \"context\": {\"hour\": 99}}"),
                "context.hour");
    }
}
