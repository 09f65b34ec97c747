package io.streamrec.serving;

import static io.streamrec.config.Option.between;
import static io.streamrec.config.Option.nonBlank;

import io.streamrec.config.ConfigArgs;
import io.streamrec.config.Option;
import io.streamrec.config.OptionSet;
import io.streamrec.config.Settings;
import io.streamrec.config.ValueTypes;
import io.streamrec.serving.retrieval.AnnIndexer;
import io.streamrec.serving.retrieval.ParallelTopK;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serving node's configuration: every key defined once ({@link Option}: type, default, rules, meaning), read
 * from {@code --key value} command line arguments and/or a properties file ({@code --config file},
 * {@link ConfigArgs}), and checked once at startup. Values follow the one grammar of {@link ValueTypes}; errors are
 * {@code KEY: PROBLEM}.
 *
 * <p>Immutable and thread-safe. Keys are dotted lower case and equal the CLI flag without its dashes.
 */
public final class ServingConfig {

    private static final List<Option<?>> KEYS = new ArrayList<>();

    private static <T> Option<T> key(Option.Builder<T> builder) {
        Option<T> o = builder.build();
        KEYS.add(o);
        return o;
    }

    private static Option.Builder<Integer> integer(String name, int def, int min, int max, String description) {
        return Option.named(name, ValueTypes.INTEGER).defaultValue(def)
                .check(between(min, max), "must be between " + min + " and " + max).description(description);
    }

    private static Option.Builder<Duration> duration(String name, Duration def, String description) {
        return Option.named(name, ValueTypes.DURATION).defaultValue(def)
                .check(d -> !d.isZero() && !d.isNegative(), "must be positive").description(description);
    }

    private static Option.Builder<String> text(String name, String def, String description) {
        return Option.named(name, ValueTypes.STRING).defaultValue(def).check(nonBlank(), "must not be empty")
                .description(description);
    }

