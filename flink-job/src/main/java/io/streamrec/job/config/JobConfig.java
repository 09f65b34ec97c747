package io.streamrec.job.config;

import static io.streamrec.job.config.ConfigValidation.read;
import static io.streamrec.job.config.ConfigValidation.require;
import static io.streamrec.job.config.TrainerOptions.*;

import io.streamrec.job.model.ModelParams;
import io.streamrec.schema.ParserOptions;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * The trainer's typed, validated configuration. Built once in {@code main} from command-line flags and/or a
 * properties file ({@link ConfigArgs}); every value has a default ({@link TrainerOptions}) and every error names
 * its key. Operators receive the few values they need through their constructors, never this whole object.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String bootstrapServers;
    public final String groupId;
    public final StartingOffsets startingOffsets;
    public final boolean createTopics;
    public final int topicPartitions;
    public final String interactionsTopic;
    public final String dlqTopic;
    public final String itemEmbeddingsTopic;
    public final String userEmbeddingsTopic;
    public final String catalogTopic;
    public final String catalogDlqTopic;
    public final DeliveryGuarantee dlqDelivery;
    public final int parallelism;
    public final String jobName;
    public final String checkpointDir;
    public final Duration checkpointInterval;
    public final ParserOptions parserOptions;
    public final Duration outOfOrderness;
    public final Duration idleness;
    public final Duration snapshotInterval;
    public final Duration userPublishInterval;
    public final int bundleMaxEvents;
    public final Duration bundleMaxDelay;
    public final Duration userTtl;
    public final Duration itemTtl;
    public final int hotItems;
    public final int hotUsers;
    public final double prequentialSample;
    /** The learning hyperparameters ({@code model.*} keys), validated. */
    public final ModelParams model;

    private JobConfig(Configuration c, Map<String, String> values) {
        model = ModelParams.fromMap(values).validate();
        bootstrapServers = read(c, BOOTSTRAP_SERVERS).trim();
        require(!bootstrapServers.isEmpty() && bootstrapServers.contains(":"), BOOTSTRAP_SERVERS,
                "expected host:port[,host:port...], got '" + bootstrapServers + "'");
        groupId = nonBlank(c, GROUP_ID);
        startingOffsets = read(c, STARTING_OFFSETS);
        createTopics = read(c, CREATE_TOPICS);
        topicPartitions = read(c, TOPIC_PARTITIONS);
        require(topicPartitions >= 1, TOPIC_PARTITIONS, "must be at least 1, got " + topicPartitions);
        interactionsTopic = nonBlank(c, TOPIC_INTERACTIONS);
        dlqTopic = nonBlank(c, TOPIC_DLQ);
        itemEmbeddingsTopic = nonBlank(c, TOPIC_ITEM_EMBEDDINGS);
        userEmbeddingsTopic = nonBlank(c, TOPIC_USER_EMBEDDINGS);
        require(!dlqTopic.equals(interactionsTopic), TOPIC_DLQ, "must differ from topics.interactions");
        catalogTopic = nonBlank(c, TOPIC_CATALOG);
        catalogDlqTopic = nonBlank(c, TOPIC_CATALOG_DLQ);
        require(!catalogTopic.equals(interactionsTopic) && !catalogTopic.equals(itemEmbeddingsTopic)
                && !catalogTopic.equals(userEmbeddingsTopic), TOPIC_CATALOG, "must differ from the other topics");
        require(!catalogDlqTopic.equals(catalogTopic), TOPIC_CATALOG_DLQ, "must differ from topics.catalog");
        dlqDelivery = read(c, DLQ_DELIVERY);
        parallelism = read(c, PARALLELISM);
        require(parallelism >= 1 && parallelism <= 4096, PARALLELISM, "must be in 1..4096, got " + parallelism);
        jobName = nonBlank(c, JOB_NAME);
        checkpointDir = nonBlank(c, CHECKPOINT_DIR);
        require(checkpointDir.contains("://"), CHECKPOINT_DIR,
                "expected a URI such as file:///var/streamrec/checkpoints, got '" + checkpointDir + "'");
        checkpointInterval = read(c, CHECKPOINT_INTERVAL);
        require(checkpointInterval.toMillis() >= 100, CHECKPOINT_INTERVAL,
                "must be at least 100 ms, got " + checkpointInterval);

        Instant earliest;
        String earliestText = read(c, EARLIEST_TIMESTAMP);
        try {
            earliest = Instant.parse(earliestText);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("configuration key '" + EARLIEST_TIMESTAMP.key()
                    + "': expected an ISO-8601 instant such as 2000-01-01T00:00:00Z, got '" + earliestText + "'");
        }
        Duration maxFuture = read(c, MAX_FUTURE);
        require(!maxFuture.isNegative(), MAX_FUTURE, "must not be negative, got " + maxFuture);
        int maxPayload = read(c, MAX_PAYLOAD);
        require(maxPayload >= 256 && maxPayload <= 16 * 1024 * 1024, MAX_PAYLOAD,
                "must be in 256..16777216, got " + maxPayload);
        parserOptions = new ParserOptions(maxPayload, ParserOptions.DEFAULT_MAX_ID_BYTES, earliest, maxFuture);

        outOfOrderness = read(c, OUT_OF_ORDERNESS);
        require(!outOfOrderness.isNegative(), OUT_OF_ORDERNESS, "must not be negative");
        idleness = read(c, IDLENESS);
        require(idleness.toMillis() >= 1, IDLENESS, "must be positive, got " + idleness);

        snapshotInterval = read(c, SNAPSHOT_INTERVAL);
        require(snapshotInterval.toMillis() >= 1000, SNAPSHOT_INTERVAL, "must be at least 1 s, got " + snapshotInterval);
        userPublishInterval = read(c, USER_PUBLISH_INTERVAL);
        require(userPublishInterval.toMillis() >= 100, USER_PUBLISH_INTERVAL,
                "must be at least 100 ms, got " + userPublishInterval);
        bundleMaxEvents = read(c, BUNDLE_MAX_EVENTS);
        require(bundleMaxEvents >= 1 && bundleMaxEvents <= 100_000, BUNDLE_MAX_EVENTS,
                "must be in 1..100000, got " + bundleMaxEvents);
        bundleMaxDelay = read(c, BUNDLE_MAX_DELAY);
        require(bundleMaxDelay.toMillis() >= 1 && bundleMaxDelay.compareTo(Duration.ofSeconds(10)) <= 0,
                BUNDLE_MAX_DELAY, "must be between 1 ms and 10 s, got " + bundleMaxDelay);
        userTtl = read(c, USER_TTL);
        require(!userTtl.isNegative(), USER_TTL, "must not be negative (0 disables expiry)");
        itemTtl = read(c, ITEM_TTL);
        require(!itemTtl.isNegative(), ITEM_TTL, "must not be negative (0 disables expiry)");
        hotItems = read(c, HOT_ITEMS);
        require(hotItems >= 1 && hotItems <= 10_000_000, HOT_ITEMS, "must be in 1..10000000, got " + hotItems);
        hotUsers = read(c, HOT_USERS);
        require(hotUsers >= 1 && hotUsers <= 10_000_000, HOT_USERS, "must be in 1..10000000, got " + hotUsers);
        prequentialSample = read(c, PREQUENTIAL_SAMPLE);
        require(prequentialSample >= 0 && prequentialSample <= 1, PREQUENTIAL_SAMPLE,
                "must be a share between 0 and 1, got " + prequentialSample);
    }

    /** Builds and validates; throws IllegalArgumentException naming the first bad key. */
    public static JobConfig fromMap(Map<String, String> values) {
        ConfigValidation.rejectUnknownKeys(values, knownKeys());
        Map<String, String> flinkKeys = new java.util.HashMap<>(values);
        flinkKeys.keySet().removeIf(k -> k.startsWith("model."));
        return new JobConfig(Configuration.fromMap(flinkKeys), values);
    }

    public static JobConfig fromArgs(String... args) {
        return fromMap(ConfigArgs.parse(args));
    }

    /** Every accepted key: the job's options and the model's. */
    public static java.util.List<String> knownKeys() {
        java.util.List<String> keys = new java.util.ArrayList<>();
        TrainerOptions.all().forEach(o -> keys.add(o.key()));
        keys.addAll(ModelParams.descriptions().keySet());
        return keys;
    }

    /** The settings the towers receive. */
    public io.streamrec.job.learn.TowerSettings towerSettings(boolean emitPrequential) {
        return new io.streamrec.job.learn.TowerSettings(bundleMaxEvents, bundleMaxDelay, userPublishInterval,
                prequentialSample, emitPrequential, userTtl, itemTtl, hotItems, hotUsers);
    }

    public static JobConfig defaults() {
        return fromMap(Map.of());
    }

    private static String nonBlank(Configuration c, org.apache.flink.configuration.ConfigOption<String> option) {
        String v = read(c, option);
        require(v != null && !v.isBlank(), option, "must not be empty");
        return v.trim();
    }
}
