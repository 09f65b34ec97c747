package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.job.config.JobConfig;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.stack.TrainerFlags;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tune command: its options, and a whole search on a small log with a taste structure, with its outputs. */
class TuneMainTest {

    @Test
    void optionsAndTheirErrors() throws UsageException {
        TuneMain.Setup s = TuneMain.parse(new String[] {"u.data"});
        assertEquals("hr_10", s.metric());
        assertEquals(24, s.configs());
        assertTrue(s.out().endsWith(Path.of(".streamrec", "tune")));
        TuneMain.Setup seed = TuneMain.parse(new String[] {"u.data", "--protocol", "seed", "--budget", "5m",
                "--trainer.model.dim", "32"});
        assertEquals("top_10", seed.metric());
        assertEquals(Map.of("model.dim", "32"), seed.options().trainer());
        assertTrue(TuneMain.space(false, seed.options().trainer()).stream().noneMatch(d -> d.key.equals("model.dim")),
                "a fixed key is not searched");
        UsageException e = assertThrows(UsageException.class,
                () -> TuneMain.parse(new String[] {"u.data", "--protocol", "seed", "--metric", "hr_10"}));
        assertTrue(e.getMessage().startsWith("--metric: "), e.getMessage());
        e = assertThrows(UsageException.class,
                () -> TuneMain.parse(new String[] {"u.data", "--protocol", "cold-items"}));
        assertTrue(e.getMessage().startsWith("--protocol: "), e.getMessage());
        e = assertThrows(UsageException.class, () -> TuneMain.parse(new String[] {"u.data", "--budget", "0s"}));
        assertTrue(e.getMessage().startsWith("--budget"), e.getMessage());
    }

    /** 300 users in 6 taste groups over 120 items, 30 events each, in MovieLens u.data format. */
    private static Path tasteLog(Path dir) throws Exception {
        Random r = new Random(1);
        StringBuilder b = new StringBuilder();
        long t = 880_000_000L;
        for (int e = 0; e < 30; e++) {
            for (int u = 0; u < 300; u++) {
                int group = u % 6;
                int item = r.nextDouble() < 0.8 ? group * 20 + r.nextInt(20) : r.nextInt(120);
                b.append(u + 1).append('\t').append(item + 1).append("\t5\t").append(t++).append('\n');
            }
        }
        Path f = dir.resolve("u.data");
        Files.writeString(f, b.toString());
        return f;
    }

    @Test
    void searchesAndWritesAConfigurationTheTrainerAccepts(@TempDir Path dir) throws Exception {
        Path log = tasteLog(dir);
        Path out = dir.resolve("tune");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = TuneMain.run(new String[] {log.toString(), "--protocol", "seed", "--passes", "1", "--configs",
                        "5", "--threads", "2", "--budget", "5m", "--out", out.toString(),
                        "--trainer.model.negatives", "32", "--trainer.snapshot.interval", "2s"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err);
        assertTrue(err.contains("tune: rung 1/3"), err);
        assertTrue(err.contains("--trainer.snapshot.interval is not a model key"), err);

        JsonNode report = TuneMain.readReport(out);
        assertEquals("seed", report.path("protocol").asText());
        int[] perRung = new int[3];
        boolean[] defaultsAt = new boolean[3];
        for (JsonNode t : report.path("trials")) {
            perRung[t.path("rung").asInt()]++;
            defaultsAt[t.path("rung").asInt()] |= t.path("config").asInt() == 0;
        }
        assertEquals(5, perRung[0]);
        assertTrue(perRung[1] == 2 || perRung[1] == 3, "the best 2, and the defaults: " + perRung[1]);
        assertTrue(perRung[2] == 1 || perRung[2] == 2, "the best 1, and the defaults: " + perRung[2]);
        assertTrue(defaultsAt[0] && defaultsAt[1] && defaultsAt[2], "the defaults go on to the end");
        double best = report.path("best").path("validation").asDouble();
        double defaults = report.path("defaults").path("validation").asDouble();
        assertTrue(best >= defaults, best + " vs " + defaults);
        assertTrue(report.path("best").path("test").isNumber());
        assertTrue(best > 0.1, "the groups are learnable: " + best);
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));

        // best.properties: model keys, the fixed one included, that evaluate, demo and the job accept.
        TrainerFlags.Split split = TrainerFlags.extract(new String[] {"--trainer.config",
                out.resolve("best.properties").toString(), "--trainer.model.dim", "16", "x"});
        Map<String, String> keys = split.trainer();
        assertEquals("32", keys.get("model.negatives"));
        assertEquals("16", keys.get("model.dim"), "a flag wins over the file");
        assertTrue(keys.keySet().stream().allMatch(k -> k.startsWith("model.")), keys.toString());
        JobConfig.fromMap(keys);
        String summary = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("held-out test split"), summary);
    }

    @Test
    void anUnreadableConfigFileIsAUsageErrorNamingTheOption(@TempDir Path dir) {
        UsageException e = assertThrows(UsageException.class, () -> TrainerFlags.extract(
                new String[] {"--trainer.config", dir.resolve("missing.properties").toString()}));
        assertTrue(e.getMessage().startsWith("--trainer.config: cannot read"), e.getMessage());
    }
}