    public static final Option<String> HTTP_HOST = key(text("http.host", "0.0.0.0",
            "Address the HTTP server binds to."));
    public static final Option<Integer> HTTP_PORT = key(integer("http.port", 8080, 0, 65535,
            "HTTP port; 0 picks a free one (logged at start)."));
    public static final Option<Integer> HTTP_THREADS = key(integer("http.threads", 8, 1, 1024,
            "Request handler threads."));
    public static final Option<Integer> HTTP_QUEUE = key(integer("http.queue-capacity", 1000, 1, 1_000_000,
            "Requests waiting for a handler thread; beyond it a request is answered 503 `overloaded` at once "
                    + "instead of growing a queue."));
    public static final Option<Integer> HTTP_IO_THREADS = key(integer("http.io-threads", 1, 1, 64,
            "Network threads (Netty event loops): read and parse requests, write answers; never block."));
    public static final Option<Integer> HTTP_MAX_CONNECTIONS = key(integer("http.max-connections", 1000, 1,
            1_000_000, "Open connections at most; a connection beyond it is closed as soon as it is accepted."));
    public static final Option<Duration> HTTP_HEADER_TIMEOUT = key(duration("http.header-timeout",
            Duration.ofSeconds(10), "Time a request's head (request line and headers) may take to arrive, from its "
                    + "first byte; then the connection gets a 408 `request_timeout` and is closed."));
    public static final Option<Duration> HTTP_BODY_TIMEOUT = key(duration("http.body-timeout",
            Duration.ofSeconds(10), "Time a request's body may take to arrive, from the end of its head (a body "
                    + "shorter than its Content-Length); then a 408 `request_timeout` and the connection is closed."));
    public static final Option<Duration> HTTP_IDLE_TIMEOUT = key(duration("http.idle-timeout",
            Duration.ofSeconds(60), "A kept-alive connection with no request under way is closed after this long."));
    public static final Option<Integer> HTTP_MAX_HEADER_BYTES = key(integer("http.max-header-bytes", 65536, 1024,
            16 * 1024 * 1024, "Longest request line, and largest header block, accepted (414 `uri_too_long`, 431 "
                    + "`headers_too_large` beyond); the request line carries a GET's `exclude_items`."));
    public static final Option<String> KAFKA_BOOTSTRAP = key(text("kafka.bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers."));
    public static final Option<String> TOPIC_INTERACTIONS = key(text("topics.interactions", "interactions",
            "Topic of interaction events (JSON)."));
    public static final Option<String> TOPIC_ITEM_EMBEDDINGS = key(text("topics.item-embeddings", "item-embeddings",
            "Compacted topic of item embeddings and snapshot completion markers (Avro)."));
    public static final Option<String> TOPIC_USER_EMBEDDINGS = key(text("topics.user-embeddings", "user-embeddings",
            "Compacted topic of user embeddings (Avro)."));
    public static final Option<String> TOPIC_RANKER_MODEL = key(text("topics.ranker-model", "ranker-model",
            "Compacted topic of the ranking stage's model (key `ranker`, value the trainer's published RankerModel); "
                    + "the newest record is used."));
    public static final Option<Path> STATE_DIR = key(Option.named("state.dir", ValueTypes.PATH)
            .defaultValue(Path.of(".streamrec/serving"))
            .description("RocksDB directory: seen items, user vectors, popularity, the served snapshot, the ranker "
                    + "model and consumer offsets."));
    public static final Option<Boolean> STATE_SYNC_WRITES = key(Option.named("state.sync-writes", ValueTypes.BOOLEAN)
            .defaultValue(false)
            .description("fsync the RocksDB WAL on every batch. Off survives a process kill (the WAL is in the OS "
                    + "cache), not a power loss."));
    public static final Option<Integer> SEEN_MAX_PER_USER = key(integer("seen.max-items-per-user", 10000, 1,
            1_000_000, "Seen items kept per user; beyond it the least recently seen are dropped."));
    public static final Option<Duration> POPULAR_HALF_LIFE = key(Option.named("popular.half-life", ValueTypes.DURATION)
            .defaultValue(Duration.ofDays(1)).check(d -> !d.isZero(), "must be positive")
            .description("Half-life of the time-decayed popularity used for cold start (event time)."));
    public static final Option<Integer> POPULAR_MAX_ITEMS = key(integer("popular.max-items", 200000, 100,
            100_000_000, "Items whose popularity is tracked; the least popular are dropped beyond it."));
    public static final Option<Instant> EVENTS_EARLIEST = key(Option.named("ingest.timestamp.earliest",
                    ValueTypes.INSTANT)
            .defaultValue(Instant.parse("2000-01-01T00:00:00Z")).deprecatedName("events.earliest-timestamp")
            .description("Interactions before this are rejected (the trainer's key, with its default; MovieLens "
                    + "needs 1995)."));
    public static final Option<Duration> EVENTS_MAX_FUTURE_SKEW = key(Option.named("ingest.timestamp.max-future",
                    ValueTypes.DURATION)
            .defaultValue(Duration.ofDays(1)).deprecatedName("events.max-future-skew")
            .description("Interactions further in the future than this are rejected (the trainer's key)."));
    public static final Option<Duration> SNAPSHOT_RECORD_WAIT = key(Option.named("snapshot.record-wait",
                    ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(5))
            .description("After every subtask's marker has arrived, how long to wait for embedding records the "
                    + "markers count but that have not been read yet (other partitions) before swapping anyway."));
    public static final Option<Integer> MAX_K = key(integer("request.max-k", 1000, 1, 100_000,
            "Largest k a request may ask for."));
    public static final Option<Integer> DEFAULT_K = key(integer("request.default-k", 10, 1, 100_000,
            "k when a request gives none."));
    public static final Option<Integer> MAX_EXCLUDE_ITEMS = key(integer("request.max-exclude-items", 1000, 0,
            1_000_000, "Most explicit item ids a request may exclude."));
    public static final Option<Integer> MAX_HISTORY = key(integer("request.max-history", 1000, 1, 1_000_000,
            "Most history item ids in an anonymous (POST) request."));
    public static final Option<Integer> MAX_BODY_BYTES = key(integer("request.max-body-bytes", 1048576, 1024,
            64 * 1024 * 1024, "Largest request body accepted."));
    public static final Option<Integer> RANK_CANDIDATES = key(integer("rank.candidates", 200, 1, 10_000,
            "Candidates a model answer retrieves for the ranker to re-order (at least k; the best k by the ranker's "
                    + "score are returned). Without a ranker model, or with `rank=none`, only k are retrieved."));
    public static final Option<Integer> TOPK_SCAN_THREADS = key(integer("topk.scan-threads", 2, 1, 64,
            "Threads one query's top-k scan may use (the caller plus idle helpers; 1 = never split)."));
    public static final Option<Integer> TOPK_MIN_ITEMS_PER_THREAD = key(integer("topk.min-items-per-thread", 25000,
            4, 100_000_000, "A scan is split only into parts of at least this many items."));
    public static final Option<ParallelTopK.Kernel> TOPK_KERNEL = key(Option.named("topk.kernel",
                    ValueTypes.enumeration(ParallelTopK.Kernel.class,
                            k -> k == ParallelTopK.Kernel.BF16 ? "bf16" : "float"))
            .defaultValue(ParallelTopK.Kernel.BF16)
            .description("How the top-k scan reads the items: `bf16` scans a bfloat16 copy (half the bytes) and "
                    + "re-scores exactly the few items that can still make the top-k; `float` scans the float rows "
                    + "once. Both return the same exact result. With `bf16` a bf16 copy (+50% matrix memory) is built "
                    + "with every snapshot; `float` does without it."));

