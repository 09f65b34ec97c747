package io.streamrec.job.source;

import io.streamrec.job.config.JobConfig;
import io.streamrec.job.config.TrainerOptions;
import io.streamrec.job.ingest.IngestRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka source of {@code interactions} and its watermark strategy.
 *
 * <p>Watermarks come from the events' own timestamps, per Kafka partition (the source parses, see
 * {@link IngestDeserializer}), trailing the newest event by {@code watermark.out-of-orderness}; a partition that
 * has been quiet for {@code watermark.idleness} stops holding event time back. Rejected records carry no event time
 * and so never move the watermark.
 */
public final class InteractionSource {
    private InteractionSource() {}

    public static KafkaSource<IngestRecord> kafkaSource(JobConfig c) {
        return kafkaSource(c, false);
    }

    /**
     * @param bounded stop at the offsets that are the latest when the job starts (replays of a log for
     *     evaluation and benchmarks); otherwise read forever
     */
    public static KafkaSource<IngestRecord> kafkaSource(JobConfig c, boolean bounded) {
        return kafkaSource(c, bounded ? OffsetsInitializer.latest() : null);
    }

    /**
     * @param stoppingOffsets where each partition ends (for example offsets fixed in advance, so that records
     *     published after the job started are still read); null: read forever
     */
    public static KafkaSource<IngestRecord> kafkaSource(JobConfig c, OffsetsInitializer stoppingOffsets) {
        boolean bounded = stoppingOffsets != null;
        OffsetResetStrategy reset = c.startingOffsets == TrainerOptions.StartingOffsets.LATEST
                ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST;
        var builder = KafkaSource.<IngestRecord>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setTopics(c.interactionsTopic)
                .setGroupId(c.groupId)
                .setClientIdPrefix(c.groupId + "-interactions")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new IngestDeserializer(c.parserOptions))
                .setProperty("commit.offsets.on.checkpoint", "true")
                // Discover partitions added to the topic while the job runs.
                .setProperty("partition.discovery.interval.ms", bounded ? "-1" : "60000");
        if (bounded) {
            builder.setBounded(stoppingOffsets);
        }
        return builder.build();
    }

    public static WatermarkStrategy<IngestRecord> watermarks(JobConfig c) {
        return WatermarkStrategy.<IngestRecord>forBoundedOutOfOrderness(c.outOfOrderness)
                .withTimestampAssigner((r, kafkaTs) -> r.isValid() ? r.event.timestamp : Long.MIN_VALUE)
                .withIdleness(c.idleness);
    }
}
