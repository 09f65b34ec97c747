package io.streamrec.job.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster the pipeline tests share a shape of: one TaskManager with two slots (parallelism 2). */
public final class TestMiniCluster {
    private TestMiniCluster() {}

    /** One TaskManager, two slots, reporting metrics to {@code metrics} (read with {@link JobMetrics}). */
    public static MiniClusterExtension withMetrics(InMemoryReporter metrics) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .setConfiguration(metrics.addToConfiguration(new Configuration()))
                .build());
    }
}
