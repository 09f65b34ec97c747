package io.streamrec.local.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the configuration files of the cluster's processes under {@code <dir>/conf}: Flink's {@code config.yaml}
 * (Flink 2 reads YAML) and {@code log4j.properties}, and Kafka's {@code server.properties} (KRaft, one combined
 * broker+controller node) and its log4j 2 config. Rewritten on every start, so edits belong in the settings.
 */
final class ClusterConfigFiles {
    private ClusterConfigFiles() {}

    static final String FLINK_LOG4J = "log4j.properties";
    static final String KAFKA_PROPERTIES = "kafka-server.properties";
    static final String KAFKA_LOG4J = "kafka-log4j2.properties";

    /** The Flink settings of the standalone cluster, in the order they are written. */
    static Map<String, String> flinkConfig(ClusterSettings s) {
        Map<String, String> c = new LinkedHashMap<>();
        // Everything on this machine only: nothing listens beyond localhost.
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", Integer.toString(s.jobManagerRpcPort()));
        c.put("jobmanager.bind-host", "localhost");
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", Integer.toString(s.restPort()));

        // Memory: total process sizes; Flink derives heap, managed (RocksDB) and network memory from them.
        c.put("jobmanager.memory.process.size", s.jobManagerMemory());
        c.put("taskmanager.memory.process.size", s.taskManagerMemory());
        c.put("taskmanager.memory.managed.size", s.managedMemory());
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(s.slots()));
        c.put("parallelism.default", Integer.toString(s.slots()));

        // State: RocksDB within managed memory, incremental checkpoints on the local file system (a shared file
        // system or object store when TaskManagers run on several machines), retained when the job is cancelled.
        // The trainer sets the same keys itself; these are the defaults for anything else submitted here.
        c.put("state.backend.type", "rocksdb");
        c.put("state.backend.rocksdb.memory.managed", "true");
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.storage", "filesystem");
        c.put("execution.checkpointing.dir", s.checkpointDir().toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", s.savepointDir().toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");

        // Failures: restart from the last checkpoint, backing off; a killed TaskManager is detected when its
        // heartbeat RPCs fail (about two intervals), a hung one after the timeout.
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "30 s");
        c.put("heartbeat.interval", s.heartbeatInterval().toMillis() + " ms");
        c.put("heartbeat.timeout", s.heartbeatTimeout().toMillis() + " ms");

        // The REST API serves operator metrics from a cache; refresh it often enough for `cluster status` and tests.
        c.put("metrics.fetcher.update-interval", "2000");

        // Scratch space under the cluster directory instead of /tmp.
        Path work = s.dir().resolve("flink");
        c.put("io.tmp.dirs", work.resolve("tmp").toString());
        c.put("blob.storage.directory", work.resolve("blobs").toString());
        c.put("web.upload.dir", work.resolve("web-upload").toString());
        c.put("web.tmpdir", work.resolve("web").toString());
        return c;
    }

    static void writeFlink(ClusterSettings s) throws IOException {
        Path conf = s.confDir();
        Files.createDirectories(conf);
        StringBuilder yaml = new StringBuilder(
                "# Written by ./streamrec cluster start (io.streamrec.local.cluster); rewritten on every start.\n");
        flinkConfig(s).forEach((k, v) -> yaml.append(k).append(": ").append(yamlValue(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(conf.resolve(FLINK_LOG4J), String.join("\n",
                "# Flink's JobManager and TaskManager logs (the file named by -Dlog.file, as with flink-dist).",
                "monitorInterval = 30",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = RollingFile",
                "appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.filePattern = ${sys:log.file}.%i",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "appender.main.policies.type = Policies",
                "appender.main.policies.size.type = SizeBasedTriggeringPolicy",
                "appender.main.policies.size.size = 100MB",
                "appender.main.strategy.type = DefaultRolloverStrategy",
                "appender.main.strategy.max = 5",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
    }

    /** KRaft, a single node that is broker and controller (formatted with --standalone). */
    static Map<String, String> kafkaConfig(ClusterSettings s) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", "1");
        c.put("controller.quorum.bootstrap.servers", "localhost:" + s.kafkaControllerPort());
        c.put("listeners", "PLAINTEXT://localhost:" + s.kafkaPort() + ",CONTROLLER://localhost:"
                + s.kafkaControllerPort());
        c.put("advertised.listeners", "PLAINTEXT://localhost:" + s.kafkaPort());
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("log.dirs", s.dir().resolve("kafka/data").toString());
        // One broker: internal topics cannot have more replicas than that.
        c.put("offsets.topic.replication.factor", "1");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("num.partitions", "4");
        // The compaction dedupe buffer defaults to 128 MiB; 2 MiB is plenty here (see docs/platform.md).
        c.put("log.cleaner.dedupe.buffer.size", "2097152");
        return c;
    }

    static void writeKafka(ClusterSettings s) throws IOException {
        Path conf = s.confDir();
        Files.createDirectories(conf);
        StringBuilder props = new StringBuilder("# Written by ./streamrec cluster start; rewritten on every start.\n");
        kafkaConfig(s).forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(conf.resolve(KAFKA_PROPERTIES), props);
        Files.writeString(conf.resolve(KAFKA_LOG4J), String.join("\n",
                "# The Kafka broker's log goes to stdout, which the launcher appends to logs/kafka.log.",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "appender.stdout.type = Console",
                "appender.stdout.name = STDOUT",
                "appender.stdout.layout.type = PatternLayout",
                "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
                "logger.cleaner.name = kafka.log.LogCleaner",
                "logger.cleaner.level = WARN",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                ""));
    }

    private static String yamlValue(String v) {
        // Plain scalars unless YAML would read them as something else (a colon-space, a leading special char).
        if (v.matches("[A-Za-z0-9_./ -]+") && !v.startsWith("-") && !v.contains(": ")) {
            return v;
        }
        return "'" + v.replace("'", "''") + "'";
    }
}
