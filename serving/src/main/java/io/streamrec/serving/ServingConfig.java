package io.streamrec.serving;

import io.streamrec.serving.retrieval.ParallelTopK;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The serving node's configuration: every key with its default and meaning, read from {@code --key value} command
 * line arguments and/or a properties file ({@code --config file}), checked once at startup. Errors name the key.
 *
 * <p>Immutable and thread-safe. Keys are dotted lower case and equal the CLI flag without its dashes.
 */
public final class ServingConfig {

    /** One documented key. */
    public static final class Key<T> {
        public final String name;
        public final String defaultValue;
        public final String description;
        private final Function<String, T> parser;

        private Key(String name, String defaultValue, String description, Function<String, T> parser) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.description = description;
            this.parser = parser;
        }
    }

    private static final Map<String, Key<?>> KEYS = new LinkedHashMap<>();

    public static final Key<String> HTTP_HOST = key("http.host", "0.0.0.0",
            "Address the HTTP server binds to.", Function.identity());
    public static final Key<Integer> HTTP_PORT = key("http.port", "8080",
            "HTTP port; 0 picks a free one (logged at start).", v -> intIn(v, 0, 65535));
    public static final Key<Integer> HTTP_THREADS = key("http.threads", "8",
            "Request handler threads.", v -> intIn(v, 1, 1024));
    public static final Key<Integer> HTTP_QUEUE = key("http.queue-capacity", "1000",
            "Requests waiting for a handler thread; beyond it the accepting thread runs the request itself, which "
                    + "pushes back on clients instead of growing a queue.", v -> intIn(v, 1, 1_000_000));
    public static final Key<String> KAFKA_BOOTSTRAP = key("kafka.bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers.", ServingConfig::nonEmpty);
    public static final Key<String> TOPIC_INTERACTIONS = key("topics.interactions", "interactions",
            "Topic of interaction events (JSON).", ServingConfig::nonEmpty);
    public static final Key<String> TOPIC_ITEM_EMBEDDINGS = key("topics.item-embeddings", "item-embeddings",
            "Compacted topic of item embeddings and snapshot completion markers (Avro).", ServingConfig::nonEmpty);
    public static final Key<String> TOPIC_USER_EMBEDDINGS = key("topics.user-embeddings", "user-embeddings",
            "Compacted topic of user embeddings (Avro).", ServingConfig::nonEmpty);
    public static final Key<Path> STATE_DIR = key("state.dir", ".streamrec/serving",
            "RocksDB directory: seen items, user vectors, popularity, the served snapshot and consumer offsets.",
            v -> Path.of(nonEmpty(v)));
    public static final Key<Boolean> STATE_SYNC_WRITES = key("state.sync-writes", "false",
            "fsync the RocksDB WAL on every batch. Off survives a process kill (the WAL is in the OS cache), "
                    + "not a power loss.", ServingConfig::bool);
    public static final Key<Integer> SEEN_MAX_PER_USER = key("seen.max-items-per-user", "10000",
            "Seen items kept per user; beyond it the least recently seen are dropped.", v -> intIn(v, 1, 1_000_000));
    public static final Key<Duration> POPULAR_HALF_LIFE = key("popular.half-life", "1d",
            "Half-life of the time-decayed popularity used for cold start (event time).", ServingConfig::positive);
    public static final Key<Integer> POPULAR_MAX_ITEMS = key("popular.max-items", "200000",
            "Items whose popularity is tracked; the least popular are dropped beyond it.",
            v -> intIn(v, 100, 100_000_000));
    public static final Key<Instant> EVENTS_EARLIEST = key("events.earliest-timestamp", "2000-01-01T00:00:00Z",
            "Interactions before this are rejected (same default as the trainer's parser; MovieLens needs 1990).",
            ServingConfig::instant);
    public static final Key<Duration> EVENTS_MAX_FUTURE_SKEW = key("events.max-future-skew", "1d",
            "Interactions further in the future than this are rejected.", ServingConfig::nonNegative);
    public static final Key<Duration> SNAPSHOT_RECORD_WAIT = key("snapshot.record-wait", "5s",
            "After every subtask's marker has arrived, how long to wait for embedding records the markers count but "
                    + "that have not been read yet (other partitions) before swapping anyway.",
            ServingConfig::nonNegative);
    public static final Key<Integer> MAX_K = key("request.max-k", "1000", "Largest k a request may ask for.",
            v -> intIn(v, 1, 100_000));
    public static final Key<Integer> DEFAULT_K = key("request.default-k", "10", "k when a request gives none.",
            v -> intIn(v, 1, 100_000));
    public static final Key<Integer> MAX_EXCLUDE_ITEMS = key("request.max-exclude-items", "1000",
            "Most explicit item ids a request may exclude.", v -> intIn(v, 0, 1_000_000));
    public static final Key<Integer> MAX_HISTORY = key("request.max-history", "1000",
            "Most history item ids in an anonymous (POST) request.", v -> intIn(v, 1, 1_000_000));
    public static final Key<Integer> MAX_BODY_BYTES = key("request.max-body-bytes", "1048576",
            "Largest request body accepted.", v -> intIn(v, 1024, 64 * 1024 * 1024));
    public static final Key<Integer> TOPK_SCAN_THREADS = key("topk.scan-threads", "2",
            "Threads one query's top-k scan may use (the caller plus idle helpers; 1 = never split).",
            v -> intIn(v, 1, 64));
    public static final Key<Integer> TOPK_MIN_ITEMS_PER_THREAD = key("topk.min-items-per-thread", "25000",
            "A scan is split only into parts of at least this many items.", v -> intIn(v, 4, 100_000_000));
    public static final Key<ParallelTopK.Kernel> TOPK_KERNEL = key("topk.kernel", "bf16",
            "How the top-k scan reads the items: `bf16` scans a bfloat16 copy (half the bytes) and re-scores "
                    + "exactly the few items that can still make the top-k; `float` scans the float rows once. Both "
                    + "return the same exact result. With `bf16` a bf16 copy (+50% matrix memory) is built with every "
                    + "snapshot; `float` does without it.", ServingConfig::kernel);

    private final Map<String, String> values;

    private ServingConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
        for (Key<?> k : KEYS.values()) {
            get(k); // validate every key once, at startup
        }
        if (get(DEFAULT_K) > get(MAX_K)) {
            throw new IllegalArgumentException("config key '" + DEFAULT_K.name + "' (" + get(DEFAULT_K)
                    + ") must not exceed '" + MAX_K.name + "' (" + get(MAX_K) + ")");
        }
    }

    private static <T> Key<T> key(String name, String def, String description, Function<String, T> parser) {
        Key<T> k = new Key<>(name, def, description, parser);
        KEYS.put(name, k);
        return k;
    }

    public static List<Key<?>> keys() {
        return List.copyOf(KEYS.values());
    }

    public static ServingConfig defaults() {
        return of(Map.of());
    }

    /** From explicit values; unknown keys and invalid values throw {@link IllegalArgumentException} naming the key. */
    public static ServingConfig of(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!KEYS.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown config key '" + e.getKey() + "'; known keys: "
                        + String.join(", ", KEYS.keySet()));
            }
            v.put(e.getKey(), e.getValue().trim());
        }
        return new ServingConfig(v);
    }

    /**
     * From {@code --key value} pairs (also {@code --key=value}); {@code --config path} loads a properties file
     * first, and command line values override it.
     */
    public static ServingConfig fromArgs(String[] args) {
        Map<String, String> cli = new LinkedHashMap<>();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected --key value, got '" + a + "'");
            }
            String k;
            String val;
            int eq = a.indexOf('=');
            if (eq > 0) {
                k = a.substring(2, eq);
                val = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("config key '" + a.substring(2) + "' has no value");
                }
                k = a.substring(2);
                val = args[++i];
            }
            if (k.equals("config")) {
                file = Path.of(val);
            } else {
                cli.put(k, val);
            }
        }
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read config file " + file, e);
            }
            p.stringPropertyNames().forEach(n -> all.put(n, p.getProperty(n)));
        }
        all.putAll(cli);
        return of(all);
    }

    /** A copy with one more value set. */
    public ServingConfig with(Key<?> key, Object value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.put(key.name, String.valueOf(value));
        return new ServingConfig(v);
    }

    public <T> T get(Key<T> key) {
        String raw = values.getOrDefault(key.name, key.defaultValue);
        try {
            return key.parser.apply(raw);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("config key '" + key.name + "': invalid value '" + raw + "': "
                    + e.getMessage(), e);
        }
    }

    /** The effective values of every key, for the startup log. */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        KEYS.values().forEach(k -> out.put(k.name, values.getOrDefault(k.name, k.defaultValue)));
        return out;
    }

    /** Markdown table of keys, defaults and meanings (for the README). */
    public static String describe() {
        List<String> lines = new ArrayList<>();
        lines.add("| key | default | meaning |");
        lines.add("|---|---|---|");
        KEYS.values().forEach(k -> lines.add("| `" + k.name + "` | `" + k.defaultValue + "` | " + k.description + " |"));
        return String.join("\n", lines);
    }

    // ---- parsers: each throws IllegalArgumentException with a message; get() prefixes the key name ----

    private static String nonEmpty(String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return v.trim();
    }

    private static int intIn(String v, int min, int max) {
        int i;
        try {
            i = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer");
        }
        if (i < min || i > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return i;
    }

    private static boolean bool(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException("must be true or false");
        }
    }

    private static ParallelTopK.Kernel kernel(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "bf16": return ParallelTopK.Kernel.BF16;
            case "float": return ParallelTopK.Kernel.FLOAT;
            default: throw new IllegalArgumentException("must be bf16 or float");
        }
    }

    private static Instant instant(String v) {
        return Instant.parse(v.trim());
    }

    private static Duration positive(String v) {
        Duration d = duration(v);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be positive");
        }
        return d;
    }

    private static Duration nonNegative(String v) {
        Duration d = duration(v);
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return d;
    }

    /** "500ms", "5s", "30m", "24h", "7d" or ISO-8601 ("PT24H"). */
    static Duration duration(String raw) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 5s, 30m, 24h, 7d or PT24H");
        }
        long n;
        try {
            n = Long.parseLong(v.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration out of range");
        }
        switch (v.substring(i).trim()) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": case "min": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            case "d": return Duration.ofDays(n);
            default:
                throw new IllegalArgumentException("unknown duration unit; use ms, s, m, h or d (or ISO-8601)");
        }
    }
}
