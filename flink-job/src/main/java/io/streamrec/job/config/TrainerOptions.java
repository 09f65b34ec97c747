package io.streamrec.job.config;

import static io.streamrec.config.Option.between;
import static io.streamrec.config.Option.nonBlank;

import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Every configuration key of the trainer job (besides the model's, {@code ModelParams}), with its type, default,
 * rules and description. Keys are dotted lower case and match the command-line flag
 * ({@code --checkpoint.interval 10s}); values follow the one grammar of {@link ValueTypes} (durations with a unit).
 */
public final class TrainerOptions {
    private TrainerOptions() {}

    /** What the job does with the checkpoint storage when it is cancelled. */
    public enum DeliveryGuarantee { AT_LEAST_ONCE, EXACTLY_ONCE }

    /** Where a job without committed offsets starts reading {@code interactions}. */
    public enum StartingOffsets { EARLIEST, LATEST }

    private static Option.Builder<String> text(String key, String def) {
        return Option.named(key, ValueTypes.STRING).defaultValue(def).check(nonBlank(), "must not be empty");
    }

    private static Option.Builder<Duration> duration(String key, Duration def) {
        return Option.named(key, ValueTypes.DURATION).defaultValue(def);
    }

    private static Option.Builder<Integer> integer(String key, int def, int min, int max) {
        return Option.named(key, ValueTypes.INTEGER).defaultValue(def).check(between(min, max),
                max == Integer.MAX_VALUE ? "must be at least " + min : "must be in " + min + ".." + max);
    }

    public static final Option<String> BOOTSTRAP_SERVERS = text("kafka.bootstrap.servers", "localhost:9092")
            .check(v -> v.contains(":"), "expected host:port[,host:port...]")
            .description("Kafka bootstrap servers (host:port, comma-separated).").build();

    public static final Option<String> GROUP_ID = text("kafka.group.id", "streamrec-trainer")
            .description("Consumer group id; offsets are committed on checkpoints for monitoring (the job "
                    + "restores its position from its own checkpoints).").build();

    public static final Option<StartingOffsets> STARTING_OFFSETS = Option.named("kafka.starting-offsets",
                    ValueTypes.enumeration(StartingOffsets.class, Enum::name))
            .defaultValue(StartingOffsets.EARLIEST)
            .description("Where to start reading interactions when the group has no committed offsets.").build();

    public static final Option<Boolean> CREATE_TOPICS = Option.named("kafka.create-topics", ValueTypes.BOOLEAN)
            .defaultValue(true)
            .description("Create missing topics at start (embedding topics compacted).").build();

    public static final Option<Integer> TOPIC_PARTITIONS = integer("kafka.topic-partitions", 4, 1, Integer.MAX_VALUE)
            .description("Partitions for topics the job creates (kafka.create-topics).").build();

    public static final Option<String> TOPIC_INTERACTIONS = text("topics.interactions", "interactions")
            .description("Topic the applications publish interaction events to (JSON, keyed by user id).").build();

    public static final Option<String> TOPIC_DLQ = text("topics.dlq", "interactions-dlq")
            .description("Dead-letter topic for records that fail validation.").build();

    public static final Option<String> TOPIC_ITEM_EMBEDDINGS = text("topics.item-embeddings", "item-embeddings")
            .description("Compacted topic of item embedding snapshots (also read back by the job).").build();

    public static final Option<String> TOPIC_USER_EMBEDDINGS = text("topics.user-embeddings", "user-embeddings")
            .description("Compacted topic of user embeddings.").build();

    public static final Option<String> TOPIC_CATALOG = text("topics.catalog", "catalog")
            .description("Compacted topic of item catalog records (JSON, keyed by item id): features and "
                    + "availability; the job reads it from the beginning.").build();

    public static final Option<String> TOPIC_CATALOG_DLQ = text("topics.catalog-dlq", "catalog-dlq")
            .description("Dead-letter topic for catalog records that fail validation.").build();

    public static final Option<DeliveryGuarantee> DLQ_DELIVERY = Option.named("dlq.delivery-guarantee",
                    ValueTypes.enumeration(DeliveryGuarantee.class, Enum::name))
            .defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
            .description("AT_LEAST_ONCE (visible at once, a restore may repeat a few) or EXACTLY_ONCE "
                    + "(transactional, visible to read_committed consumers at each checkpoint).").build();

    public static final Option<Integer> PARALLELISM = integer("job.parallelism", 2, 1, 4096)
            .description("Parallelism of the job's operators.").build();

    public static final Option<String> JOB_NAME = text("job.name", "streamrec-trainer")
            .description("Name of the Flink job, as shown on the dashboard.").build();

    public static final Option<String> CHECKPOINT_DIR = text("checkpoint.dir",
                    "file://" + System.getProperty("java.io.tmpdir") + "/streamrec/checkpoints")
            .defaultText("file://$TMPDIR/streamrec/checkpoints")
            .check(v -> v.contains("://"), "expected a URI such as file:///var/streamrec/checkpoints")
            .description("Checkpoint storage URI (file:///..., s3://...).").build();

    public static final Option<Duration> CHECKPOINT_INTERVAL = duration("checkpoint.interval", Duration.ofSeconds(10))
            .check(d -> d.toMillis() >= 100, "must be at least 100ms")
            .description("Interval between checkpoints (incremental RocksDB checkpoints).").build();

    public static final Option<Instant> EARLIEST_TIMESTAMP = Option.named("ingest.timestamp.earliest",
                    ValueTypes.INSTANT)
            .defaultValue(Instant.parse("2000-01-01T00:00:00Z"))
            .description("Events before this ISO-8601 instant are rejected as implausible (set e.g. "
                    + "1995-01-01T00:00:00Z to replay MovieLens 100K, which is from 1997-98).").build();

    public static final Option<Duration> MAX_FUTURE = duration("ingest.timestamp.max-future", Duration.ofDays(1))
            .description("Events more than this far ahead of the job's clock are rejected.").build();

    public static final Option<Integer> MAX_PAYLOAD = integer("ingest.max-payload-bytes", 64 * 1024, 256,
                    16 * 1024 * 1024)
            .description("Records larger than this go to the dead-letter topic.").build();

    public static final Option<Duration> OUT_OF_ORDERNESS = duration("watermark.out-of-orderness",
                    Duration.ofSeconds(5))
            .description("How far behind the newest event time the watermark trails.").build();

    public static final Option<Duration> IDLENESS = duration("watermark.idleness", Duration.ofSeconds(30))
            .check(d -> d.toMillis() >= 1, "must be positive")
            .description("A partition without events for this long stops holding back event time.").build();

    public static final Option<Duration> SNAPSHOT_INTERVAL = duration("snapshot.interval", Duration.ofSeconds(5))
            .check(d -> d.toMillis() >= 1000, "must be at least 1s")
            .description("How often the ItemTower publishes changed item vectors as snapshot N+1 (>= 1 s).").build();

    public static final Option<Duration> USER_PUBLISH_INTERVAL = duration("user.publish-interval",
                    Duration.ofSeconds(1))
            .check(d -> d.toMillis() >= 100, "must be at least 100ms")
            .description("A changed user vector is published at most once per interval.").build();

    public static final Option<Integer> BUNDLE_MAX_EVENTS = integer("bundle.max-events", 4096, 1, 100_000)
            .description("The UserTower sums item gradients over this many events before sending them.").build();

    /** Without a value: a quarter of {@code snapshot.interval}, at most 1 s ({@link #bundleMaxDelay}). */
    public static final Option<Duration> BUNDLE_MAX_DELAY = Option.named("bundle.max-delay", ValueTypes.DURATION)
            .defaultText("snapshot.interval / 4, at most 1s")
            .check(d -> d.toMillis() >= 1 && d.compareTo(Duration.ofSeconds(10)) <= 0, "must be between 1ms and 10s")
            .description("... or for at most this long: item updates reach the ItemTower this much later, and "
                    + "serving with the snapshot after that.").build();

    /** The bundle delay of a configuration: the one given, else a quarter of the snapshot interval, at most 1 s. */
    public static Duration bundleMaxDelay(Duration given, Duration snapshotInterval) {
        if (given != null) {
            return given;
        }
        Duration quarter = snapshotInterval.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
    }

    public static final Option<Duration> USER_TTL = duration("state.ttl.users", Duration.ofDays(90))
            .description("User state untouched this long is dropped (0 = keep forever).").build();

    public static final Option<Duration> ITEM_TTL = duration("state.ttl.items", Duration.ofDays(180))
            .description("Item state untouched this long is dropped (0 = keep forever).").build();

    public static final Option<Integer> HOT_ITEMS = integer("state.hot-items", 50_000, 1, 10_000_000)
            .description("The ItemTower keeps up to this many recently updated item states per subtask on the "
                    + "heap, in front of RocksDB, and writes them back on eviction and at checkpoints.").build();

    public static final Option<Integer> HOT_USERS = integer("state.hot-users", 10_000, 1, 10_000_000)
            .description("The UserTower keeps up to this many recently active user states per subtask on the "
                    + "heap, in front of RocksDB, and writes them back on eviction and at checkpoints.").build();

    public static final Option<Double> PREQUENTIAL_SAMPLE = Option.named("metrics.prequential.sample",
                    ValueTypes.NUMBER)
            .defaultValue(0.01).check(between(0.0, 1.0), "must be a share between 0 and 1")
            .description("Share of events scored before learning (test-then-train) for the live HR@10/HR@100.")
            .build();

    /** All options (the model's are in {@code ModelParams}), for the README's configuration table and --help. */
    public static List<Option<?>> all() {
        return List.of(BOOTSTRAP_SERVERS, GROUP_ID, STARTING_OFFSETS, CREATE_TOPICS, TOPIC_PARTITIONS,
                TOPIC_INTERACTIONS, TOPIC_DLQ, TOPIC_ITEM_EMBEDDINGS, TOPIC_USER_EMBEDDINGS, TOPIC_CATALOG,
                TOPIC_CATALOG_DLQ, DLQ_DELIVERY,
                PARALLELISM, JOB_NAME, CHECKPOINT_DIR, CHECKPOINT_INTERVAL, EARLIEST_TIMESTAMP, MAX_FUTURE,
                MAX_PAYLOAD, OUT_OF_ORDERNESS, IDLENESS, SNAPSHOT_INTERVAL, USER_PUBLISH_INTERVAL, BUNDLE_MAX_EVENTS,
                BUNDLE_MAX_DELAY, USER_TTL, ITEM_TTL, HOT_ITEMS, HOT_USERS, PREQUENTIAL_SAMPLE);
    }
}
