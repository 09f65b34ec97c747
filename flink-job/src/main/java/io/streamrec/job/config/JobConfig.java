package io.streamrec.job.config;

import static io.streamrec.job.config.TrainerOptions.*;

import io.streamrec.config.ConfigArgs;
import io.streamrec.config.ConfigException;
import io.streamrec.config.Option;
import io.streamrec.config.OptionSet;
import io.streamrec.config.Settings;
import io.streamrec.job.model.ModelParams;
import io.streamrec.schema.ParserOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trainer's typed, validated configuration. Built once in {@code main} from command-line flags and/or a
 * properties file ({@link ConfigArgs}); every key is defined in {@link TrainerOptions} or {@link ModelParams}, with
 * its default, and every error names its key. Operators receive the few values they need through their
 * constructors, never this whole object.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every key the trainer accepts: the job's options, then the model's. */
    public static final OptionSet OPTIONS = options();

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
    /** The ranking stage ({@code ranker.*} keys and {@code topics.ranker-model}). */
    public final io.streamrec.job.rank.RankerSettings ranker;
    public final String rankerModelTopic;
    /** The learning hyperparameters ({@code model.*} keys), validated. */
    public final ModelParams model;
    /** Warnings from reading the configuration (deprecated keys), for the log. */
    public final List<String> warnings;

    private JobConfig(Settings c) {
        model = ModelParams.fromMap(c.given()).validate();
        bootstrapServers = c.get(BOOTSTRAP_SERVERS);
        groupId = c.get(GROUP_ID);
        startingOffsets = c.get(STARTING_OFFSETS);
        createTopics = c.get(CREATE_TOPICS);
        topicPartitions = c.get(TOPIC_PARTITIONS);
        interactionsTopic = c.get(TOPIC_INTERACTIONS);
        dlqTopic = c.get(TOPIC_DLQ);
        itemEmbeddingsTopic = c.get(TOPIC_ITEM_EMBEDDINGS);
        userEmbeddingsTopic = c.get(TOPIC_USER_EMBEDDINGS);
        require(!dlqTopic.equals(interactionsTopic), TOPIC_DLQ, "must differ from topics.interactions");
        catalogTopic = c.get(TOPIC_CATALOG);
        catalogDlqTopic = c.get(TOPIC_CATALOG_DLQ);
        require(!catalogTopic.equals(interactionsTopic) && !catalogTopic.equals(itemEmbeddingsTopic)
                && !catalogTopic.equals(userEmbeddingsTopic), TOPIC_CATALOG, "must differ from the other topics");
        require(!catalogDlqTopic.equals(catalogTopic), TOPIC_CATALOG_DLQ, "must differ from topics.catalog");
        dlqDelivery = c.get(DLQ_DELIVERY);
        parallelism = c.get(PARALLELISM);
        jobName = c.get(JOB_NAME);
        checkpointDir = c.get(CHECKPOINT_DIR);
        checkpointInterval = c.get(CHECKPOINT_INTERVAL);
        parserOptions = new ParserOptions(c.get(MAX_PAYLOAD), ParserOptions.DEFAULT_MAX_ID_BYTES,
                c.get(EARLIEST_TIMESTAMP), c.get(MAX_FUTURE));
        outOfOrderness = c.get(OUT_OF_ORDERNESS);
        idleness = c.get(IDLENESS);
        snapshotInterval = c.get(SNAPSHOT_INTERVAL);
        userPublishInterval = c.get(USER_PUBLISH_INTERVAL);
        bundleMaxEvents = c.get(BUNDLE_MAX_EVENTS);
        bundleMaxDelay = TrainerOptions.bundleMaxDelay(c.get(BUNDLE_MAX_DELAY), snapshotInterval);
        userTtl = c.get(USER_TTL);
        itemTtl = c.get(ITEM_TTL);
        hotItems = c.get(HOT_ITEMS);
        hotUsers = c.get(HOT_USERS);
        prequentialSample = c.get(PREQUENTIAL_SAMPLE);
        rankerModelTopic = c.get(RankerOptions.TOPIC);
        require(!List.of(interactionsTopic, dlqTopic, itemEmbeddingsTopic, userEmbeddingsTopic, catalogTopic,
                catalogDlqTopic).contains(rankerModelTopic), RankerOptions.TOPIC, "must differ from the other topics");
        io.streamrec.ranker.RankerConfig rankerModel = new io.streamrec.ranker.RankerConfig(
                c.get(RankerOptions.HIDDEN), c.get(RankerOptions.HIDDEN2),
                c.get(RankerOptions.LEARNING_RATE).floatValue(), c.get(RankerOptions.BIAS_LEARNING_RATE).floatValue(),
                c.get(RankerOptions.BIAS_L2).floatValue(), c.get(RankerOptions.BUCKETS), model.seed(),
                c.get(RankerOptions.ACTION_BIAS_LEARNING_RATE).floatValue());
        long rankerBytes = rankerModel.publishedBytes(new io.streamrec.job.model.Learner(model).vectorLength());
        require(rankerBytes <= io.streamrec.ranker.RankerConfig.MAX_PUBLISHED_BYTES, RankerOptions.HIDDEN,
                "the ranker would be " + rankerBytes / (1 << 20) + " MiB published, more than "
                        + io.streamrec.ranker.RankerConfig.MAX_PUBLISHED_BYTES / (1 << 20)
                        + " MiB: use smaller ranker.hidden, ranker.hidden2, ranker.buckets or model.dim");
        ranker = new io.streamrec.job.rank.RankerSettings(c.get(RankerOptions.ENABLED), c.get(RankerOptions.SAMPLE),
                c.get(RankerOptions.CANDIDATES), c.get(RankerOptions.NEGATIVES), c.get(RankerOptions.BATCH_ROWS),
                c.get(RankerOptions.PUBLISH_INTERVAL), rankerModel);
        warnings = List.copyOf(c.warnings());
    }

    /** Builds and validates; throws {@link ConfigException} ({@code KEY: PROBLEM}) naming the first bad key. */
    public static JobConfig fromMap(Map<String, String> values) {
        return new JobConfig(OPTIONS.resolve(values));
    }

    public static JobConfig fromArgs(String... args) {
        return fromMap(ConfigArgs.parse(args));
    }

    /** Every accepted key: the job's options and the model's. */
    public static List<String> knownKeys() {
        List<String> keys = new ArrayList<>();
        OPTIONS.options().forEach(o -> keys.add(o.key()));
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

    private static OptionSet options() {
        List<Option<?>> all = new ArrayList<>(TrainerOptions.all());
        all.addAll(RankerOptions.all());
        all.addAll(ModelParams.options());
        return OptionSet.of(all);
    }

    private static void require(boolean ok, Option<?> option, String problem) {
        if (!ok) {
            throw new ConfigException(option.key(), problem);
        }
    }
}
