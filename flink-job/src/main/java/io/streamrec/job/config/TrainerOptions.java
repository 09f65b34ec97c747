package io.streamrec.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every configuration key of the trainer job, with its default and description. Keys are dotted lower case and
 * match the command-line flag ({@code --checkpoint.interval 10s}).
 */
public final class TrainerOptions {
    private TrainerOptions() {}

    /** What the job does with the checkpoint storage when it is cancelled. */
    public enum DeliveryGuarantee { AT_LEAST_ONCE, EXACTLY_ONCE }

    /** Where a job without committed offsets starts reading {@code interactions}. */
    public enum StartingOffsets { EARLIEST, LATEST }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("kafka.bootstrap.servers")
            .stringType().defaultValue("localhost:9092")
            .withDescription("Kafka bootstrap servers (host:port, comma-separated).");

    public static final ConfigOption<String> GROUP_ID = key("kafka.group.id")
            .stringType().defaultValue("streamrec-trainer")
            .withDescription("Consumer group id; offsets are committed on checkpoints for monitoring (the job "
                    + "restores its position from its own checkpoints).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = key("kafka.starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.EARLIEST)
            .withDescription("Where to start reading interactions when the group has no committed offsets.");

    public static final ConfigOption<Boolean> CREATE_TOPICS = key("kafka.create-topics")
            .booleanType().defaultValue(true)
            .withDescription("Create missing topics at start (embedding topics compacted).");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS = key("kafka.topic-partitions")
            .intType().defaultValue(4)
            .withDescription("Partitions for topics the job creates (kafka.create-topics).");

    public static final ConfigOption<String> TOPIC_INTERACTIONS = key("topics.interactions")
            .stringType().defaultValue("interactions")
            .withDescription("Topic the applications publish interaction events to (JSON, keyed by user id).");

    public static final ConfigOption<String> TOPIC_DLQ = key("topics.dlq")
            .stringType().defaultValue("interactions-dlq")
            .withDescription("Dead-letter topic for records that fail validation.");

    public static final ConfigOption<String> TOPIC_ITEM_EMBEDDINGS = key("topics.item-embeddings")
            .stringType().defaultValue("item-embeddings")
            .withDescription("Compacted topic of item embedding snapshots (also read back by the job).");

    public static final ConfigOption<String> TOPIC_USER_EMBEDDINGS = key("topics.user-embeddings")
            .stringType().defaultValue("user-embeddings")
            .withDescription("Compacted topic of user embeddings.");

    public static final ConfigOption<String> TOPIC_CATALOG = key("topics.catalog")
            .stringType().defaultValue("catalog")
            .withDescription("Compacted topic of item catalog records (JSON, keyed by item id): features and "
                    + "availability; the job reads it from the beginning.");

    public static final ConfigOption<String> TOPIC_CATALOG_DLQ = key("topics.catalog-dlq")
            .stringType().defaultValue("catalog-dlq")
            .withDescription("Dead-letter topic for catalog records that fail validation.");

    public static final ConfigOption<DeliveryGuarantee> DLQ_DELIVERY = key("dlq.delivery-guarantee")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
            .withDescription("AT_LEAST_ONCE (visible at once, a restore may repeat a few) or EXACTLY_ONCE "
                    + "(transactional, visible to read_committed consumers at each checkpoint).");

    public static final ConfigOption<Integer> PARALLELISM = key("job.parallelism")
            .intType().defaultValue(2)
            .withDescription("Parallelism of the job's operators.");

    public static final ConfigOption<String> JOB_NAME = key("job.name")
            .stringType().defaultValue("streamrec-trainer")
            .withDescription("Name of the Flink job, as shown on the dashboard.");

    public static final ConfigOption<String> CHECKPOINT_DIR = key("checkpoint.dir")
            .stringType().defaultValue("file://" + System.getProperty("java.io.tmpdir") + "/streamrec/checkpoints")
            .withDescription("Checkpoint storage URI (file:///..., s3://...).");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Interval between checkpoints (incremental RocksDB checkpoints).");

