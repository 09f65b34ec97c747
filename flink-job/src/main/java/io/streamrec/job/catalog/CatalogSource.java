package io.streamrec.job.catalog;

import io.streamrec.job.config.JobConfig;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * Reads the compacted {@code catalog} topic (from the beginning on a fresh start: the compacted topic is the current
 * catalog; then it follows new records), one {@link CatalogInput} per record. The topic is optional.
 */
public final class CatalogSource {
    private CatalogSource() {}

    public static KafkaSource<CatalogInput> kafkaSource(JobConfig c) {
        return KafkaSource.<CatalogInput>builder()
                .setBootstrapServers(c.bootstrapServers)
                // A pattern, not a topic name: a job without a catalog runs without the topic, and picks it up
                // (from its beginning) within the discovery interval once it is created.
                .setTopicPattern(Pattern.compile(Pattern.quote(c.catalogTopic)))
                .setGroupId(c.groupId + "-catalog")
                .setClientIdPrefix(c.groupId + "-catalog")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new CatalogDeserializer(c.model.featureSpec(), c.parserOptions))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }
}
