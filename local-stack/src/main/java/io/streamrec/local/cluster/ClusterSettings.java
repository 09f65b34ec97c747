package io.streamrec.local.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Where the standalone cluster keeps its state (config, logs, pid files, Kafka's log, checkpoints, savepoints, the
 * serving node's RocksDB) and the ports and memory sizes its processes use. {@code cluster start} saves them in
 * {@code <dir>/cluster.properties} so that later commands ({@code submit}, {@code stop}, ...) need only the
 * directory. Immutable.
 */
public final class ClusterSettings {
    static final String FILE = "cluster.properties";

    private final Path dir;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int jobManagerRpcPort;
    private final int restPort;
    private final int servingPort;
    private final int slots;
    private final String jobManagerMemory;
    private final String taskManagerMemory;
    private final String managedMemory;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;

    private ClusterSettings(Builder b) {
        this.dir = b.dir.toAbsolutePath().normalize();
        this.kafkaPort = b.kafkaPort;
        this.kafkaControllerPort = b.kafkaControllerPort > 0 ? b.kafkaControllerPort : b.kafkaPort + 1;
        this.jobManagerRpcPort = b.jobManagerRpcPort;
        this.restPort = b.restPort;
        this.servingPort = b.servingPort;
        this.slots = b.slots;
        this.jobManagerMemory = b.jobManagerMemory;
        this.taskManagerMemory = b.taskManagerMemory;
        this.managedMemory = b.managedMemory;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(dir);
        b.kafkaPort = kafkaPort;
        b.kafkaControllerPort = kafkaControllerPort;
        b.jobManagerRpcPort = jobManagerRpcPort;
        b.restPort = restPort;
        b.servingPort = servingPort;
        b.slots = slots;
        b.jobManagerMemory = jobManagerMemory;
        b.taskManagerMemory = taskManagerMemory;
        b.managedMemory = managedMemory;
        b.heartbeatInterval = heartbeatInterval;
        b.heartbeatTimeout = heartbeatTimeout;
        return b;
    }

    /** Whether {@code cluster start} has saved settings under {@code dir}. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    public Path dir() {
        return dir;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int kafkaControllerPort() {
        return kafkaControllerPort;
    }

    public int jobManagerRpcPort() {
        return jobManagerRpcPort;
    }

    public int restPort() {
        return restPort;
    }

    public int servingPort() {
        return servingPort;
    }

    public int slots() {
        return slots;
    }

    public String jobManagerMemory() {
        return jobManagerMemory;
    }

    public String taskManagerMemory() {
        return taskManagerMemory;
    }

    public String managedMemory() {
        return managedMemory;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    public String bootstrapServers() {
        return "localhost:" + kafkaPort;
    }

    public Path confDir() {
        return dir.resolve("conf");
    }

    public Path logDir() {
        return dir.resolve("logs");
    }

    public Path runDir() {
        return dir.resolve("run");
    }

    public Path checkpointDir() {
        return dir.resolve("checkpoints");
    }

    public Path savepointDir() {
        return dir.resolve("savepoints");
    }

    /** Saves the settings under the directory, for later commands. */
    public void save() {
        Properties p = new Properties();
        p.setProperty("kafka.port", Integer.toString(kafkaPort));
        p.setProperty("kafka.controller-port", Integer.toString(kafkaControllerPort));
        p.setProperty("jobmanager.rpc-port", Integer.toString(jobManagerRpcPort));
        p.setProperty("rest.port", Integer.toString(restPort));
        p.setProperty("serving.port", Integer.toString(servingPort));
        p.setProperty("taskmanager.slots", Integer.toString(slots));
        p.setProperty("jobmanager.memory", jobManagerMemory);
        p.setProperty("taskmanager.memory", taskManagerMemory);
        p.setProperty("taskmanager.managed-memory", managedMemory);
        p.setProperty("heartbeat.interval-ms", Long.toString(heartbeatInterval.toMillis()));
        p.setProperty("heartbeat.timeout-ms", Long.toString(heartbeatTimeout.toMillis()));
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(dir.resolve(FILE))) {
                p.store(w, "streamrec standalone cluster (written by ./streamrec cluster start)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /** The settings {@code cluster start} saved under {@code dir}; throws if there are none. */
    public static ClusterSettings load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no cluster under " + dir.toAbsolutePath()
                    + " (no " + FILE + "); start one with ./streamrec cluster start");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Builder b = builder(dir);
        b.kafkaPort = Integer.parseInt(p.getProperty("kafka.port", "9092"));
        b.kafkaControllerPort = Integer.parseInt(p.getProperty("kafka.controller-port", "0"));
        b.jobManagerRpcPort = Integer.parseInt(p.getProperty("jobmanager.rpc-port", "6123"));
        b.restPort = Integer.parseInt(p.getProperty("rest.port", "8081"));
        b.servingPort = Integer.parseInt(p.getProperty("serving.port", "8080"));
        b.slots = Integer.parseInt(p.getProperty("taskmanager.slots", "2"));
        b.jobManagerMemory = p.getProperty("jobmanager.memory", b.jobManagerMemory);
        b.taskManagerMemory = p.getProperty("taskmanager.memory", b.taskManagerMemory);
        b.managedMemory = p.getProperty("taskmanager.managed-memory", b.managedMemory);
        b.heartbeatInterval = Duration.ofMillis(Long.parseLong(p.getProperty("heartbeat.interval-ms", "2000")));
        b.heartbeatTimeout = Duration.ofMillis(Long.parseLong(p.getProperty("heartbeat.timeout-ms", "30000")));
        return b.build();
    }

    /** Builder with the defaults of {@code ./streamrec cluster start}. */
    public static final class Builder {
        private final Path dir;
        private int kafkaPort = 9092;
        private int kafkaControllerPort;
        private int jobManagerRpcPort = 6123;
        private int restPort = 8081;
        private int servingPort = 8080;
        private int slots = 2;
        // Small enough for a laptop or a 2-core CI machine next to Kafka and the serving node; see README.
        private String jobManagerMemory = "1024m";
        private String taskManagerMemory = "1600m";
        private String managedMemory = "256m";
        // A killed TaskManager is noticed after about two missed heartbeats (failed RPCs), not after the timeout.
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private Duration heartbeatTimeout = Duration.ofSeconds(30);

        private Builder(Path dir) {
            this.dir = dir;
        }

        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** Default: the Kafka port + 1. */
        public Builder kafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        public Builder jobManagerRpcPort(int port) {
            this.jobManagerRpcPort = port;
            return this;
        }

        public Builder restPort(int port) {
            this.restPort = port;
            return this;
        }

        public Builder servingPort(int port) {
            this.servingPort = port;
            return this;
        }

        public Builder slots(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("task slots must be at least 1, got " + slots);
            }
            this.slots = slots;
            return this;
        }

        public Builder jobManagerMemory(String size) {
            this.jobManagerMemory = size;
            return this;
        }

        public Builder taskManagerMemory(String size) {
            this.taskManagerMemory = size;
            return this;
        }

        public Builder managedMemory(String size) {
            this.managedMemory = size;
            return this;
        }

        public Builder heartbeat(Duration interval, Duration timeout) {
            this.heartbeatInterval = interval;
            this.heartbeatTimeout = timeout;
            return this;
        }

        public ClusterSettings build() {
            return new ClusterSettings(this);
        }
    }
}
