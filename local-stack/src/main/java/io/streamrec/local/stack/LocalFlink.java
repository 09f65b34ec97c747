package io.streamrec.local.stack;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster in this JVM with its REST API and web dashboard (flink-runtime-web is on the classpath):
 * the same JobManager, TaskManager, RocksDB state backend and checkpointing as a cluster, in one process. Runs one
 * job at a time; stops it with a savepoint so the next start can resume. Not thread-safe.
 */
public final class LocalFlink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlink.class);

    private final MiniCluster cluster;
    private final URI restAddress;

    /**
     * @param conf the job's Flink configuration (state backend, checkpointing), merged into the cluster's
     * @param slots task slots (the job's parallelism)
     * @param restPort dashboard/REST port; 0 picks a free one
     */
    public LocalFlink(Configuration conf, int slots, int restPort) throws Exception {
        Configuration c = new Configuration(conf);
        c.setString("rest.port", Integer.toString(restPort));
        c.setString("rest.bind-port", Integer.toString(restPort));
        c.setString("rest.address", "localhost");
        c.setString("rest.bind-address", "localhost");
        c.setString("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        // Room for RocksDB's managed memory and the network buffers of a 2-slot job, nothing more.
        c.setString("taskmanager.memory.managed.size", "256m");
        c.setString("taskmanager.memory.network.min", "64m");
        c.setString("taskmanager.memory.network.max", "64m");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(c)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        restAddress = cluster.getRestAddress().get(30, TimeUnit.SECONDS);
        LOG.info("Flink MiniCluster up, dashboard at {}", restAddress);
    }

    /** Where the dashboard and REST API answer, e.g. http://localhost:8081. */
    public URI restAddress() {
        return restAddress;
    }

    /**
     * Submits the job described by {@code graph}.
     *
     * @param restoreFrom a savepoint or retained checkpoint to resume from, or null for a fresh start
     */
    public JobID submit(StreamGraph graph, String restoreFrom) throws Exception {
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
        }
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    public JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
    }

    /** Waits until the job is RUNNING (all tasks deployed); throws if it ends first or the time runs out. */
    public void awaitRunning(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus s = status(job);
            if (s == JobStatus.RUNNING) {
                return;
            }
            if (s.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the trainer job is " + s + " instead of RUNNING; see the log");
            }
            Thread.sleep(100);
        }
    }

    /** Stops the job, taking a savepoint under {@code dir}; returns the savepoint's path. */
    public String stopWithSavepoint(JobID job, String dir, Duration timeout) throws Exception {
        return cluster.stopWithSavepoint(job, dir, false, SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
