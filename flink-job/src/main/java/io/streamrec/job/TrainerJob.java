package io.streamrec.job;

import io.streamrec.job.model.Learner;
import io.streamrec.job.rank.RankedResult;
import io.streamrec.job.rank.RankerPublication;
import io.streamrec.job.rank.RankerTrainer;
import io.streamrec.job.sink.RankerModelSerializer;
import io.streamrec.ranker.RankerConfig;
import io.streamrec.job.catalog.CatalogInput;
import io.streamrec.job.catalog.CatalogRouter;
import io.streamrec.job.catalog.CatalogSource;
import io.streamrec.job.catalog.ItemInput;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.config.TrainerOptions;
import io.streamrec.job.ingest.DeadLetter;
import io.streamrec.job.ingest.DeadLetterSerializer;
import io.streamrec.job.ingest.IngestRecord;
import io.streamrec.job.ingest.RejectionRouter;
import io.streamrec.job.learn.ItemTower;
import io.streamrec.job.learn.PrequentialResult;
import io.streamrec.job.learn.UserTower;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.sink.EmbeddingSerializer;
import io.streamrec.job.sink.KafkaTopics;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.job.snapshot.SnapshotTicks;
import io.streamrec.job.source.InteractionSource;
import io.streamrec.job.source.ItemEmbeddingSource;
import io.streamrec.schema.InteractionEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streamrec trainer: learns user and item embeddings from every interaction event and publishes them.
 *
 * <pre>
 * KafkaSource(interactions) ─► ParseInteractions ─► RejectionRouter ──bad──► DeadLetterSink (interactions-dlq)
 *                                                        │ valid
 * KafkaSource(item-embeddings) ─broadcast─► keyBy(user) UserTower ──user vectors──► UserEmbeddingSink
 *                                                        │ summed item gradients
 * SnapshotClock ─broadcast────────────────► keyBy(item) ItemTower ──snapshots──► ItemEmbeddingSink (item-embeddings)
 *                                                        │ ranker examples (UserTower, ranker.sample)
 *                                                        └──► Ranker (DJL, parallelism 1) ──► RankerModelSink (ranker-model)
 * </pre>
 *
 * The job reads its own item-embeddings topic back: a Flink job graph has no cycles, and keyed state is reachable
 * only under its key, so the UserTower learns against a cache of item vectors a few seconds old (see
 * docs/architecture.md, "Why the job reads its own output"). {@code main} only wires Kafka and the environment;
 * {@link #build} takes the environment and config so tests, benchmarks and the embedded stack run the same graph.
 */
public final class TrainerJob {

    private TrainerJob() {}

    public static void main(String[] args) throws Exception {
        JobConfig config;
        try {
            config = JobConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            // Thrown, never System.exit: on a session cluster a REST submission (/jars/:id/run) runs main() inside
            // the JobManager, and an exit would take the JobManager and every running job down with it.
            // `flink run` and the REST API both report the message.
            throw new IllegalArgumentException("streamrec trainer: " + e.getMessage(), e);
        }
        config.warnings.forEach(w -> org.slf4j.LoggerFactory.getLogger(TrainerJob.class).warn("configuration: {}", w));
        if (config.createTopics) {
            KafkaTopics.ensure(config);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        build(env, config);
        env.execute(config.jobName);
    }

    /**
     * The Flink settings the job needs: RocksDB state with incremental checkpoints, retained on cancellation so a
     * stopped job can be restarted from its last checkpoint.
     */
    public static Configuration flinkConfiguration(JobConfig c) {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.storage", "filesystem");
        conf.setString("execution.checkpointing.dir", c.checkpointDir);
        conf.setString("execution.checkpointing.interval", c.checkpointInterval.toMillis() + " ms");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("execution.checkpointing.num-retained", "3");
        // Timers on the heap (still checkpointed): the towers set one per changed user per publish interval and one
        // per gradient bundle, which in RocksDB would cost a write and a delete each.
        conf.setString("state.backend.rocksdb.timer-service.factory", "HEAP");
        conf.setString("parallelism.default", Integer.toString(c.parallelism));
        // Keep generic types out of the job: every record type between operators has explicit type information.
        conf.setString("pipeline.generic-types", "false");
        return conf;
    }

    /** Handles on the streams a caller (a test, the evaluate command) may want to observe. */
    public static final class Pipeline {
        public final DataStream<InteractionEvent> validEvents;
        public final DataStream<DeadLetter> deadLetters;
        public final DataStream<ItemGradient> itemGradients;
        public final DataStream<EmbeddingUpdate> itemEmbeddings;
        public final DataStream<EmbeddingUpdate> userEmbeddings;
        /** Empty unless built with {@code emitPrequential}. */
        public final DataStream<PrequentialResult> prequential;
        /** Every re-ranked ranker example; null when {@code ranker.enabled} is off. */
        public final DataStream<RankedResult> ranked;
        /** Every published ranker model; null when {@code ranker.enabled} is off. */
        public final DataStream<RankerPublication> rankerModels;

        Pipeline(DataStream<InteractionEvent> validEvents, DataStream<DeadLetter> deadLetters,
                 DataStream<ItemGradient> itemGradients, DataStream<EmbeddingUpdate> itemEmbeddings,
                 DataStream<EmbeddingUpdate> userEmbeddings, DataStream<PrequentialResult> prequential,
                 DataStream<RankedResult> ranked, DataStream<RankerPublication> rankerModels) {
            this.validEvents = validEvents;
            this.deadLetters = deadLetters;
            this.itemGradients = itemGradients;
            this.itemEmbeddings = itemEmbeddings;
            this.userEmbeddings = userEmbeddings;
            this.prequential = prequential;
            this.ranked = ranked;
            this.rankerModels = rankerModels;
        }
    }

    public static Pipeline build(StreamExecutionEnvironment env, JobConfig c) {
        return build(env, c, InteractionSource.kafkaSource(c), false);
    }

    /** {@link #build(StreamExecutionEnvironment, JobConfig, Source, boolean)} with the catalog from Kafka. */
    public static Pipeline build(StreamExecutionEnvironment env, JobConfig c, Source<IngestRecord, ?, ?> interactions,
                                 boolean emitPrequential) {
        return build(env, c, interactions, CatalogSource.kafkaSource(c), emitPrequential);
    }

    /**
     * The whole graph, reading interactions from {@code interactions} (the Kafka source in production; a bounded
     * Kafka source for evaluation and benchmarks).
     *
     * @param emitPrequential also emit every prequential result on {@link Pipeline#prequential}
     */
    public static Pipeline build(StreamExecutionEnvironment env, JobConfig c, Source<IngestRecord, ?, ?> interactions,
                                 Source<CatalogInput, ?, ?> catalogSource, boolean emitPrequential) {
        DataStream<IngestRecord> parsed = env
                .fromSource(interactions, InteractionSource.watermarks(c), "ParseInteractions")
                .uid("interactions-source");

        SingleOutputStreamOperator<InteractionEvent> valid = parsed
                .process(new RejectionRouter(), FlinkTypes.INTERACTION_EVENT)
                .name("RejectionRouter").uid("rejection-router");

        DataStream<DeadLetter> deadLetters = valid.getSideOutput(RejectionRouter.DEAD_LETTERS);
        deadLetters.sinkTo(deadLetterSink(c, c.dlqTopic, "-dlq")).name("DeadLetterSink").uid("dead-letter-sink");

        // Every snapshot record to every UserTower subtask (a plain broadcast: the UserTower keeps no broadcast state).
        DataStream<EmbeddingUpdate> itemFeed = env
                .fromSource(ItemEmbeddingSource.kafkaSource(c.bootstrapServers, c.itemEmbeddingsTopic, c.groupId),
                        WatermarkStrategy.noWatermarks(), "ItemEmbeddingFeed")
                .uid("item-embedding-feed")
                .broadcast();

        SingleOutputStreamOperator<ItemGradient> gradients = valid
                .keyBy(e -> e.userId, Types.STRING)
                .connect(itemFeed)
                .transform("UserTower", FlinkTypes.ITEM_GRADIENT,
                        new UserTower(c.model, c.towerSettings(emitPrequential), c.ranker))
                .uid("user-tower");

        DataStream<EmbeddingUpdate> users = gradients.getSideOutput(UserTower.USER_EMBEDDINGS);
        users.sinkTo(embeddingSink(c, c.userEmbeddingsTopic, new EmbeddingSerializer(c.userEmbeddingsTopic, false)))
                .name("UserEmbeddingSink").uid("user-embedding-sink");

        // Every tick to every ItemTower subtask (a plain broadcast: the ItemTower keeps no broadcast state).
        DataStream<Long> ticks = env
                .fromSource(SnapshotTicks.source(c.snapshotInterval), WatermarkStrategy.noWatermarks(), "SnapshotClock")
                .uid("snapshot-clock")
                .setParallelism(1)
                .broadcast();

        // The catalog: parsed and featurized per record, bad records to their own dead-letter topic.
        SingleOutputStreamOperator<ItemInput> catalog = env
                .fromSource(catalogSource, WatermarkStrategy.noWatermarks(), "ParseCatalog")
                .uid("catalog-source")
                .process(new CatalogRouter(), FlinkTypes.ITEM_INPUT)
                .name("CatalogRouter").uid("catalog-router");
        catalog.getSideOutput(CatalogRouter.DEAD_LETTERS)
                .sinkTo(deadLetterSink(c, c.catalogDlqTopic, "-catalog-dlq"))
                .name("CatalogDeadLetterSink").uid("catalog-dead-letter-sink");

        // Items, features and context keys are all keys of the ItemTower: gradients and catalog updates meet there.
        DataStream<ItemInput> itemInputs = gradients
                .map(ItemInput::of, FlinkTypes.ITEM_INPUT).name("ItemGradients")
                .union(catalog);

        SingleOutputStreamOperator<EmbeddingUpdate> items = itemInputs
                .keyBy(g -> g.key, Types.STRING)
                .connect(ticks)
                .transform("ItemTower", FlinkTypes.EMBEDDING_UPDATE,
                        new ItemTower(c.model, c.towerSettings(emitPrequential)))
                .uid("item-tower");
        items.sinkTo(embeddingSink(c, c.itemEmbeddingsTopic, new EmbeddingSerializer(c.itemEmbeddingsTopic, true)))
                .name("ItemEmbeddingSink").uid("item-embedding-sink");

        // The ranking stage: one DJL model, trained on the UserTowers' examples, published to its own topic.
        DataStream<RankedResult> ranked = null;
        DataStream<RankerPublication> rankerModels = null;
        if (c.ranker.enabled) {
            SingleOutputStreamOperator<RankerPublication> ranker = gradients
                    .getSideOutput(UserTower.RANKER_SAMPLES)
                    .transform("Ranker (DJL)", FlinkTypes.RANKER_PUBLICATION,
                            new RankerTrainer(c.ranker, new Learner(c.model).vectorLength()))
                    .uid("ranker-trainer")
                    .setParallelism(1)
                    .setMaxParallelism(1);
            ranker.sinkTo(rankerSink(c)).name("RankerModelSink").uid("ranker-model-sink").setParallelism(1);
            ranked = ranker.getSideOutput(RankerTrainer.RANKED);
            rankerModels = ranker;
        }

        return new Pipeline(valid, deadLetters, gradients, items, users,
                gradients.getSideOutput(UserTower.PREQUENTIAL), ranked, rankerModels);
    }

    /** The ranker: at least once (a repeat of a model is harmless), large records allowed. */
    static KafkaSink<RankerPublication> rankerSink(JobConfig c) {
        return KafkaSink.<RankerPublication>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setRecordSerializer(new RankerModelSerializer(c.rankerModelTopic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setProperty("max.request.size", Long.toString(RankerConfig.MAX_PUBLISHED_BYTES + 1024))
                .setProperty("compression.type", "lz4")
                .build();
    }

    static KafkaSink<DeadLetter> deadLetterSink(JobConfig c, String topic, String transactionalSuffix) {
        boolean exactlyOnce = c.dlqDelivery == TrainerOptions.DeliveryGuarantee.EXACTLY_ONCE;
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(topic))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(c.groupId + transactionalSuffix)
                // Must not exceed the broker's transaction.max.timeout.ms (15 min by default).
                .setProperty("transaction.timeout.ms", "600000")
                .build();
    }

    /**
     * Embeddings are published at least once and become visible at once (not at the next checkpoint): records are
     * idempotent upserts keyed by entity, and a restore republishes the restored state (ItemTower), so a repeat
     * is harmless while checkpoint-bound visibility would add seconds of staleness.
     */
    static KafkaSink<EmbeddingUpdate> embeddingSink(JobConfig c, String topic,
                                                    KafkaRecordSerializationSchema<EmbeddingUpdate> serializer) {
        return KafkaSink.<EmbeddingUpdate>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setProperty("linger.ms", "5")
                .setProperty("compression.type", "lz4")
                .build();
    }
}
