package io.streamrec.serving.ingest;

import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.store.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.rocksdb.WriteBatchWithIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic on its own thread and applies each poll to RocksDB in one batch together with
 * the partitions' next offsets, so a restart (even after kill -9) resumes exactly where the stored state ends.
 * No consumer group: partitions are assigned, and their positions come from the state store, not from Kafka.
 *
 * <p>Subclasses implement {@link #apply} (stage one record into the batch) and may publish in-memory views in
 * {@link #afterWrite}, which runs only once the batch is durable. {@link #start}/{@link #close} are thread-safe;
 * the hooks run on the loop thread only.
 */
public abstract class TopicConsumerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicConsumerLoop.class);
    private static final long PARTITION_RECHECK_MS = 30_000;

    protected final String topic;
    protected final StateStore store;
    protected final ServingMetrics metrics;
    private final Map<String, Object> consumerConfig;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long lag = -1;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    protected TopicConsumerLoop(String name, String bootstrapServers, String topic, StateStore store,
                                ServingMetrics metrics) {
        this.topic = topic;
        this.store = store;
        this.metrics = metrics;
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The trainer publishes with an exactly-once sink: aborted transactions must stay invisible.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Freshness: the broker answers a fetch as soon as one byte is there, or after 100 ms at the latest.
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // The trainer creates its topics (compacted where they must be); a broker that auto-creates topics would
        // otherwise create a missing one on this consumer's metadata request, with the broker's defaults.
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamrec-serving-" + name);
        this.consumerConfig = c;
        this.thread = new Thread(this::run, "consumer-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Stages one record into the batch (and into in-memory state not yet visible to queries). */
    protected abstract void apply(ConsumerRecord<byte[], byte[]> record, WriteBatchWithIndex batch);

    /** Called after a poll's records were applied, before the batch is written: a place to add derived writes. */
    protected void beforeWrite(WriteBatchWithIndex batch, boolean caughtUp) {}

    /** Called after the batch is durable (also after empty polls): publish what queries may now see. */
    protected void afterWrite(boolean caughtUp) {}

    /** Called on the loop thread before it looks for its topic: a place to restore in-memory views from the store. */
    protected void onStart() {}

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig)) {
            consumer = c;
            if (!running) {
                return;
            }
            onStart();
            List<TopicPartition> parts = assign(c);
            long lastPartitionCheck = System.currentTimeMillis();
            Map<TopicPartition, Long> written = new HashMap<>(store.offsets(topic));
            while (running) {
                if (System.currentTimeMillis() - lastPartitionCheck > PARTITION_RECHECK_MS) {
                    lastPartitionCheck = System.currentTimeMillis();
                    parts = reassignIfGrown(c, parts);
                }
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                try (WriteBatchWithIndex batch = store.newBatch()) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        metrics.recordsConsumed.labelValues(topic).inc();
                        apply(r, batch);
                        if (r.timestamp() > 0) {
                            metrics.applyDelay.labelValues(topic).observe(Math.max(0, now - r.timestamp()) / 1000.0);
                        }
                    }
                    long totalLag = 0;
                    boolean lagKnown = true;
                    for (TopicPartition tp : parts) {
                        Long pos = knownPosition(c, tp);
                        Long before = written.get(tp);
                        if (pos != null && (before == null || !before.equals(pos))) {
                            store.putOffset(batch, tp, pos);
                            written.put(tp, pos);
                        }
                        OptionalLong l = c.currentLag(tp);
                        lagKnown &= l.isPresent();
                        totalLag += l.orElse(0);
                    }
                    lag = lagKnown ? totalLag : -1;
                    boolean caughtUp = lagKnown && totalLag == 0;
                    beforeWrite(batch, caughtUp);
                    if (batch.count() > 0) {
                        store.write(batch);
                    }
                    afterWrite(caughtUp);
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up: a normal stop
        } catch (RuntimeException | Error e) {
            if (running) {
                // Last resort for this thread: /health reports the failure instead of the process dying silently.
                failure = e;
                LOG.error("consumer loop for topic {} failed; /health now reports it", topic, e);
            }
        } finally {
            consumer = null;
        }
    }

    /**
     * The partition's position if the consumer knows it without a network round trip. A partition whose records
     * were just returned always has one; a fresh partition may not until its first fetch, and asking would block.
     */
    private static Long knownPosition(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        try {
            return c.position(tp, Duration.ZERO);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return null;
        }
    }

    private List<TopicPartition> assign(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> parts = partitions(c);
        long lastLogged = 0;
        while (parts.isEmpty() && running) {
            // Once a minute, not once a second: a topic may not exist for long (no ranker trained yet).
            if (System.currentTimeMillis() - lastLogged >= 60_000) {
                LOG.info("waiting for topic {} to exist", topic);
                lastLogged = System.currentTimeMillis();
            }
            sleepQuietly(1000);
            parts = partitions(c);
        }
        c.assign(parts);
        Map<TopicPartition, Long> stored = store.offsets(topic);
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : parts) {
            Long off = stored.get(tp);
            if (off != null) {
                c.seek(tp, off);
            } else {
                fresh.add(tp);
            }
        }
        if (!fresh.isEmpty()) {
            // Never with an empty list: Kafka reads that as "all assigned partitions" and would re-read everything.
            c.seekToBeginning(fresh);
        }
        LOG.info("reading {} partition(s) of {} from stored offsets {} (others from the beginning)", parts.size(),
                topic, stored);
        return parts;
    }

    private List<TopicPartition> reassignIfGrown(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> current) {
        List<TopicPartition> now = partitions(c);
        if (now.size() <= current.size()) {
            return current;
        }
        List<TopicPartition> added = new ArrayList<>(now);
        added.removeAll(current);
        c.assign(now);
        if (!added.isEmpty()) {
            c.seekToBeginning(added); // a new partition has nothing stored yet
        }
        LOG.info("topic {} grew to {} partitions", topic, now.size());
        return now;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> out = new ArrayList<>();
        try {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null) {
                infos.forEach(p -> out.add(new TopicPartition(topic, p.partition())));
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // broker not reachable yet: the caller retries
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            LOG.warn("metadata for topic {} unavailable: {}", topic, e.toString());
        }
        out.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return out;
    }

    private void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Records not yet read over all partitions, -1 before the first poll. */
    public long lag() {
        return lag;
    }

    public String topic() {
        return topic;
    }

    /** True while the loop thread runs and has not failed. */
    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    public Throwable failure() {
        return failure;
    }

    /** Stops the loop and waits for it; the last batch written stays (the next start resumes after it). */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // not interrupt(): an interrupted consumer cannot close its connections cleanly
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
