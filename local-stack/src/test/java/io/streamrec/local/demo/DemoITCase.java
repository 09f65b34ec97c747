package io.streamrec.local.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.FreePorts;
import java.net.ServerSocket;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.local.generator.GroundTruth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo path end to end, as {@code ./streamrec demo} runs it: a real broker, the trainer on a MiniCluster with
 * its REST API, the serving node as a second JVM, fed by the synthetic generator. Events flow, /ready turns 200,
 * recommendations are personal (users of different hidden tastes get different items, mostly of their own taste)
 * and exclude what they have seen, the model's live HR@10 beats popularity, the catalog topic is compacted and holds
 * every item (new items launched before their first event), a serving node killed with SIGKILL is reported and
 * restarted from its own state (its snapshot version does not go back), the stop is clean (savepoint, serving exits
 * on SIGTERM) also while a restart is under way, and a second start resumes from the savepoint.
 */
class DemoITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void demoLearnsServesPersonalRecommendationsAndStopsCleanly(@TempDir Path state) throws Exception {
        Path home = Path.of(System.getProperty("streamrec.home", "..")).toAbsolutePath();
        int kafkaPort = FreePorts.pick();
        DemoSettings settings = new DemoSettings(home, state, kafkaPort, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), 2,
                200, 300, 600, 10, 7, Duration.ofSeconds(75), null,
                Map.of("snapshot.interval", "2 s", "metrics.prequential.sample", "1.0"),
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(25));
        List<String> notices = new CopyOnWriteArrayList<>();
        Demo demo = new Demo(settings, line -> {
            System.out.println("demo notice: " + line);
            notices.add(line);
        });
        String savepoint;
        try {
            demo.start();
            assertNull(demo.restoredFrom(), "a fresh state directory starts fresh");
            assertTrue(demo.awaitReady(Duration.ofMinutes(3)), "/ready turns 200");

            // The 15,000 backfilled events, and then ~10 s of live ones, are trained on. Not sooner: a user vector
            // published during the backfill's burst was computed against item vectors a few snapshots older than
            // the ones serving scores it with, and while the model moves that fast the two can disagree (once, a
            // user's list fit another taste); its next live events republish it against settled items.
            awaitTrained(demo, 17_000, Duration.ofMinutes(4));
            Map<String, Double> m = demo.trainerMetrics();
            double evaluated = m.get("prequentialEvaluated");
            double model = m.get("prequentialHits10") / evaluated;
            double popularity = m.get("popularityHits10") / evaluated;
            System.out.printf("demo: %,.0f events scored, HR@10 model %.3f vs popularity %.3f%n", evaluated, model,
                    popularity);
            assertTrue(model > popularity, "live HR@10 " + model + " beats popularity " + popularity);

            GroundTruth truth = demo.groundTruth();
            List<String> users = truth.usersWithDistinctTastes(3);
            Map<String, List<String>> recs = new HashMap<>();
            long asked = System.currentTimeMillis();
            for (String user : users) {
                JsonNode answer = demo.get("/v1/users/" + user + "/recommendations?k=10");
                assertEquals("model", answer.path("strategy").asText(), answer.toString());
                List<String> items = new ArrayList<>();
                answer.path("items").forEach(i -> items.add(i.path("item_id").asText()));
                assertEquals(10, items.size(), answer.toString());
                recs.put(user, items);
            }
            // Personal: different tastes, (mostly) different items, and items of the user's own taste.
            for (int a = 0; a < users.size(); a++) {
                for (int b = a + 1; b < users.size(); b++) {
                    Set<String> overlap = new HashSet<>(recs.get(users.get(a)));
                    overlap.retainAll(recs.get(users.get(b)));
                    assertTrue(overlap.size() <= 3, users.get(a) + " and " + users.get(b) + " share " + overlap);
                }
            }
            // ... and each list suits its own user's hidden taste better than, on average, the other users' tastes
            // (per pair it can tie when two tastes share a topic).
            for (String user : users) {
                double mine = affinity(truth, user, recs.get(user));
                double theirs = users.stream().filter(o -> !o.equals(user))
                        .mapToDouble(o -> affinity(truth, o, recs.get(user))).average().orElseThrow();
                System.out.printf("demo: %s's list fits its taste %.3f, the others' %.3f%n", user, mine, theirs);
                assertTrue(mine > theirs, "recommendations for " + user + " fit it (" + mine
                        + ") better than the other users' tastes (" + theirs + " on average)");
            }
            // Never an item the user had interacted with (well) before the question.
            Map<String, Set<String>> seen = seenBefore(demo.bootstrapServers(), Set.copyOf(users), asked - 2_000);
            for (String user : users) {
                Set<String> leaked = new HashSet<>(recs.get(user));
                leaked.retainAll(seen.getOrDefault(user, Set.of()));
                assertTrue(leaked.isEmpty(), user + " was recommended items it had seen: " + leaked);
                assertTrue(seen.getOrDefault(user, Set.of()).size() > 0, user + " has history");
            }
            checkCatalog(demo, notices);
            checkServingIsRestartedAfterAKill(demo, notices);
        } finally {
            savepoint = demo.stop();
        }
        assertNotNull(savepoint, "stopped with a savepoint");
        try (ServerSocket s = new ServerSocket(kafkaPort)) {
            assertTrue(s.isBound(), "the broker's port is released");
        }

        notices.clear();
        Demo again = new Demo(settings, notices::add);
        String savedAgain;
        ProcessHandle replacement;
        try {
            again.start();
            assertNotNull(again.restoredFrom(), "a second start resumes");
            assertTrue(again.awaitReady(Duration.ofSeconds(60)), "serving is ready at once from its own state");
            awaitTrained(again, 1, Duration.ofMinutes(2));

            // Killed again, and the demo stopped (as Ctrl-C does) while the replacement node is starting up.
            ProcessHandle killed = again.serving().handle();
            killed.destroyForcibly();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (again.serving().handle().pid() == killed.pid() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            replacement = again.serving().handle();
            assertNotEquals(killed.pid(), replacement.pid(), "a replacement was started: " + notices);
            assertTrue(replacement.isAlive());
            assertTrue(again.servingState().startsWith("restarting"), again.servingState());
        } finally {
            savedAgain = again.stop();
        }
        assertNotNull(savedAgain, "stopped with a savepoint while the serving node was restarting");
        assertFalse(replacement.isAlive(), "the replacement serving node was stopped");
        assertTrue(notices.stream().noneMatch(n -> n.startsWith("serving node restarted")), notices.toString());
        assertEquals("stopped", again.servingState());
    }

    /** The catalog topic is compacted and holds every item's record, and the new items launched so far. */
    private static void checkCatalog(Demo demo, List<String> notices) throws Exception {
        GroundTruth truth = demo.groundTruth();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Demo.CATALOG_TOPIC);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("compact", config.get("cleanup.policy").value());
        }
        List<GroundTruth.Launch> launches = truth.launches();
        assertTrue(launches.size() >= 1, "a new item every 10 s of live time: " + launches);
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("new item i-600 launched (catalog only: ")),
                notices.toString());
        Map<String, JsonNode> latest = new HashMap<>();
        Map<String, Long> appended = new HashMap<>();
        readTopic(demo.bootstrapServers(), Demo.CATALOG_TOPIC, r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            latest.put(key, JSON.readTree(r.value()));
            appended.putIfAbsent(key, r.timestamp());
        });
        for (int i = 0; i < 600 + launches.size(); i++) {
            assertTrue(latest.containsKey("i-" + i), "no catalog record for i-" + i);
        }
        assertEquals(truth.topicName(truth.categoryTopic("i-600")),
                latest.get("i-600").path("categories").path("category").asText());
        Map<String, Long> firstEvent = new HashMap<>();
        readTopic(demo.bootstrapServers(), "interactions", r -> {
            String item = JSON.readTree(r.value()).path("item_id").asText();
            firstEvent.merge(item, r.timestamp(), Math::min);
        });
        for (GroundTruth.Launch l : launches) {
            Long first = firstEvent.get(l.itemId());
            if (first != null) {
                assertTrue(appended.get(l.itemId()) < first, l.itemId() + ": catalog record at "
                        + appended.get(l.itemId()) + ", first event at " + first);
            }
        }
    }

    /**
     * kill -9 of the serving JVM: the demo says so at once, restarts it with the same state directory, and the new
     * node answers /ready with a snapshot at least as new as before and knows the users it knew.
     */
    private static void checkServingIsRestartedAfterAKill(Demo demo, List<String> notices) throws Exception {
        assertEquals("up", demo.servingState());
        JsonNode before = demo.get("/ready");
        long versionBefore = before.path("snapshot_version").asLong();
        assertTrue(versionBefore > 0, before.toString());
        String user = demo.groundTruth().usersWithDistinctTastes(1).get(0);
        ProcessHandle killed = demo.serving().handle();
        int seen = notices.size();
        long killedAt = System.nanoTime();
        assertTrue(killed.destroyForcibly()); // SIGKILL
        String exitNotice = "serving node (pid " + killed.pid() + ") exited with code 137 (killed by SIGKILL)";
        while (notices.stream().skip(seen).noneMatch(n -> n.startsWith(exitNotice))) {
            assertTrue(System.nanoTime() - killedAt < 5_000_000_000L, "no notice of the exit in 5 s: " + notices);
            Thread.sleep(20);
        }
        System.out.printf("demo: the kill was reported after %d ms%n", (System.nanoTime() - killedAt) / 1_000_000);
        assertTrue(notices.stream().anyMatch(n -> n.startsWith(exitNotice) && n.contains("restarting it in 1 s "
                + "(restart 1 of 5, same state directory). Log: " + demo.servingLog())), notices.toString());
        assertTrue(demo.servingState().startsWith("restarting"), demo.servingState());

        assertTrue(demo.awaitReady(Duration.ofSeconds(90)), "the restarted node answers /ready: " + notices);
        long readyAfter = (System.nanoTime() - killedAt) / 1_000_000;
        assertNotEquals(killed.pid(), demo.serving().handle().pid());
        JsonNode after = demo.get("/ready");
        System.out.printf("demo: ready again %d ms after the kill, snapshot v%d before, v%d after%n", readyAfter,
                versionBefore, after.path("snapshot_version").asLong());
        assertTrue(after.path("snapshot_version").asLong() >= versionBefore, before + " then " + after);
        JsonNode answer = demo.get("/v1/users/" + user + "/recommendations?k=10");
        assertEquals("model", answer.path("strategy").asText(), "the restarted node knows " + user + ": " + answer);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!demo.servingState().equals("up (restarted 1x)") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("up (restarted 1x)", demo.servingState());
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("serving node restarted (pid "
                + demo.serving().handle().pid() + ")")), notices.toString());
    }

    private interface RecordCheck {
        void accept(ConsumerRecord<byte[], byte[]> r) throws IOException;
    }

    /** Every record of the topic up to its current end. */
    private static void readTopic(String bootstrap, String topic, RecordCheck check) throws IOException {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    check.accept(r);
                }
            }
        }
    }

    private static double affinity(GroundTruth truth, String user, List<String> items) {
        return items.stream().mapToDouble(i -> truth.trueAffinity(truth.userIndex(user), truth.itemIndex(i))).sum();
    }

    private static void awaitTrained(Demo demo, double atLeast, Duration timeout) {
        Awaitility.await("the demo's trainer has trained " + atLeast + " events").atMost(timeout)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> demo.trainerMetrics().getOrDefault("eventsTrained", 0.0) >= atLeast);
    }

    /** Items each user interacted with in events stamped before {@code beforeMs}, read back from Kafka. */
    private static Map<String, Set<String>> seenBefore(String bootstrap, Set<String> users, long beforeMs)
            throws IOException {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Set<String>> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor("interactions").forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String user = new String(r.key(), StandardCharsets.UTF_8);
                    if (!users.contains(user)) {
                        continue;
                    }
                    JsonNode e = JSON.readTree(r.value());
                    if (e.path("timestamp").asLong() < beforeMs) {
                        seen.computeIfAbsent(user, u -> new HashSet<>()).add(e.path("item_id").asText());
                    }
                }
            }
        }
        return seen;
    }
}
