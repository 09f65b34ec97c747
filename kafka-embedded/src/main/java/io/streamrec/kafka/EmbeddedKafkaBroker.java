package io.streamrec.kafka;

import io.streamrec.kafka.admin.PartitionReadiness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) running inside this JVM, started from the
 * {@code kafka_2.13} jar: the same broker code as a production node, without ZooKeeper, Docker or test jars.
 *
 * <p>It formats its log directory on first start and reuses it afterwards, so a broker given a persistent
 * {@link Builder#logDir} keeps its topics and offsets across restarts; without one it uses a temporary directory
 * that {@link #close()} deletes. Ports default to free ones picked at start.
 *
 * <p>The helpers ({@link #createTopic}, {@link #produce}, {@link #consume}) are for tests and tools; they use
 * ordinary Kafka clients. Thread-safe.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean deleteLogDirOnClose;
    private final int port;
    private final int controllerPort;
    private final Admin admin;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(Builder b) {
        try {
            this.port = b.port > 0 ? b.port : FreePorts.pick();
            this.controllerPort = b.controllerPort > 0 ? b.controllerPort : FreePorts.pick();
            this.deleteLogDirOnClose = b.logDir == null;
            this.logDir = b.logDir != null ? b.logDir : Files.createTempDirectory("streamrec-kafka-");
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the Kafka log directory", e);
        }
        Map<String, Object> config = brokerConfig(b.extraConfig);
        formatIfNeeded(config);
        long start = System.nanoTime();
        this.server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server.startup();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        awaitReady();
        LOG.info("Kafka broker ready on {} (log dir {}) in {} ms", bootstrapServers(), logDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker on free ports with a temporary log directory. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    private Map<String, Object> brokerConfig(Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", "1");
        c.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        c.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        c.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("log.dirs", logDir.toAbsolutePath().toString());
        c.put("num.partitions", "1");
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "4");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "4");
        c.put("group.initial.rebalance.delay.ms", "0");
        // Keeps RSS near 250 MiB instead of ~400 (docs/platform.md); compaction still works on small segments.
        c.put("log.cleaner.dedupe.buffer.size", "2097152");
        c.put("auto.create.topics.enable", "false");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.putAll(extra);
        return c;
    }

    private void formatIfNeeded(Map<String, Object> config) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // formatted by an earlier run: keep its cluster id, topics and offsets
        }
        Path props = logDir.resolveSibling(logDir.getFileName() + ".format.properties");
        try {
            Properties p = new Properties();
            config.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
            try (Writer w = Files.newBufferedWriter(props)) {
                p.store(w, "streamrec embedded Kafka");
            }
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", props.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("formatting the Kafka log directory " + logDir + " failed: "
                        + out.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(props);
            } catch (IOException ignored) {
                // a leftover properties file is harmless
            }
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready in 60 s", e);
                }
            }
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    /** A shared admin client; do not close it. */
    public Admin admin() {
        return admin;
    }

    /** A topic name unique within this JVM, e.g. {@code interactions-3-1a2b3c}, so tests never share topics. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + TOPIC_COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic (replication factor 1) and waits until every partition is served
     * ({@link PartitionReadiness}: producing earlier can lose an idempotent producer's first batch, KAFKA-15591); an
     * existing topic is left as it is.
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic " + name + " timed out", e);
        }
        try {
            PartitionReadiness.awaitLeaders(admin, name, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("topic " + name + " did not get its leaders", e);
        }
    }

    /** Producer settings for this broker: byte arrays, acks=all, idempotent. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return c;
    }

    /** Consumer settings for this broker: byte arrays, read_committed, from the earliest offset, no group. */
    public Map<String, Object> consumerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return c;
    }

    public KafkaProducer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(producerConfig());
    }

    /** Sends the records and waits until every one is acknowledged. */
    public void produce(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = newProducer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("producing to " + bootstrapServers() + " failed", e);
        }
    }

    /** Sends one UTF-8 keyed record per (key, value) pair; a null key is sent as no key. */
    public void produceStrings(String topic, List<Map.Entry<String, String>> keyValues) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(keyValues.size());
        for (Map.Entry<String, String> kv : keyValues) {
            records.add(new ProducerRecord<>(topic,
                    kv.getKey() == null ? null : kv.getKey().getBytes(StandardCharsets.UTF_8),
                    kv.getValue() == null ? null : kv.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        produce(records);
    }

    /**
     * Reads the topic from the beginning (all partitions, read_committed) until {@code minRecords} records have
     * arrived or the timeout passes, and returns what arrived.
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int minRecords, Duration timeout) {
        return consumeUntil(topic, recs -> recs.size() >= minRecords, timeout);
    }

    /**
     * Reads the whole topic: from the beginning until at least {@code minRecords} have arrived, then on to the end
     * offsets of that moment (read_committed: the last stable offsets), so that records beyond the expected ones are
     * returned too. Returns what arrived when the timeout passes first.
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeToEnd(String topic, int minRecords, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig())) {
            List<TopicPartition> parts = fromBeginning(consumer, topic);
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, Long> end = null;
            while (System.nanoTime() < deadline) {
                if (end == null && out.size() >= minRecords) {
                    end = consumer.endOffsets(parts);
                }
                if (end != null) {
                    Map<TopicPartition, Long> e = end;
                    if (parts.stream().allMatch(p -> consumer.position(p) >= e.get(p))) {
                        break;
                    }
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Assigns every partition of the topic to the consumer, at its beginning; returns the partitions. */
    private static List<TopicPartition> fromBeginning(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> parts = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return parts;
    }

    /** Reads the topic from the beginning until {@code done} holds for what arrived so far, or the timeout. */
    public List<ConsumerRecord<byte[], byte[]>> consumeUntil(
            String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig())) {
            fromBeginning(consumer, topic);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Stops the broker (controlled shutdown) and, for a temporary log directory, deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close(Duration.ofSeconds(5));
        server.shutdown();
        server.awaitShutdown();
        if (deleteLogDirOnClose) {
            deleteRecursively(logDir);
        }
        LOG.info("Kafka broker on localhost:{} stopped", port);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    /** Options for {@link EmbeddedKafkaBroker}; every one has a default. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path logDir;
        private final Map<String, Object> extraConfig = new HashMap<>();

        /** Client port; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** KRaft controller port; 0 (default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Persistent log directory, formatted on first use and reused later; default: a temporary one. */
        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /** Any broker setting, overriding the defaults. */
        public Builder config(String key, Object value) {
            extraConfig.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker start() {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
