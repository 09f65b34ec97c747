package io.streamrec.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.QueryContext;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.Recommender.ExcludePolicy;
import io.streamrec.serving.retrieval.Recommender.RankMode;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.http.NettyServer.Reply;
import io.streamrec.serving.http.NettyServer.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on {@link NettyServer} (Netty; header, body and idle timeouts, a connection limit, bounded request
 * sizes): JSON in and out, strict input checks (every refusal is a 4xx naming the parameter, in the JSON error
 * format, malformed request targets included), a bounded handler pool, and request counts and latencies per route in
 * {@link ServingMetrics}.
 *
 * <pre>
 * GET  /v1/users/{id}/recommendations?k=10&amp;exclude=seen|purchased|none&amp;exclude_items=a&amp;exclude_items=b&amp;rank=auto|none
 * POST /v1/recommendations  {"history": [ids], "k": 10, "exclude_items": [ids], "rank": "auto"}
 * GET  /v1/items/{id}/similar?k=10
 * GET|HEAD /health   GET|HEAD /ready   GET /metrics
 * </pre>
 *
 * <p>The request target is read as UTF-8 (raw bytes and percent-escapes alike); anything that is not is a 400
 * {@code invalid_parameter}. Thread-safe; one instance per server.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = newMapper();
    private static final String JSON_TYPE = "application/json";

    private final Recommender recommender;
    private final SnapshotHolder snapshots;
    private final ServingMetrics metrics;
    private final Supplier<String> healthProblem;
    private final int defaultK;
    private final int maxK;
    private final int maxExclude;
    private final int maxHistory;
    private final int maxBody;
    private final NettyServer server;
    private final ThreadPoolExecutor pool;

    /**
     * @param healthProblem null while the node is healthy, else a sentence saying what is wrong
     */
    public HttpApi(ServingConfig config, Recommender recommender, SnapshotHolder snapshots, ServingMetrics metrics,
                   Supplier<String> healthProblem) {
        this.recommender = recommender;
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.healthProblem = healthProblem;
        this.defaultK = config.get(ServingConfig.DEFAULT_K);
        this.maxK = config.get(ServingConfig.MAX_K);
        this.maxExclude = config.get(ServingConfig.MAX_EXCLUDE_ITEMS);
        this.maxHistory = config.get(ServingConfig.MAX_HISTORY);
        this.maxBody = config.get(ServingConfig.MAX_BODY_BYTES);
        int threads = config.get(ServingConfig.HTTP_THREADS);
        AtomicInteger n = new AtomicInteger();
        // Bounded both ways; when the queue is full the server answers 503 at once (a network thread never runs a
        // request): back-pressure instead of unbounded memory or a blocked event loop.
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.get(ServingConfig.HTTP_QUEUE)),
                r -> {
                    Thread t = new Thread(r, "http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.server = new NettyServer(config.get(ServingConfig.HTTP_HOST), config.get(ServingConfig.HTTP_PORT),
                config.get(ServingConfig.HTTP_IO_THREADS), config.get(ServingConfig.HTTP_MAX_CONNECTIONS),
                config.get(ServingConfig.HTTP_HEADER_TIMEOUT), config.get(ServingConfig.HTTP_BODY_TIMEOUT),
                config.get(ServingConfig.HTTP_IDLE_TIMEOUT), config.get(ServingConfig.HTTP_MAX_HEADER_BYTES),
                maxBody, pool, new NettyServer.Handler() {
                    @Override
                    public Reply handle(Request request) {
                        return HttpApi.this.handle(request);
                    }

                    @Override
                    public void answeredByServer(int status) {
                        metrics.httpRequests.labelValues("unknown", Integer.toString(status)).inc();
                    }
                });
    }

    private static ObjectMapper newMapper() {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build();
        f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        ObjectMapper m = new ObjectMapper(f);
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return m;
    }

    public void start() {
        try {
            server.start();
        } catch (RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
    }

    /** The bound port (useful with {@code http.port 0}). */
    public int port() {
        return server.port();
    }

    /** Open HTTP connections now. */
    public int openConnections() {
        return server.openConnections();
    }

    /** Stops accepting, closes the connections, lets running requests finish (up to 2 s), stops the pool. */
    @Override
    public void close() {
        server.close();
        pool.shutdown();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- dispatch ----

    /** A request's target split into its raw path and raw query (escapes kept), read as UTF-8. */
    private record Target(String path, String query) {}

    private Reply handle(Request ex) {
        long start = System.nanoTime();
        String route = "unknown";
        Reply reply;
        String path = "";
        try {
            String method = ex.method();
            Target target = target(ex.target());
            path = target.path;
            String[] seg = path.split("/", 6);
            if (path.equals("/health")) {
                route = "health";
                requireMethod(method, "GET", "HEAD");
                reply = health();
            } else if (path.equals("/ready")) {
                route = "ready";
                requireMethod(method, "GET", "HEAD");
                reply = ready();
            } else if (path.equals("/metrics")) {
                route = "metrics";
                requireMethod(method, "GET");
                reply = metricsPage();
            } else if (path.equals("/v1/recommendations")) {
                route = "session_recommendations";
                requireMethod(method, "POST");
                reply = sessionRecommendations(ex, target);
            } else if (seg.length == 5 && seg[0].isEmpty() && seg[1].equals("v1") && seg[2].equals("users")
                    && seg[4].equals("recommendations")) {
                route = "user_recommendations";
                requireMethod(method, "GET");
                reply = userRecommendations(target, seg[3]);
            } else if (seg.length == 5 && seg[0].isEmpty() && seg[1].equals("v1") && seg[2].equals("items")
                    && seg[4].equals("similar")) {
                route = "similar_items";
                requireMethod(method, "GET");
                reply = similarItems(target, seg[3]);
            } else {
                throw new ApiException(404, "not_found", null, "no such resource: " + abbreviatedPath(path));
            }
        } catch (ApiException e) {
            if (e.status == 405) {
                reply = new Reply(405, JSON_TYPE, ErrorMapper.body(e.error, e.detail(), null), e.parameter);
            } else {
                reply = Reply.json(e.status, ErrorMapper.body(e));
            }
        } catch (RuntimeException e) {
            // Last resort: a bug must cost one request a 500, never the handler thread or the process.
            LOG.error("request {} {} failed", ex.method(), abbreviatedPath(path), e);
            reply = Reply.json(500, ErrorMapper.internalError());
        }
        metrics.httpRequests.labelValues(route, Integer.toString(reply.status())).inc();
        metrics.httpLatency.labelValues(route).observe((System.nanoTime() - start) / 1e9);
        return reply;
    }

    /**
     * The request target as UTF-8: Netty hands over its bytes one char per byte (ISO-8859-1), so raw non-ASCII
     * bytes are decoded here, strictly; percent-escapes stay for the parameter parsers. An absolute-form target
     * ({@code http://host/path}) is reduced to its path; {@code *} and the like match no route.
     */
    private static Target target(String raw) throws ApiException {
        String t;
        try {
            t = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid("path", "the request target is not valid UTF-8");
        }
        int hash = t.indexOf('#');
        if (hash >= 0) {
            t = t.substring(0, hash);
        }
        if (!t.startsWith("/")) {
            int scheme = t.indexOf("://");
            if (scheme > 0) {
                int slash = t.indexOf('/', scheme + 3);
                int q = t.indexOf('?', scheme + 3);
                t = slash >= 0 && (q < 0 || slash < q) ? t.substring(slash) : "/" + (q >= 0 ? t.substring(q) : "");
            }
        }
        int q = t.indexOf('?');
        return q < 0 ? new Target(t, null) : new Target(t.substring(0, q), t.substring(q + 1));
    }

    private static void requireMethod(String method, String... allowed) throws ApiException {
        for (String a : allowed) {
            if (method.equals(a)) {
                return;
            }
        }
        String list = String.join(", ", allowed);
        throw new ApiException(405, "method_not_allowed", list, "use " + list + " for this resource");
    }

    private static String abbreviatedPath(String p) {
        return RequestParsing.abbreviate(p == null ? "" : p);
    }

    // ---- routes ----

    private Reply health() {
        String problem = healthProblem.get();
        byte[] body = json(g -> {
            g.writeStringField("status", problem == null ? "up" : "down");
            if (problem != null) {
                g.writeStringField("detail", problem);
            }
        });
        return Reply.json(problem == null ? 200 : 503, body);
    }

    private Reply ready() {
        ItemSnapshot s = snapshots.get();
        if (s == null) {
            return Reply.json(503, ErrorMapper.body("not_ready", "no complete item snapshot has arrived yet", null));
        }
        long now = System.currentTimeMillis();
        return Reply.json(200, json(g -> {
            g.writeBooleanField("ready", true);
            g.writeNumberField("snapshot_version", s.version.version);
            g.writeNumberField("snapshot_age_ms", s.version.ageMs(now));
            g.writeNumberField("items", s.matrix.size());
        }));
    }

    private Reply metricsPage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            metrics.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reply(200, metrics.contentType(), out.toByteArray(), null);
    }

    private Reply userRecommendations(Target target, String rawUser) throws ApiException {
        String user = RequestParsing.id(RequestParsing.percentDecode(rawUser, false, "user_id"), "user_id");
        Map<String, List<String>> q = RequestParsing.query(target.query);
        QueryContext context = contextParameters(q);
        allowOnly(q, Set.of("k", "exclude", "exclude_items", "rank"));
        int k = RequestParsing.k(RequestParsing.single(q, "k"), defaultK, maxK);
        ExcludePolicy policy = excludePolicy(RequestParsing.single(q, "exclude"));
        List<String> excludeItems = ids(q.getOrDefault("exclude_items", List.of()), "exclude_items", maxExclude);
        RankMode rank = rankMode(RequestParsing.single(q, "rank"));
        Recommender.Result r = recommender.forUser(user, k, policy, excludeItems, context, rank);
        return Reply.json(200, result(r, k, g -> {
            g.writeStringField("user_id", user);
            g.writeStringField("exclude", policy.name().toLowerCase(Locale.ROOT));
        }));
    }

    private Reply similarItems(Target target, String rawItem) throws ApiException {
        String item = RequestParsing.id(RequestParsing.percentDecode(rawItem, false, "item_id"), "item_id");
        Map<String, List<String>> q = RequestParsing.query(target.query);
        allowOnly(q, Set.of("k"));
        int k = RequestParsing.k(RequestParsing.single(q, "k"), defaultK, maxK);
        Recommender.Result r;
        try {
            r = recommender.similar(item, k);
        } catch (Recommender.UnknownItemException e) {
            throw new ApiException(404, "unknown_item", "item_id", e.getMessage());
        }
        return Reply.json(200, result(r, k, g -> g.writeStringField("item_id", item)));
    }

    private Reply sessionRecommendations(Request ex, Target target) throws ApiException {
        if (target.query != null && !target.query.isEmpty()) {
            throw ApiException.invalid("query", "this resource takes its parameters in the JSON body");
        }
        byte[] body = ex.body(); // at most request.max-body-bytes: the server refused longer ones (413)
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_json", "body", "request body is not valid JSON: "
                    + RequestParsing.abbreviate(String.valueOf(e.getOriginalMessage())));
        } catch (IOException e) { // cannot happen reading a byte array
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new ApiException(400, "invalid_json", "body", "request body must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("history") && !f.equals("k") && !f.equals("exclude_items") && !f.equals("context")
                    && !f.equals("rank")) {
                throw ApiException.invalid(f, "unknown field '" + RequestParsing.abbreviate(f)
                        + "'; known fields: history, k, exclude_items, context, rank");
            }
        }
        QueryContext context = contextObject(root.get("context"));
        int k = defaultK;
        JsonNode kn = root.get("k");
        if (kn != null && !kn.isNull()) {
            if (!kn.isIntegralNumber() || !kn.canConvertToLong()) {
                throw ApiException.invalid("k", "k must be an integer between 1 and " + maxK);
            }
            k = RequestParsing.checkK(kn.longValue(), maxK);
        }
        List<String> history = idArray(root.get("history"), "history", maxHistory);
        List<String> exclude = idArray(root.get("exclude_items"), "exclude_items", maxExclude);
        JsonNode rn = root.get("rank");
        if (rn != null && !rn.isNull() && !rn.isTextual()) {
            throw ApiException.invalid("rank", "rank must be one of auto, none");
        }
        RankMode rank = rankMode(rn == null || rn.isNull() ? null : rn.textValue());
        Recommender.Result r = recommender.forHistory(history, k, exclude, context, rank);
        return Reply.json(200, result(r, k, g -> g.writeNumberField("history_size", history.size())));
    }

    // ---- input helpers ----

    /** Longest context value accepted, in characters. */
    private static final int MAX_CONTEXT_VALUE = 256;
    /** Most context parameters per request. */
    private static final int MAX_CONTEXT_PARAMETERS = 16;

    /**
     * Takes the {@code context.*} parameters out of {@code q}: {@code context.hour} (0-23), {@code context.weekday}
     * (1-7, Monday = 1, or a day name such as {@code monday}) and {@code context.<property>} (one value each).
     */
    private static QueryContext contextParameters(Map<String, List<String>> q) throws ApiException {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, List<String>>> it = q.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, List<String>> e = it.next();
            if (!e.getKey().startsWith("context.")) {
                continue;
            }
            String name = e.getKey().substring("context.".length());
            if (e.getValue().size() != 1) {
                throw ApiException.invalid(RequestParsing.abbreviate(e.getKey()),
                        RequestParsing.abbreviate(e.getKey()) + " must be given once");
            }
            values.put(name, e.getValue().get(0));
            it.remove();
        }
        return context(values, "context.");
    }

    /** The {@code context} object of a JSON body: {"hour": 13, "weekday": 3, "device": "mobile"}. */
    private static QueryContext contextObject(JsonNode node) throws ApiException {
        if (node == null || node.isNull()) {
            return QueryContext.NOW;
        }
        if (!node.isObject()) {
            throw ApiException.invalid("context", "context must be an object such as {\"hour\": 13, \"weekday\": 3}");
        }
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isTextual() && !v.isIntegralNumber()) {
                throw ApiException.invalid("context." + RequestParsing.abbreviate(e.getKey()),
                        "context values must be strings or integers");
            }
            values.put(e.getKey(), v.asText());
        }
        return context(values, "context.");
    }

    private static QueryContext context(Map<String, String> values, String prefix) throws ApiException {
        if (values.isEmpty()) {
            return QueryContext.NOW;
        }
        if (values.size() > MAX_CONTEXT_PARAMETERS) {
            throw ApiException.invalid("context", "at most " + MAX_CONTEXT_PARAMETERS + " context values");
        }
        Integer hour = null;
        Integer weekday = null;
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = e.getKey();
            String v = e.getValue();
            String parameter = prefix + RequestParsing.abbreviate(name);
            if (name.isEmpty() || v.isEmpty() || v.length() > MAX_CONTEXT_VALUE
                    || v.chars().anyMatch(Character::isISOControl)) {
                throw ApiException.invalid(parameter, parameter + " must be a non-empty value of at most "
                        + MAX_CONTEXT_VALUE + " characters without control characters");
            }
            if (name.equals("hour")) {
                hour = intIn(v, 0, 23, parameter);
            } else if (name.equals("weekday")) {
                weekday = weekday(v, parameter);
            } else {
                properties.put(name, v);
            }
        }
        return new QueryContext(hour, weekday, properties);
    }

    private static int intIn(String v, int lo, int hi, String parameter) throws ApiException {
        try {
            int x = Integer.parseInt(v.trim());
            if (x >= lo && x <= hi) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid(parameter, parameter + " must be an integer from " + lo + " to " + hi + ", got '"
                + RequestParsing.abbreviate(v) + "'");
    }

    private static int weekday(String v, String parameter) throws ApiException {
        try {
            return java.time.DayOfWeek.valueOf(v.trim().toUpperCase(Locale.ROOT)).getValue();
        } catch (IllegalArgumentException e) {
            try {
                return intIn(v, 1, 7, parameter);
            } catch (ApiException bad) {
                throw ApiException.invalid(parameter, parameter + " must be 1-7 (Monday = 1) or a day name such as "
                        + "monday, got '" + RequestParsing.abbreviate(v) + "'");
            }
        }
    }

    private static void allowOnly(Map<String, List<String>> q, Set<String> allowed) throws ApiException {
        for (String name : q.keySet()) {
            if (!allowed.contains(name)) {
                throw ApiException.invalid(RequestParsing.abbreviate(name), "unknown query parameter '"
                        + RequestParsing.abbreviate(name) + "'; allowed: " + String.join(", ", allowed));
            }
        }
    }

    private static ExcludePolicy excludePolicy(String raw) throws ApiException {
        if (raw == null) {
            return ExcludePolicy.SEEN;
        }
        switch (raw) {
            case "seen": return ExcludePolicy.SEEN;
            case "purchased": return ExcludePolicy.PURCHASED;
            case "none": return ExcludePolicy.NONE;
            default:
                throw ApiException.invalid("exclude", "exclude must be one of seen, purchased, none; got '"
                        + RequestParsing.abbreviate(raw) + "'");
        }
    }

    /** {@code auto} (default): the ranking stage orders a model answer when a ranker model is there; {@code none}. */
    private static RankMode rankMode(String raw) throws ApiException {
        if (raw == null) {
            return RankMode.AUTO;
        }
        switch (raw) {
            case "auto": return RankMode.AUTO;
            case "none": return RankMode.NONE;
            default:
                throw ApiException.invalid("rank", "rank must be one of auto, none; got '"
                        + RequestParsing.abbreviate(raw) + "'");
        }
    }

    private static List<String> ids(List<String> raw, String parameter, int max) throws ApiException {
        if (raw.size() > max) {
            throw ApiException.invalid(parameter, parameter + " has " + raw.size() + " ids, over the limit of "
                    + max);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String id : raw) {
            out.add(RequestParsing.id(id, parameter));
        }
        return new ArrayList<>(out);
    }

    private static List<String> idArray(JsonNode node, String parameter, int max) throws ApiException {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.invalid(parameter, parameter + " must be an array of id strings");
        }
        if (node.size() > max) {
            throw ApiException.invalid(parameter, parameter + " has " + node.size() + " ids, over the limit of "
                    + max);
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode e : node) {
            if (!e.isTextual()) {
                throw ApiException.invalid(parameter, parameter + " must contain only strings");
            }
            out.add(RequestParsing.id(e.textValue(), parameter));
        }
        return out;
    }

    // ---- output ----

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] result(Recommender.Result r, int k, Fields head) {
        long now = System.currentTimeMillis();
        return json(g -> {
            head.write(g);
            g.writeStringField("strategy", r.strategy);
            if (r.snapshot == null) {
                g.writeNullField("snapshot_version");
                g.writeNullField("snapshot_age_ms");
            } else {
                g.writeNumberField("snapshot_version", r.snapshot.version);
                g.writeNumberField("snapshot_age_ms", r.snapshot.ageMs(now));
            }
            if (r.rankerVersion == null) {
                g.writeNullField("ranker_version");
            } else {
                g.writeNumberField("ranker_version", r.rankerVersion);
            }
            g.writeNumberField("k", k);
            g.writeNumberField("excluded_count", r.excluded);
            g.writeArrayFieldStart("items");
            for (Recommender.Scored s : r.items) {
                g.writeStartObject();
                g.writeStringField("item_id", s.itemId);
                g.writeNumberField("score", s.score);
                if (s.rankScore != null) {
                    g.writeNumberField("rank_score", s.rankScore);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }
}
