package io.streamrec.local.bench;

import io.streamrec.kafka.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.local.demo.Demo;
import io.streamrec.local.demo.DemoSettings;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness through the running stack (the demo's: real broker, trainer on Flink, serving node), at the default
 * intervals, while the generator keeps publishing in the background. For each probe a brand-new user clicks the
 * item the serving node currently ranks first for it (a popular item, since the user is unknown); from the moment
 * Kafka acknowledges that event we poll the serving node and record
 * <ol>
 *   <li>(a) when the item is no longer recommended to that user (seen-item exclusion), and</li>
 *   <li>(b) when the answer comes from the model ({@code "strategy": "model"}): the serving node forms the query from
 *   the items it has seen the user touch, so this no longer waits for the trainer to publish the user's vector.</li>
 * </ol>
 * Then a second event for the same user measures, under an unchanged item snapshot, (c) when the answers' scores
 * change (the query changed) and (d) when the list itself (its items and their order, the clicked one left out)
 * changes: "a click changes that user's list".
 *
 * <p>Not a test. Run: {@code local-stack/run-benchmark.sh FreshnessBenchmark [probes]} (builds first).
 */
public final class FreshnessBenchmark {

    public static void main(String[] args) throws Exception {
        int probes = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path state = Files.createTempDirectory("streamrec-freshness-");
        Path home = Path.of(System.getProperty("streamrec.home", ".")).toAbsolutePath();
        DemoSettings s = new DemoSettings(home, state, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), 2, 100, 1000,
                2000, 20, 42, Duration.ofMinutes(2), null, Map.of());
        try (Demo demo = new Demo(s)) {
            demo.start();
            if (!demo.awaitReady(Duration.ofMinutes(5))) {
                throw new IllegalStateException("serving not ready");
            }
            Thread.sleep(20_000); // let the backfill drain
            List<Double> excluded = new ArrayList<>();
            List<Double> vector = new ArrayList<>();
            List<Double> updated = new ArrayList<>();
            List<Double> changed = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(demo.bootstrapServers())) {
                for (int p = 0; p < probes; p++) {
                    String user = "probe-" + System.nanoTime();
                    String path = "/v1/users/" + user + "/recommendations?k=20";
                    JsonNode before = demo.get(path);
                    String item = before.path("items").get(0).path("item_id").asText();
                    long ack = send(producer, user, item);
                    double a = Double.NaN;
                    double b = Double.NaN;
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while ((Double.isNaN(a) || Double.isNaN(b)) && System.nanoTime() < deadline) {
                        JsonNode now = demo.get(path);
                        double t = (System.nanoTime() - ack) / 1e6;
                        if (Double.isNaN(a) && !contains(now, item)) {
                            a = t;
                        }
                        if (Double.isNaN(b) && "model".equals(now.path("strategy").asText())) {
                            b = t;
                        }
                        Thread.sleep(2);
                    }
                    excluded.add(a);
                    vector.add(b);

                    // A second event: wait for the scores, then the list, to move while the item snapshot stays.
                    Thread.sleep(1_500); // past the user vector's first publication: only the click moves the query
                    JsonNode base = demo.get(path);
                    String second = base.path("items").get(0).path("item_id").asText();
                    // Watch another item's score: under one item snapshot it moves only with the query.
                    String watched = base.path("items").get(1).path("item_id").asText();
                    List<String> listBefore = ids(base, second);
                    long ack2 = send(producer, user, second);
                    double c = Double.NaN;
                    double d = Double.NaN;
                    deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while ((Double.isNaN(c) || Double.isNaN(d)) && System.nanoTime() < deadline) {
                        JsonNode now = demo.get(path);
                        double t = (System.nanoTime() - ack2) / 1e6;
                        if (now.path("snapshot_version").asLong() != base.path("snapshot_version").asLong()) {
                            break; // another snapshot swapped in: this probe cannot tell the click's effect apart
                        }
                        if (Double.isNaN(c) && Double.compare(scoreOf(now, watched), scoreOf(base, watched)) != 0) {
                            c = t;
                        }
                        if (Double.isNaN(d) && !ids(now, second).equals(listBefore)) {
                            d = t;
                        }
                        Thread.sleep(2);
                    }
                    updated.add(c);
                    changed.add(d);
                    System.out.printf(Locale.ROOT, "probe %2d: excluded after %.0f ms, model after %.0f ms,"
                            + " second click: query changed after %.0f ms, list after %.0f ms%n", p, a, b, c, d);
                }
            }
            System.out.println();
            System.out.println(summary("(a) event acknowledged -> item excluded", excluded));
            System.out.println(summary("(b) event acknowledged -> answered by the model", vector));
            System.out.println(summary("(c) second event acknowledged -> query changed", updated));
            System.out.println(summary("(d) second event acknowledged -> list changed", changed));
        }
    }

    private static boolean contains(JsonNode answer, String item) {
        for (JsonNode i : answer.path("items")) {
            if (i.path("item_id").asText().equals(item)) {
                return true;
            }
        }
        return false;
    }

    /** The listed item ids in order, {@code leftOut} removed. */
    private static List<String> ids(JsonNode answer, String leftOut) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : answer.path("items")) {
            if (!i.path("item_id").asText().equals(leftOut)) {
                out.add(i.path("item_id").asText());
            }
        }
        return out;
    }

    /** The score of {@code item} in the answer (NaN when it is not listed). */
    private static double scoreOf(JsonNode answer, String item) {
        for (JsonNode i : answer.path("items")) {
            if (i.path("item_id").asText().equals(item)) {
                return i.path("score").asDouble();
            }
        }
        return Double.NaN;
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, String user, String item) throws Exception {
        InteractionEvent e = new InteractionEvent(user, item, EventType.CLICK, System.currentTimeMillis());
        producer.send(new ProducerRecord<>("interactions", user.getBytes(StandardCharsets.UTF_8),
                EventJson.toBytes(e))).get();
        return System.nanoTime();
    }

    static String summary(String what, List<Double> ms) {
        List<Double> ok = new ArrayList<>();
        for (Double m : ms) {
            if (!m.isNaN()) {
                ok.add(m);
            }
        }
        Collections.sort(ok);
        if (ok.isEmpty()) {
            return what + ": no measurement";
        }
        return String.format(Locale.ROOT, "%s: n=%d (missed %d), p50 %.0f ms, p99 %.0f ms, max %.0f ms", what,
                ok.size(), ms.size() - ok.size(), pct(ok, 0.50), pct(ok, 0.99), ok.get(ok.size() - 1));
    }

    private static double pct(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0));
    }
}