    public static final ConfigOption<String> EARLIEST_TIMESTAMP = key("ingest.timestamp.earliest")
            .stringType().defaultValue("2000-01-01T00:00:00Z")
            .withDescription("Events before this ISO-8601 instant are rejected as implausible (set e.g. "
                    + "1995-01-01T00:00:00Z to replay MovieLens 100K, which is from 1997-98).");

    public static final ConfigOption<Duration> MAX_FUTURE = key("ingest.timestamp.max-future")
            .durationType().defaultValue(Duration.ofDays(1))
            .withDescription("Events more than this far ahead of the job's clock are rejected.");

    public static final ConfigOption<Integer> MAX_PAYLOAD = key("ingest.max-payload-bytes")
            .intType().defaultValue(64 * 1024)
            .withDescription("Records larger than this go to the dead-letter topic.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("watermark.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("How far behind the newest event time the watermark trails.");

    public static final ConfigOption<Duration> IDLENESS = key("watermark.idleness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A partition without events for this long stops holding back event time.");

    public static final ConfigOption<Duration> SNAPSHOT_INTERVAL = key("snapshot.interval")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("How often the ItemTower publishes changed item vectors as snapshot N+1 (>= 1 s).");

    public static final ConfigOption<Duration> USER_PUBLISH_INTERVAL = key("user.publish-interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("A changed user vector is published at most once per interval.");

    public static final ConfigOption<Integer> BUNDLE_MAX_EVENTS = key("bundle.max-events")
            .intType().defaultValue(4096)
            .withDescription("The UserTower sums item gradients over this many events before sending them.");

    public static final ConfigOption<Duration> BUNDLE_MAX_DELAY = key("bundle.max-delay")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("... or for at most this long (item updates reach serving only with the next snapshot "
                    + "anyway, every snapshot.interval).");

    public static final ConfigOption<Duration> USER_TTL = key("state.ttl.users")
            .durationType().defaultValue(Duration.ofDays(90))
            .withDescription("User state untouched this long is dropped (0 = keep forever).");

    public static final ConfigOption<Duration> ITEM_TTL = key("state.ttl.items")
            .durationType().defaultValue(Duration.ofDays(180))
            .withDescription("Item state untouched this long is dropped (0 = keep forever).");

    public static final ConfigOption<Integer> HOT_ITEMS = key("state.hot-items")
            .intType().defaultValue(50_000)
            .withDescription("The ItemTower keeps up to this many recently updated item states per subtask on the "
                    + "heap, in front of RocksDB, and writes them back on eviction and at checkpoints.");

    public static final ConfigOption<Integer> HOT_USERS = key("state.hot-users")
            .intType().defaultValue(10_000)
            .withDescription("The UserTower keeps up to this many recently active user states per subtask on the "
                    + "heap, in front of RocksDB, and writes them back on eviction and at checkpoints.");

    public static final ConfigOption<Double> PREQUENTIAL_SAMPLE = key("metrics.prequential.sample")
            .doubleType().defaultValue(0.01)
            .withDescription("Share of events scored before learning (test-then-train) for the live HR@10/HR@100.");

    /** All options, for unknown-key detection and the README's configuration table. */
    public static List<ConfigOption<?>> all() {
        return List.of(BOOTSTRAP_SERVERS, GROUP_ID, STARTING_OFFSETS, CREATE_TOPICS, TOPIC_PARTITIONS,
                TOPIC_INTERACTIONS, TOPIC_DLQ, TOPIC_ITEM_EMBEDDINGS, TOPIC_USER_EMBEDDINGS, TOPIC_CATALOG,
                TOPIC_CATALOG_DLQ, DLQ_DELIVERY,
                PARALLELISM, JOB_NAME, CHECKPOINT_DIR, CHECKPOINT_INTERVAL, EARLIEST_TIMESTAMP, MAX_FUTURE,
                MAX_PAYLOAD, OUT_OF_ORDERNESS, IDLENESS, SNAPSHOT_INTERVAL, USER_PUBLISH_INTERVAL, BUNDLE_MAX_EVENTS,
                BUNDLE_MAX_DELAY, USER_TTL, ITEM_TTL, HOT_ITEMS, HOT_USERS, PREQUENTIAL_SAMPLE);
    }
}
