package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./streamrec evaluate} end to end, through the same entry point as the command line (not the shell
 * script): a synthetic log with known structure (users and items in clusters; a user picks items of their own
 * cluster nine times out of ten, uniformly, so popularity carries almost no signal) goes through all three
 * protocols on the real trainer job, a real broker and a MiniCluster. The model must be far above popularity under
 * the seeds' protocol and prequentially, and report.json and report.html must hold what the issue asks for.
 */
class EvaluateITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final int USERS = 200;
    static final int ITEMS = 300;
    static final int CLUSTERS = 6;
    static final int EVENTS_PER_USER = 40;

    /** The synthetic log as event JSON lines, interleaved over users, one event a minute. */
    static List<String> clusteredLog(long seed) {
        Random rnd = new Random(seed);
        List<int[]> picks = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int cluster = u % CLUSTERS;
            for (int j = 0; j < EVENTS_PER_USER; j++) {
                int item = rnd.nextInt(10) < 9
                        ? cluster + CLUSTERS * rnd.nextInt(ITEMS / CLUSTERS) // an item of the user's cluster
                        : rnd.nextInt(ITEMS);                                // anything
                picks.add(new int[] {u, item});
            }
        }
        java.util.Collections.shuffle(picks, rnd);
        long t = 1_704_067_200_000L; // 2024-01-01
        List<String> lines = new ArrayList<>();
        for (int[] p : picks) {
            t += 60_000;
            lines.add(EventJson.toJson(new InteractionEvent("user-" + p[0], "item-" + p[1], EventType.CLICK, t)));
        }
        return lines;
    }

    @Test
    void modelIsFarAbovePopularityOnClusteredLogAndReportIsWritten(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("clustered.jsonl");
        Files.write(log, clusteredLog(7));
        Path out = dir.resolve("report");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code = EvaluateMain.run(new String[] {"--protocol", "all", "--out", out.toString(), "--windows", "5",
            "--progress", "plain", "--stall-timeout", "2m", log.toString(), "--format", "events"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), false);
        String printed = stdout.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.printf("evaluate --protocol all on %,d synthetic events: %.0f s%n", USERS * EVENTS_PER_USER,
                (System.nanoTime() - start) / 1e9);
        assertEquals(0, code, "exit code; stderr:\n" + stderr.toString(StandardCharsets.UTF_8));

        JsonNode root = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals("all", root.path("protocol").asText());
        for (String protocol : List.of("seed", "temporal", "prequential")) {
            JsonNode r = root.path("reports").path(protocol);
            for (String key : List.of("protocol", "model", "popularity", "events", "config")) {
                assertTrue(r.has(key), protocol + " report lacks '" + key + "': " + r);
            }
            assertEquals(protocol, r.path("protocol").asText());
            assertEquals(USERS * EVENTS_PER_USER, r.path("events").asLong());
            assertEquals(0, r.path("rejected_events").asLong());
            assertTrue(r.path("config").path("trainer").has("model.dim"), "the full trainer config is reported");
        }

        JsonNode seed = root.path("reports").path("seed");
        for (String k : List.of("top_1", "top_5", "top_10", "top_50", "top_100")) {
            assertTrue(seed.path("model").has(k) && seed.path("popularity").has(k)
                    && seed.path("model_excluding_seen").has(k), "seed report has " + k);
        }
        assertEquals(Math.round(USERS * EVENTS_PER_USER * 0.8) * 3, seed.path("trained_events").asLong(),
                "three passes over the training events");
        assertEquals(USERS, seed.path("coverage").path("users_with_vector").asLong());
        double modelTop10 = seed.path("model").path("top_10").asDouble();
        double popTop10 = seed.path("popularity").path("top_10").asDouble();
        assertTrue(modelTop10 >= 2 * popTop10 && modelTop10 >= 0.08,
                "seed protocol: model top-10 " + modelTop10 + " is not far above popularity " + popTop10);

        JsonNode preq = root.path("reports").path("prequential");
        for (String k : List.of("hr_10", "hr_100", "ndcg_10")) {
            assertTrue(preq.path("model").has(k) && preq.path("popularity").has(k), "prequential report has " + k);
        }
        assertEquals(USERS * EVENTS_PER_USER, preq.path("evaluated_events").asLong(), "every event scored");
        assertEquals(5, preq.path("windows").size());
        preq.path("windows").forEach(w -> System.out.printf("prequential window %d: HR@10 model %.4f popularity %.4f%n",
                w.path("index").asInt(), w.path("model").path("hr_10").asDouble(),
                w.path("popularity").path("hr_10").asDouble()));
        System.out.println("unrankable: " + preq.path("unrankable_events") + ", " + preq.path("events_per_second")
                + " events/s");
        double modelHr10 = preq.path("model").path("hr_10").asDouble();
        double popHr10 = preq.path("popularity").path("hr_10").asDouble();
        assertTrue(modelHr10 >= 2 * popHr10,
                "prequential: model HR@10 " + modelHr10 + " is not far above popularity " + popHr10);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("HR@10 over the stream") && html.contains("top-100"),
                "report.html has the chart and the tables");
        assertTrue(!html.contains("<script") && !html.contains(" src=") && !html.contains("href=\"http"),
                "report.html is self-contained: no scripts, nothing fetched");
        assertTrue(printed.contains("prequential  HR@10"), "summary table printed");
    }
}
