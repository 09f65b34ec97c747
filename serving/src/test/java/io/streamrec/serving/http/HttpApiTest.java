package io.streamrec.serving.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.EventType;
import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.VectorTopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The HTTP API in process (real JDK server, real RocksDB stores, a snapshot set by hand, no Kafka), called with
 * java.net.http: every refusal case of the issue, plus the shape of successful answers.
 */
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
            seen.record(b, "alice", "i0", EventType.PURCHASE, 1000);
            seen.record(b, "alice", "i1", EventType.CLICK, 1000);
            users.put(b, "alice", new float[] {1, 0, 0, 0}, 1, 0);
            for (int i = 0; i < 20; i++) {
                for (int c = 0; c <= i; c++) {
                    popularity.add("i" + i, 1000, 1.0); // i19 most popular
                }
            }
            popularity.beforeWrite(b);
            store.write(b);
        }
        popularity.publish(true);
        holder = new SnapshotHolder();
        ServingMetrics metrics = new ServingMetrics();
        Recommender rec = new Recommender(holder, users, seen, popularity, new VectorTopK());
        api = new HttpApi(config, rec, holder, metrics, () -> null);
        api.start();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    static void stop() {
        api.close();
        store.close();
    }

    private static void serveSnapshot() {
        String[] ids = new String[20];
        float[][] v = new float[20][];
        for (int i = 0; i < 20; i++) {
            ids[i] = "i" + i;
            v[i] = new float[] {100 - i, 1, 0, 0}; // for alice (1,0,0,0): i0 best, then i1, ...
        }
        holder.set(new ItemSnapshot(ItemMatrix.of(ids, v), new SnapshotVersion(3, System.currentTimeMillis(), 0)));
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).POST(body)
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, HttpRequest.BodyPublishers.ofString(body));
    }

    /** Sends a request line the JDK client would refuse to build; returns the raw response. */
    static String rawGet(String target) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static String rawGetBytes(byte[] target) throws Exception {
        java.io.ByteArrayOutputStream req = new java.io.ByteArrayOutputStream();
        req.write("GET ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        req.write(target);
        req.write(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return raw(req.toByteArray());
    }

    static String rawRequest(String request) throws Exception {
        return raw(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String raw(byte[] request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request);
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Asserts a 4xx with the error body naming the parameter. */
    static JsonNode assertError(HttpResponse<String> r, int status, String parameter) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertTrue(n.hasNonNull("error"), r.body());
        assertTrue(n.hasNonNull("detail"), r.body());
        if (parameter != null) {
            assertEquals(parameter, n.path("parameter").asText(), r.body());
        }
        return n;
    }

    @Test
    void healthReadyAndMetrics() throws Exception {
        assertEquals(200, get("/health").statusCode());
        serveSnapshot();
        HttpResponse<String> ready = get("/ready");
        assertEquals(200, ready.statusCode());
        assertEquals(3, JSON.readTree(ready.body()).get("snapshot_version").asLong());
        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("streamrec_http_requests_total"), m.body());
        assertTrue(m.body().contains("streamrec_http_request_duration_seconds_bucket"));
        assertTrue(m.body().contains("jvm_memory"), "JVM metrics are registered");
    }

    @Test
    void readyIs503WithoutASnapshot() throws Exception {
        ItemSnapshot before = holder.get();
        holder.set(null);
        try {
            assertError(get("/ready"), 503, null);
            // recommendations still work without a snapshot: popular items
            JsonNode r = JSON.readTree(get("/v1/users/alice/recommendations?k=3").body());
            assertEquals("popular", r.get("strategy").asText());
            assertTrue(r.get("snapshot_version").isNull());
        } finally {
            holder.set(before);
        }
    }

    @Test
    void modelRecommendationsExcludeSeenOrPurchasedItems() throws Exception {
        serveSnapshot();
        JsonNode seen = JSON.readTree(get("/v1/users/alice/recommendations?k=3").body());
        assertEquals("model", seen.get("strategy").asText());
        assertEquals(3, seen.get("snapshot_version").asLong());
        assertEquals(List.of("i2", "i3", "i4"), ids(seen));
        JsonNode purchased = JSON.readTree(get("/v1/users/alice/recommendations?k=3&exclude=purchased").body());
        assertEquals(List.of("i1", "i2", "i3"), ids(purchased));
        JsonNode none = JSON.readTree(
                get("/v1/users/alice/recommendations?k=3&exclude=none&exclude_items=i1&exclude_items=i2").body());
        assertEquals(List.of("i0", "i3", "i4"), ids(none));
        JsonNode all = JSON.readTree(get("/v1/users/alice/recommendations?k=1000").body());
        assertEquals(18, all.get("items").size(), "min(k, available)");
    }

    @Test
    void unknownUserGetsPopularMinusSeen() throws Exception {
        serveSnapshot();
        JsonNode r = JSON.readTree(get("/v1/users/bob/recommendations?k=2").body());
        assertEquals("popular", r.get("strategy").asText());
        assertEquals("bob", r.get("user_id").asText());
        assertEquals(List.of("i19", "i18"), ids(r));
        JsonNode ex = JSON.readTree(get("/v1/users/bob/recommendations?k=2&exclude_items=i19").body());
        assertEquals(List.of("i18", "i17"), ids(ex));
    }

    @Test
    void anonymousSessionAndSimilarItems() throws Exception {
        serveSnapshot();
        JsonNode s = JSON.readTree(post("/v1/recommendations",
                "{\"history\": [\"i0\", \"nope\"], \"k\": 2, \"exclude_items\": [\"i1\"]}").body());
        assertEquals("model", s.get("strategy").asText());
        assertEquals(List.of("i2", "i3"), ids(s));
        JsonNode cold = JSON.readTree(post("/v1/recommendations", "{\"history\": [\"nope\"], \"k\": 1}").body());
        assertEquals("popular", cold.get("strategy").asText());
        HttpResponse<String> sim = get("/v1/items/i5/similar?k=3");
        assertEquals(200, sim.statusCode(), sim.body());
        List<String> simIds = ids(JSON.readTree(sim.body()));
        assertEquals(3, simIds.size());
        assertFalse(simIds.contains("i5"), "never the item itself");
        assertError(get("/v1/items/unknown/similar"), 404, "item_id");
    }

    @Test
    void badKIsA400NamingK() throws Exception {
        serveSnapshot();
        for (String k : new String[] {"abc", "1.5", "0", "-1", "1001", "99999999999999999999", ""}) {
            assertError(get("/v1/users/alice/recommendations?k=" + k), 400, "k");
        }
        assertError(get("/v1/users/alice/recommendations?k=1&k=2"), 400, "k");
        assertError(get("/v1/items/i1/similar?k=0"), 400, "k");
        assertError(post("/v1/recommendations", "{\"k\": \"5\"}"), 400, "k");
        assertError(post("/v1/recommendations", "{\"k\": 1001}"), 400, "k");
        assertError(post("/v1/recommendations", "{\"k\": 2.5}"), 400, "k");
    }

    @Test
    void badIdsAreA400NamingTheParameter() throws Exception {
        assertError(get("/v1/users/" + "x".repeat(257) + "/recommendations"), 400, "user_id");
        String raw = rawGet("/v1/users/%ZZ/recommendations");
        assertTrue(raw.startsWith("HTTP/1.1 400"), raw); // java.net.URI refuses it, so a raw socket sends it
        assertTrue(raw.contains("\"error\":\"invalid_parameter\"") && raw.contains("\"parameter\":\"user_id\""),
                raw);
        assertTrue(raw.contains("Content-Type: application/json") || raw.contains("content-type: application/json"),
                raw);
        assertError(get("/v1/users/%C3%28/recommendations"), 400, "user_id"); // invalid UTF-8
        assertError(get("/v1/users/a%01b/recommendations"), 400, "user_id"); // control character
        assertError(get("/v1/users/%20/recommendations"), 400, "user_id"); // blank
        assertError(get("/v1/users/alice/recommendations?exclude_items=" + "y".repeat(300)), 400, "exclude_items");
        assertError(get("/v1/items/" + "z".repeat(300) + "/similar"), 400, "item_id");
        assertError(post("/v1/recommendations", "{\"history\": [\"" + "h".repeat(300) + "\"]}"), 400, "history");
        assertError(post("/v1/recommendations", "{\"history\": [\"\\ud800\"]}"), 400, "history");
        // an id with a slash, percent-encoded, is an id like any other
        assertEquals(200, get("/v1/users/a%2Fb/recommendations").statusCode());
    }

    @Test
    void pathsAreDecodedAsUtf8() throws Exception {
        serveSnapshot();
        JsonNode escaped = JSON.readTree(get("/v1/users/%C3%A9t%C3%A9/recommendations?k=1").body());
        assertEquals("\u00e9t\u00e9", escaped.get("user_id").asText());
        // raw UTF-8 bytes in the request line, as some clients send them
        String raw = rawGetBytes("/v1/users/\u00e9t\u00e9/recommendations?k=1"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
        assertTrue(raw.contains("\"user_id\":\"\u00e9t\u00e9\""), raw);
        // raw bytes that are not UTF-8 (ISO-8859-1 e-acute) and invalid escapes: JSON 400 invalid_parameter
        String latin1 = rawGetBytes("/v1/users/\u00e9/recommendations".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertTrue(latin1.startsWith("HTTP/1.1 400") && latin1.contains("\"error\":\"invalid_parameter\""), latin1);
        assertError(get("/v1/users/%FF/recommendations"), 400, "user_id");
        String badQuery = rawGet("/v1/users/alice/recommendations?k=%G1");
        assertTrue(badQuery.startsWith("HTTP/1.1 400") && badQuery.contains("\"error\":\"invalid_parameter\""),
                badQuery);
    }

    @Test
    void headOnHealthAndReadyAnswersWithoutABody() throws Exception {
        serveSnapshot();
        for (String path : new String[] {"/health", "/ready"}) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            assertEquals("", r.body(), path);
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), path);
        }
        HttpResponse<String> wrong = post("/health", "{}");
        assertError(wrong, 405, null);
        assertEquals("GET, HEAD", wrong.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void protocolErrorsAreJson() throws Exception {
        // a request line over http.max-header-bytes (64 KiB)
        String longLine = rawGet("/v1/users/alice/recommendations?k=1&x=" + "a".repeat(70_000));
        assertTrue(longLine.startsWith("HTTP/1.1 414") && longLine.contains("\"error\":\"uri_too_long\""),
                RequestParsing.abbreviate(longLine));
        String garbage = rawRequest("NOT-HTTP\r\n\r\n");
        assertTrue(garbage.startsWith("HTTP/1.1 400") && garbage.contains("\"error\""), garbage);
        String expect = rawRequest("POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n"
                + "Content-Length: 2\r\n\r\n{}");
        assertTrue(expect.startsWith("HTTP/1.1 417") && expect.contains("\"error\":\"expectation_failed\""), expect);
        HttpResponse<String> continued = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/recommendations"))
                .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"i0\"], \"k\": 2}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, continued.statusCode(), continued.body());
        // keep-alive: two requests on one connection
        String two = rawRequest("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(2, two.split("HTTP/1.1 200", -1).length - 1, two);
    }

    @Test
    void badExcludeAndUnknownParametersAre400() throws Exception {
        assertError(get("/v1/users/alice/recommendations?exclude=everything"), 400, "exclude");
        assertError(get("/v1/users/alice/recommendations?kk=3"), 400, "kk");
        StringBuilder many = new StringBuilder("/v1/users/alice/recommendations?k=1");
        for (int i = 0; i < 1001; i++) {
            many.append("&exclude_items=x").append(i);
        }
        assertError(get(many.toString()), 400, "exclude_items");
    }

    @Test
    void rankIsAutoOrNoneAndAnswersSayWhetherARankerOrderedThem() throws Exception {
        serveSnapshot();
        // This recommender has no ranking stage: auto and none both answer in retrieval order, ranker_version null.
        for (String rank : new String[] {"", "&rank=auto", "&rank=none"}) {
            JsonNode r = JSON.readTree(get("/v1/users/alice/recommendations?k=3" + rank).body());
            assertEquals(List.of("i2", "i3", "i4"), ids(r), rank);
            assertTrue(r.has("ranker_version") && r.get("ranker_version").isNull(), r.toString());
            assertFalse(r.get("items").get(0).has("rank_score"), r.toString());
        }
        JsonNode session = JSON.readTree(post("/v1/recommendations", "{\"history\": [\"i0\"], \"k\": 2, "
                + "\"rank\": \"none\"}").body());
        assertEquals(List.of("i1", "i2"), ids(session));
        assertTrue(session.get("ranker_version").isNull(), session.toString());
        assertTrue(JSON.readTree(get("/v1/items/i5/similar?k=2").body()).get("ranker_version").isNull());
        for (String bad : new String[] {"best", "AUTO", "", "none%20"}) {
            JsonNode e = assertError(get("/v1/users/alice/recommendations?rank=" + bad), 400, "rank");
            assertEquals("invalid_parameter", e.get("error").asText());
        }
        assertError(get("/v1/users/alice/recommendations?rank=auto&rank=none"), 400, "rank");
        assertError(post("/v1/recommendations", "{\"history\": [\"i0\"], \"rank\": \"best\"}"), 400, "rank");
        assertError(post("/v1/recommendations", "{\"history\": [\"i0\"], \"rank\": 1}"), 400, "rank");
        assertError(get("/v1/items/i5/similar?rank=none"), 400, "rank");
    }

    @Test
    void badBodiesAre4xx() throws Exception {
        assertError(post("/v1/recommendations", "not json"), 400, "body");
        assertError(post("/v1/recommendations", "[1, 2]"), 400, "body");
        assertError(post("/v1/recommendations", ""), 400, "body");
        assertError(post("/v1/recommendations", "{\"history\": \"i1\"}"), 400, "history");
        assertError(post("/v1/recommendations", "{\"history\": [1]}"), 400, "history");
        assertError(post("/v1/recommendations", "{\"histroy\": []}"), 400, "histroy");
        assertError(post("/v1/recommendations", "{\"k\": 1} trailing"), 400, "body");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add("\"h" + i + "\"");
        }
        assertError(post("/v1/recommendations", "{\"history\": [" + String.join(",", tooMany) + "]}"), 400,
                "history");
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        assertError(post("/v1/recommendations", HttpRequest.BodyPublishers.ofByteArray(big)), 413, "body");
        // chunked (no Content-Length): the limit still holds while reading
        assertError(post("/v1/recommendations",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))), 413, "body");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertError(post("/v1/recommendations", deep), 400, "body");
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertError(get("/v1/nothing"), 404, null);
        assertError(get("/v1/users/alice/recommendations/extra"), 404, null);
        HttpResponse<String> wrong = post("/v1/users/alice/recommendations", "{}");
        assertError(wrong, 405, null);
        assertEquals("GET", wrong.headers().firstValue("Allow").orElse(""));
        assertError(get("/v1/recommendations"), 405, null);
    }

    private static List<String> ids(JsonNode response) {
        List<String> out = new ArrayList<>();
        Set<String> unique = new HashSet<>();
        response.get("items").forEach(i -> {
            out.add(i.get("item_id").asText());
            unique.add(i.get("item_id").asText());
        });
        assertEquals(out.size(), unique.size(), "no duplicates");
        return out;
    }
}
