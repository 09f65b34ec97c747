package io.streamrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.avro.EmbeddingRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Shared helpers of the integration tests: topics, publishing in the trainer's format, HTTP, waiting. */
public final class ServingTestSupport {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServingTestSupport() {}

    /**
     * Unique topic names for one test, created with {@code partitions} partitions (embeddings compacted); the ranker
     * model's topic is compacted with one partition (one key).
     */
    public static final class Topics {
        public final String interactions = EmbeddedKafkaBroker.uniqueTopic("interactions");
        public final String items = EmbeddedKafkaBroker.uniqueTopic("item-embeddings");
        public final String users = EmbeddedKafkaBroker.uniqueTopic("user-embeddings");
        public final String ranker = EmbeddedKafkaBroker.uniqueTopic("ranker-model");

        public Topics(EmbeddedKafkaBroker broker, int partitions) {
            broker.createTopic(interactions, partitions);
            broker.createTopic(items, partitions, Map.of("cleanup.policy", "compact"));
            broker.createTopic(users, partitions, Map.of("cleanup.policy", "compact"));
            broker.createTopic(ranker, 1, Map.of("cleanup.policy", "compact"));
        }

        /** CLI arguments for a node on these topics. */
        public List<String> args(EmbeddedKafkaBroker broker, Path stateDir, int port) {
            return List.of("--kafka.bootstrap.servers", broker.bootstrapServers(),
                    "--topics.interactions", interactions, "--topics.item-embeddings", items,
                    "--topics.user-embeddings", users, "--topics.ranker-model", ranker,
                    "--state.dir", stateDir.toString(),
                    "--http.host", "127.0.0.1", "--http.port", Integer.toString(port),
                    "--snapshot.record-wait", "2s");
        }

        public ServingConfig config(EmbeddedKafkaBroker broker, Path stateDir) {
            return ServingConfig.fromArgs(args(broker, stateDir, 0).toArray(new String[0]));
        }
    }

    /**
     * Publishes one snapshot version the way the trainer does: each subtask's records, then its marker counting
     * them. Items go to subtask {@code hash % subtasks}.
     */
    public static void publishSnapshot(EmbeddedKafkaBroker broker, String topic, long version,
                                       Map<String, float[]> items, int subtasks) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int s = 0; s < subtasks; s++) {
            out.addAll(subtaskRecords(topic, version, items, s, subtasks));
        }
        broker.produce(out);
    }

    /** One subtask's share of a version: its embedding records and its completion marker. */
    public static List<ProducerRecord<byte[], byte[]>> subtaskRecords(String topic, long version,
                                                                      Map<String, float[]> items, int subtask,
                                                                      int subtasks) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        int count = 0;
        for (Map.Entry<String, float[]> e : items.entrySet()) {
            if (Math.floorMod(e.getKey().hashCode(), subtasks) != subtask) {
                continue;
            }
            EmbeddingRecord r = EmbeddingCodec.embedding(e.getKey(), e.getValue(), version, subtask, subtasks, 1,
                    now, now);
            out.add(new ProducerRecord<>(topic, EmbeddingCodec.key(r), EmbeddingCodec.encode(r)));
            count++;
        }
        EmbeddingRecord m = EmbeddingCodec.marker(version, subtask, subtasks, count, now, now);
        out.add(new ProducerRecord<>(topic, EmbeddingCodec.key(m), EmbeddingCodec.encode(m)));
        return out;
    }

    public static void publishUserVector(EmbeddedKafkaBroker broker, String topic, String user, float[] v,
                                         long version) {
        long now = System.currentTimeMillis();
        EmbeddingRecord r = EmbeddingCodec.embedding(user, v, version, 0, 1, 1, now, now);
        broker.produce(List.of(new ProducerRecord<>(topic, EmbeddingCodec.key(r), EmbeddingCodec.encode(r))));
    }

    /** Publishes a ranker model record as the trainer does: key {@code ranker}, value the given bytes. */
    public static void publishRanker(EmbeddedKafkaBroker broker, String topic, byte[] value) {
        broker.produce(List.of(new ProducerRecord<>(topic, "ranker".getBytes(StandardCharsets.UTF_8), value)));
    }

    public static ProducerRecord<byte[], byte[]> event(String topic, String user, String item, EventType type) {
        InteractionEvent e = new InteractionEvent(user, item, type, System.currentTimeMillis());
        return new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e));
    }

    public static float[] randomVector(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }

    public static HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode getJson(int port, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(port, pathAndQuery);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    public static List<String> itemIds(JsonNode response) {
        List<String> out = new ArrayList<>();
        response.get("items").forEach(i -> out.add(i.get("item_id").asText()));
        return out;
    }

    /** Polls until the condition holds; fails with the message after the timeout. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    /** A condition that treats an exception (e.g. connection refused while starting) as "not yet". */
    public static BooleanSupplier quietly(ThrowingBoolean b) {
        return () -> {
            try {
                return b.get();
            } catch (Exception e) {
                return false;
            }
        };
    }

    @FunctionalInterface
    public interface ThrowingBoolean {
        boolean get() throws Exception;
    }
}
