package io.streamrec.local.evaluate;

import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.schema.avro.EmbeddingRecord;
import io.streamrec.schema.avro.RecordKind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what a running trainer publishes, as serving would: the item-embeddings topic (versioned snapshots with
 * per-subtask completion markers), the user-embeddings topic and the dead-letter topic. Keeps the latest vector per
 * item and per user, how many events the published user vectors have learned from, and which snapshot versions
 * are complete. Used from one thread.
 */
final class TrainerOutput implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String itemTopic;
    private final String userTopic;
    private final String dlqTopic;

    private final Map<String, float[]> items = new HashMap<>();
    private final Map<String, ItemFeatures> itemFeatures = new HashMap<>();
    private final Map<String, Float> itemPopularity = new HashMap<>();
    private final Map<String, float[]> featureVectors = new HashMap<>();
    private String querySpec = "";
    private final Map<String, float[]> users = new HashMap<>();
    private final Map<String, Long> userEvents = new HashMap<>();
    private final Map<Long, Snapshot> snapshots = new HashMap<>();
    private long trainedEvents;
    /** Per UserTower subtask, the newest item snapshot its user vectors say it had read (-1: none yet). */
    private final long[] feedVersions;
    private long rejected;
    private long undecodable;

    /** Markers of one snapshot version seen so far. */
    private static final class Snapshot {
        int subtasks;
        final boolean[] seen;
        int seenCount;
        long records;
        long earliestPublishedAt = Long.MAX_VALUE;

        Snapshot(int subtasks) {
            this.subtasks = subtasks;
            this.seen = new boolean[subtasks];
        }
    }

    /** @param subtasks the job's parallelism (the UserTower subtasks whose item feed {@link #feedLag} follows) */
    TrainerOutput(String bootstrapServers, String itemTopic, String userTopic, String dlqTopic, int subtasks) {
        this.feedVersions = new long[subtasks];
        java.util.Arrays.fill(feedVersions, -1);
        this.itemTopic = itemTopic;
        this.userTopic = userTopic;
        this.dlqTopic = dlqTopic;
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        consumer = new KafkaConsumer<>(c);
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(itemTopic, userTopic, dlqTopic)) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Reads whatever has arrived, waiting at most {@code timeout} for the first record. */
    void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.topic().equals(dlqTopic)) {
                rejected++;
                continue;
            }
            EmbeddingRecord e;
            try {
                e = EmbeddingCodec.decode(r.value());
            } catch (IOException ex) {
                undecodable++; // not ours; serving skips such records too
                continue;
            }
            if (r.topic().equals(itemTopic)) {
                onItemRecord(e);
            } else if (r.topic().equals(userTopic) && e.getKind() == RecordKind.EMBEDDING) {
                String id = e.getEntityId();
                users.put(id, EmbeddingCodec.unpackVector(e.getVector()));
                long before = userEvents.getOrDefault(id, 0L);
                // update_count of a user vector is the number of events it has learned from; it only grows.
                long now = Math.max(before, e.getUpdateCount());
                userEvents.put(id, now);
                trainedEvents += now - before;
                int subtask = e.getSubtask();
                if (subtask >= 0 && subtask < feedVersions.length) {
                    feedVersions[subtask] = Math.max(feedVersions[subtask], e.getSnapshotVersion());
                }
            }
        }
    }

    private void onItemRecord(EmbeddingRecord e) {
        String id = e.getEntityId();
        if (e.getKind() == RecordKind.EMBEDDING) {
            float[] v = EmbeddingCodec.unpackVector(e.getVector());
            if (FeatureKeys.isFeature(id)) {
                featureVectors.put(id, v);
            } else {
                items.put(id, v);
                itemFeatures.put(id, EmbeddingCodec.features(e));
                itemPopularity.put(id, EmbeddingCodec.popularity(e));
            }
            return;
        }
        if (e.getKind() == RecordKind.REMOVED) {
            items.remove(id);
            itemFeatures.remove(id);
            itemPopularity.remove(id);
            featureVectors.remove(id);
            return;
        }
        if (!e.getQuerySpec().isEmpty()) {
            querySpec = e.getQuerySpec();
        }
        int subtasks = e.getSubtasks();
        int subtask = e.getSubtask();
        if (subtasks < 1 || subtask < 0 || subtask >= subtasks) {
            return;
        }
        Snapshot s = snapshots.computeIfAbsent(e.getSnapshotVersion(), v -> new Snapshot(subtasks));
        if (s.subtasks != subtasks || s.seen[subtask]) {
            return;
        }
        s.seen[subtask] = true;
        s.seenCount++;
        s.records += e.getRecordCount();
        s.earliestPublishedAt = Math.min(s.earliestPublishedAt, e.getPublishedAt().toEpochMilli());
    }

    /**
     * Whether a snapshot version has completed (a marker from every subtask) with no item changed since the
     * previous one, every marker published at or after {@code sinceMillis} (wall clock). Once training has ended,
     * such a snapshot means every item gradient had been applied and published before it.
     */
    boolean quietSnapshotSince(long sinceMillis) {
        for (Snapshot s : snapshots.values()) {
            if (s.seenCount == s.subtasks && s.records == 0 && s.earliestPublishedAt >= sinceMillis) {
                return true;
            }
        }
        return false;
    }

    /** The newest version for which every subtask's marker has arrived; 0 before the first. */
    long latestCompleteSnapshot() {
        long latest = 0;
        for (Map.Entry<Long, Snapshot> e : snapshots.entrySet()) {
            if (e.getValue().seenCount == e.getValue().subtasks) {
                latest = Math.max(latest, e.getKey());
            }
        }
        return latest;
    }

    /**
     * How many complete item snapshots the slowest UserTower subtask is behind: the newest complete snapshot on the
     * item topic less the newest its user vectors were tagged with; -1 while some subtask has published no user.
     * A UserTower that trains flat out reads its item feed late (both inputs share its one thread), and events
     * learned against item vectors several snapshots old teach the model less.
     */
    long feedLag() {
        long slowest = Long.MAX_VALUE;
        for (long v : feedVersions) {
            if (v < 0) {
                return -1;
            }
            slowest = Math.min(slowest, v);
        }
        return Math.max(0, latestCompleteSnapshot() - slowest);
    }

    /** Sum over users of the events their latest published vector has learned from. */
    long trainedEvents() {
        return trainedEvents;
    }

    /** Records on the dead-letter topic: events the trainer rejected. */
    long rejected() {
        return rejected;
    }

    long undecodable() {
        return undecodable;
    }

    /** The published model as serving would serve it now (items composed, the latest query spec). */
    PublishedModel model() {
        return new PublishedModel(items, itemFeatures, itemPopularity, featureVectors, users,
                querySpec.isEmpty() ? null : QuerySpec.fromJson(querySpec));
    }

    /** Live items published so far (with a vector, not removed). */
    int itemCount() {
        return items.size();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
