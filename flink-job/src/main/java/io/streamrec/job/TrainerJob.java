package io.streamrec.job;

import io.streamrec.job.config.JobConfig;
import io.streamrec.job.config.TrainerOptions;
import io.streamrec.job.ingest.DeadLetter;
import io.streamrec.job.ingest.DeadLetterSerializer;
import io.streamrec.job.ingest.EventTypeCounter;
import io.streamrec.job.ingest.IngestRecord;
import io.streamrec.job.ingest.RejectionRouter;
import io.streamrec.job.sink.KafkaTopics;
import io.streamrec.job.source.InteractionSource;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streamrec trainer: reads interaction events from Kafka, sends records that fail validation to the
 * dead-letter topic, and processes the valid ones in keyed RocksDB state.
 *
 * <pre>
 * KafkaSource(interactions) -> ParseInteractions -> RejectionRouter --dead letters--> KafkaSink(interactions-dlq)
 *                                                        |
 *                                                   valid events -> keyBy(type) EventTypeCounter
 * </pre>
 *
 * {@code main} only wires Kafka and the environment; {@link #build} takes the environment and config so tests run
 * the same graph on a MiniCluster.
 */
public final class TrainerJob {

    private TrainerJob() {}

    public static void main(String[] args) throws Exception {
        JobConfig config;
        try {
            config = JobConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("streamrec trainer: " + e.getMessage());
            System.exit(2);
            return;
        }
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
        conf.setString("parallelism.default", Integer.toString(c.parallelism));
        return conf;
    }

    /** Handles on the streams a caller (a test, the embedded stack) may want to observe. */
    public static final class Pipeline {
        public final DataStream<InteractionEvent> validEvents;
        public final DataStream<DeadLetter> deadLetters;
        public final DataStream<Tuple2<EventType, Long>> typeCounts;

        Pipeline(DataStream<InteractionEvent> validEvents, DataStream<DeadLetter> deadLetters,
                 DataStream<Tuple2<EventType, Long>> typeCounts) {
            this.validEvents = validEvents;
            this.deadLetters = deadLetters;
            this.typeCounts = typeCounts;
        }
    }

    public static Pipeline build(StreamExecutionEnvironment env, JobConfig c) {
        DataStream<IngestRecord> parsed = env
                .fromSource(InteractionSource.kafkaSource(c), InteractionSource.watermarks(c), "ParseInteractions")
                .uid("interactions-source");

        SingleOutputStreamOperator<InteractionEvent> valid = parsed
                .process(new RejectionRouter(), FlinkTypes.INTERACTION_EVENT)
                .name("RejectionRouter").uid("rejection-router");

        DataStream<DeadLetter> deadLetters = valid.getSideOutput(RejectionRouter.DEAD_LETTERS);
        deadLetters.sinkTo(deadLetterSink(c)).name("DeadLetterSink").uid("dead-letter-sink");

        DataStream<Tuple2<EventType, Long>> counts = valid
                .keyBy(e -> e.type.wireName(), Types.STRING) // enums hash differently per JVM: key by name
                .process(new EventTypeCounter(), Types.TUPLE(Types.ENUM(EventType.class), Types.LONG))
                .name("EventTypeCounter").uid("event-type-counter");

        return new Pipeline(valid, deadLetters, counts);
    }

    static KafkaSink<DeadLetter> deadLetterSink(JobConfig c) {
        boolean exactlyOnce = c.dlqDelivery == TrainerOptions.DeliveryGuarantee.EXACTLY_ONCE;
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(c.dlqTopic))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(c.groupId + "-dlq")
                // Must not exceed the broker's transaction.max.timeout.ms (15 min by default).
                .setProperty("transaction.timeout.ms", "600000")
                .build();
    }
}
