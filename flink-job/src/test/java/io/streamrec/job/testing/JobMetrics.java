package io.streamrec.job.testing;

import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Reads a running job's user metrics from an {@link InMemoryReporter}, summed over subtasks. */
public final class JobMetrics {
    private JobMetrics() {}

    /** Sum of the counters called {@code name} in every operator of the job (0 when none is registered yet). */
    public static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            Metric m = group.getValue().get(name);
            if (m instanceof Counter) {
                total += ((Counter) m).getCount();
            }
        }
        return total;
    }
}