    public static final Option<AnnIndexer.Mode> TOPK_INDEX = key(Option.named("topk.index",
                    ValueTypes.enumeration(AnnIndexer.Mode.class, AnnIndexer.Mode::label))
            .defaultValue(AnnIndexer.Mode.AUTO)
            .description("How top-k searches the items: `exact` scans them all (`topk.kernel`); `ann` uses an "
                    + "approximate IVF index (k-means lists, recall@100 about 0.96 against exact on clustered "
                    + "embeddings, BENCHMARKS.md), built with each snapshot before it is swapped in; `auto` uses "
                    + "`ann` from `topk.ann.min-items` items. Similar items and every other query use the same."));
    public static final Option<Integer> TOPK_ANN_MIN_ITEMS = key(integer("topk.ann.min-items", 200000, 1,
            Integer.MAX_VALUE, "With `topk.index=auto`, the item count from which the approximate index is used."));
    public static final Option<Integer> TOPK_ANN_LISTS = key(integer("topk.ann.lists", 0, 0, 1_000_000,
            "Clusters (lists) of the approximate index; 0 = about sqrt(items) / 4."));
    public static final Option<Integer> TOPK_ANN_PROBES = key(integer("topk.ann.probes", 0, 0, 1_000_000,
            "Lists scanned per query (more: higher recall, slower); 0 = 35% of the lists."));

    public static final Option<Integer> TOPK_BATCH_MAX = key(integer("topk.batch.max-queries", 16, 1, 1024,
            "Exact top-k queries that arrive while a scan runs are scored together in the next pass over the "
                    + "matrix (matrix-matrix), at most this many per pass; 1 = every query scans alone."));

    /** Every key, for reading and for the README's table. */
    public static final OptionSet OPTIONS = OptionSet.of(KEYS);

    private final Settings settings;

    private ServingConfig(Settings settings) {
        this.settings = settings;
        if (get(DEFAULT_K) > get(MAX_K)) {
            throw new io.streamrec.config.ConfigException(DEFAULT_K.key(), "must not exceed " + MAX_K.key() + " ("
                    + get(MAX_K) + "), got " + get(DEFAULT_K));
        }
    }

    public static List<Option<?>> keys() {
        return List.copyOf(KEYS);
    }

    public static ServingConfig defaults() {
        return of(Map.of());
    }

    /** From explicit values; unknown keys and invalid values throw a ConfigException naming the key. */
    public static ServingConfig of(Map<String, String> values) {
        return new ServingConfig(OPTIONS.resolve(values));
    }

    /**
     * From {@code --key value} pairs (also {@code --key=value}); {@code --config path} loads a properties file
     * first, and command line values override it.
     */
    public static ServingConfig fromArgs(String[] args) {
        return of(ConfigArgs.parse(args));
    }

    /** A copy with one more value set. */
    public <T> ServingConfig with(Option<T> key, T value) {
        Map<String, String> v = new LinkedHashMap<>(settings.given());
        v.put(key.key(), key.format(value));
        return of(v);
    }

    public <T> T get(Option<T> key) {
        return settings.get(key);
    }

    /** Deprecated keys used, one line each, for the startup log. */
    public List<String> warnings() {
        return settings.warnings();
    }

    /** The effective values of every key, for the startup log. */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        KEYS.forEach(k -> out.put(k.key(), settings.given().getOrDefault(k.key(), k.defaultText())));
        return out;
    }

    /** Markdown table of keys, defaults and meanings (serving/README.md holds it verbatim). */
    public static String describe() {
        List<String> lines = new ArrayList<>();
        lines.add("| key | default | meaning |");
        lines.add("|---|---|---|");
        KEYS.forEach(k -> lines.add("| `" + k.key() + "` | `" + k.defaultText() + "` | " + k.description() + " |"));
        return String.join("\n", lines);
    }
}
