package io.streamrec.job.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.job.TrainerJob;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.testing.EmbeddingTopics;
import io.streamrec.job.testing.JobMetrics;
import io.streamrec.job.testing.TestJobs;
import io.streamrec.job.testing.TestMiniCluster;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest path against a real broker on a MiniCluster (parallelism 2, RocksDB, checkpoints every second):
 * 10,000 valid events mixed with 1,002 malformed ones (UTF-16 and BOM-prefixed events, a tombstone and an empty value
 * among them); every malformed one reaches the dead-letter topic with a reason and its original bytes, and the whole
 * topic holds nothing else, the per-type counts match, valid events reach the trainer,
 * and the job keeps running.
 */
class IngestPipelineITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestMiniCluster.withMetrics(METRICS);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_714_564_800_000L; // 2024-05-01T12:00:00Z
    /** Stands for a null record value among the base64 originals. */
    private static final String TOMBSTONE = "<null>";

    @Test
    void validEventsAreCountedAndMalformedOnesReachTheDeadLetterTopic(@TempDir Path checkpoints) throws Exception {
        String interactions = EmbeddedKafkaBroker.uniqueTopic("interactions");
        String dlq = EmbeddedKafkaBroker.uniqueTopic("interactions-dlq");
        // 3 partitions for parallelism 2: one subtask reads two partitions, the other one.
        KAFKA.broker().createTopic(interactions, 3);
        KAFKA.broker().createTopic(dlq, 2);
        String items = EmbeddingTopics.create(KAFKA.broker(), "item-embeddings");
        String users = EmbeddingTopics.create(KAFKA.broker(), "user-embeddings");

        Random rnd = new Random(42);
        Map<EventType, Long> expectedCounts = new EnumMap<>(EventType.class);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            EventType type = EventType.values()[rnd.nextInt(EventType.values().length)];
            InteractionEvent e = new InteractionEvent("user-" + rnd.nextInt(500), "item-" + rnd.nextInt(2000), type,
                    T0 + i * 1000L);
            if (type == EventType.RATING) {
                e.value = 1.0 + rnd.nextInt(5);
            }
            expectedCounts.merge(type, 1L, Long::sum);
            records.add(new ProducerRecord<>(interactions, e.userId.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(e)));
        }
        List<byte[]> malformed = malformedRecords(1_000);
        malformed.add(null); // a tombstone: NULL_PAYLOAD, told apart from the empty value below
        malformed.add(new byte[0]);
        Set<String> malformedOriginals = new HashSet<>();
        for (byte[] m : malformed) {
            malformedOriginals.add(m == null ? TOMBSTONE : Base64.getEncoder().encodeToString(m));
            records.add(new ProducerRecord<>(interactions, rnd.nextBoolean() ? null : "k".getBytes(), m));
        }
        assertEquals(malformed.size(), malformedOriginals.size(), "malformed inputs must be distinct to be traced");
        Collections.shuffle(records, rnd);
        KAFKA.broker().produce(records);

        JobConfig config = JobConfig.fromMap(Map.of(
                "kafka.bootstrap.servers", KAFKA.bootstrapServers(),
                "kafka.group.id", "ingest-it-" + interactions,
                "topics.interactions", interactions,
                "topics.dlq", dlq,
                "topics.item-embeddings", items,
                "topics.user-embeddings", users,
                "topics.ranker-model", TestJobs.rankerTopic(KAFKA.broker()),
                "job.parallelism", "2",
                "checkpoint.dir", checkpoints.toUri().toString(),
                "checkpoint.interval", "1 s"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(TrainerJob.flinkConfiguration(config));
        TrainerJob.build(env, config);
        JobClient job = env.executeAsync("ingest-it");
        try {
            Awaitility.await("per-type counts of the valid events reach " + expectedCounts)
                    .atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                    .until(() -> validCounts(job).equals(expectedCounts));
            assertTrue(sumCounters(job, "eventsTrained") > 0, "valid events reach the trainer");

            // The whole topic, not only its first 1,000 records: a valid event there would be one too many.
            List<ConsumerRecord<byte[], byte[]>> dead =
                    KAFKA.broker().consumeToEnd(dlq, malformed.size(), Duration.ofSeconds(120));
            assertEquals(malformed.size(), dead.size(),
                    "every malformed record, and nothing else, in the dead-letter topic");
            Set<String> originals = new HashSet<>();
            Map<String, Integer> byCode = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                JsonNode d = JSON.readTree(r.value());
                assertFalse(d.path("reason").asText().isBlank(), "a reason: " + d);
                byCode.merge(d.path("code").asText(), 1, Integer::sum);
                if (d.get("original").isNull()) {
                    assertEquals("NULL_PAYLOAD", d.path("code").asText(), "only a tombstone has no original: " + d);
                    originals.add(TOMBSTONE);
                    continue;
                }
                byte[] original = "base64".equals(d.path("original_encoding").asText())
                        ? Base64.getDecoder().decode(d.path("original").asText())
                        : d.path("original").asText().getBytes(StandardCharsets.UTF_8);
                originals.add(Base64.getEncoder().encodeToString(original));
                assertEquals(interactions, d.path("topic").asText());
                assertTrue(d.path("offset").asLong(-1) >= 0);
                assertTrue(d.path("partition").asInt(-1) >= 0 && d.path("partition").asInt() < 3);
                assertNotNull(d.get("received_at"));
            }
            assertEquals(malformedOriginals, originals, "the dead letters are exactly the malformed inputs, byte for byte");
            assertTrue(byCode.size() >= 8, "several distinct reasons: " + byCode);
            assertEquals(1, byCode.get("NULL_PAYLOAD"), "the tombstone: " + byCode);
            assertEquals(1, byCode.get("EMPTY_PAYLOAD"), "the empty value: " + byCode);
            assertEquals(3 * (1_000 / 19), byCode.get("NOT_UTF8"), "UTF-16 with and without BOM, UTF-8 BOM: " + byCode);

            assertEquals((long) malformed.size(), sumCounters(job, "interactionsRejected"),
                    "rejections counted in a Flink metric");
            assertEquals(10_000L, sumCounters(job, "interactionsValid"));
            assertTrue(hasCompletedCheckpoint(checkpoints), "checkpoints are taken");
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "bad input does not stop the job");
        } finally {
            TestJobs.cancel(job);
        }
    }

    private static Map<EventType, Long> validCounts(JobClient job) {
        Map<EventType, Long> seen = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            long n = sumCounters(job, "interactionsValid_" + t.wireName());
            if (n > 0) {
                seen.put(t, n);
            }
        }
        return seen;
    }

    private static long sumCounters(JobClient job, String name) {
        return JobMetrics.sumCounter(METRICS, job.getJobID(), name);
    }

    private static boolean hasCompletedCheckpoint(Path dir) {
        Awaitility.await("a completed checkpoint under " + dir).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    try (Stream<Path> files = Files.walk(dir)) {
                        return files.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
                    }
                });
        return true;
    }

    /** Distinct malformed records of many kinds; the index makes each one unique. */
    static List<byte[]> malformedRecords(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; out.size() < n; i++) {
            String ok = "\"item_id\":\"i" + i + "\",\"type\":\"click\",\"timestamp\":" + T0;
            String s;
            switch (i % 19) {
                case 0: s = "not json " + i; break;
                case 1: s = "{\"user_id\":\"u" + i + "\"," + ok; break; // truncated
                case 2: s = "[" + i + "]"; break;
                case 3: s = "{" + ok + "}"; break; // no user_id
                case 4: s = "{\"user_id\":\"\"," + ok + ",\"n\":" + i + "}"; break;
                case 5: s = "{\"user_id\":\"" + "x".repeat(300) + i + "\"," + ok + "}"; break;
                case 6: s = "{\"user_id\":\"u" + i + "\",\"item_id\":\"i\",\"type\":\"like\",\"timestamp\":" + T0 + "}";
                    break;
                case 7: s = "{\"user_id\":\"u" + i + "\",\"item_id\":\"i\",\"type\":\"click\",\"timestamp\":\"soon\"}";
                    break;
                case 8: s = "{\"user_id\":\"u" + i + "\",\"item_id\":\"i\",\"type\":\"click\",\"timestamp\":86400}";
                    break;
                case 9: s = "{\"user_id\":\"u" + i + "\",\"item_id\":\"i\",\"type\":\"click\",\"timestamp\":"
                        + (System.currentTimeMillis() + 7L * 86_400_000L) + "}";
                    break;
                case 10: s = "{\"user_id\":{\"id\":" + i + "}," + ok + "}"; break;
                case 11: s = "{\"user_id\":\"u" + i + "\",\"item_id\":\"i\",\"type\":\"rating\",\"timestamp\":" + T0 + "}";
                    break;
                case 12: s = "{\"user_id\":\"u" + i + "\"," + ok + ",\"properties\":{\"price\":9.5}}"; break;
                case 13: s = "{\"user_id\":\"u" + i + "\"," + ok + ",\"pad\":\"" + "p".repeat(70_000) + "\"}"; break;
                case 14: {
                    byte[] b = ("{\"user_id\":\"u" + i + "\u0000\"," + ok + "}").getBytes(StandardCharsets.UTF_8);
                    b[b.length - 3] = (byte) 0xFF; // invalid UTF-8 inside the record
                    out.add(b);
                    continue;
                }
                case 16: // the same event a valid one would be, in UTF-16 with a byte-order mark
                    out.add(("{\"user_id\":\"u" + i + "\"," + ok + "}").getBytes(StandardCharsets.UTF_16));
                    continue;
                case 17: // UTF-16LE without a byte-order mark
                    out.add(("{\"user_id\":\"u" + i + "\"," + ok + "}").getBytes(StandardCharsets.UTF_16LE));
                    continue;
                case 18: { // UTF-8 behind a byte-order mark
                    byte[] b = ("\uFEFF{\"user_id\":\"u" + i + "\"," + ok + "}").getBytes(StandardCharsets.UTF_8);
                    out.add(b);
                    continue;
                }
                default: s = "{\"user_id\":\"u" + i + "\",\"user_id\":\"dup\"," + ok + "}"; break;
            }
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
