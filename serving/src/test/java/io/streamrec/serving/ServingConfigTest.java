package io.streamrec.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.serving.retrieval.ParallelTopK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingConfigTest {

    @Test
    void shouldHaveDefaults() {
        ServingConfig c = ServingConfig.defaults();
        assertEquals(8080, c.get(ServingConfig.HTTP_PORT));
        assertEquals("interactions", c.get(ServingConfig.TOPIC_INTERACTIONS));
        assertEquals(Duration.ofDays(1), c.get(ServingConfig.POPULAR_HALF_LIFE));
        assertEquals(Instant.parse("2000-01-01T00:00:00Z"), c.get(ServingConfig.EVENTS_EARLIEST));
        assertEquals(1000, c.get(ServingConfig.MAX_K));
    }

    @Test
    void shouldReadArgsOverridingAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("serving.properties");
        Files.writeString(f, "http.port=9000\npopular.half-life=2h\n");
        ServingConfig c = ServingConfig.fromArgs(new String[] {"--config", f.toString(), "--http.port", "9001",
            "--ingest.timestamp.earliest=1990-01-01T00:00:00Z"});
        assertEquals(9001, c.get(ServingConfig.HTTP_PORT));
        assertEquals(Duration.ofHours(2), c.get(ServingConfig.POPULAR_HALF_LIFE));
        assertEquals(Instant.parse("1990-01-01T00:00:00Z"), c.get(ServingConfig.EVENTS_EARLIEST));
    }

    @Test
    void shouldNameTheKeyInErrors() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--http.prot", "1"}));
        assertTrue(unknown.getMessage().startsWith("http.prot: unknown key (did you mean http.port?)"),
                unknown.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--http.port", "eighty"}));
        assertEquals("http.port: expected an integer, got 'eighty'", bad.getMessage());
        IllegalArgumentException dur = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--popular.half-life", "0s"}));
        assertEquals("popular.half-life: must be positive, got 0", dur.getMessage());
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--snapshot.record-wait", "5"}));
        assertTrue(bare.getMessage().startsWith("snapshot.record-wait: '5' has no unit"), bare.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--state.dir"}));
        assertTrue(missing.getMessage().startsWith("state.dir: has no value"), missing.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--request.default-k", "2000"}));
    }

    @Test
    void shouldParseTheTopKKernel() {
        assertEquals(ParallelTopK.Kernel.BF16, ServingConfig.defaults().get(ServingConfig.TOPK_KERNEL));
        assertEquals(ParallelTopK.Kernel.FLOAT,
                ServingConfig.fromArgs(new String[] {"--topk.kernel", "FLOAT"}).get(ServingConfig.TOPK_KERNEL));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--topk.kernel", "int8"}));
        assertEquals("topk.kernel: expected float or bf16, got 'int8'", bad.getMessage());
    }

    @Test
    void shouldCheckTheRankingKeys() {
        ServingConfig c = ServingConfig.defaults();
        assertEquals(200, c.get(ServingConfig.RANK_CANDIDATES));
        assertEquals("ranker-model", c.get(ServingConfig.TOPIC_RANKER_MODEL));
        assertEquals(500, ServingConfig.fromArgs(new String[] {"--rank.candidates", "500"})
                .get(ServingConfig.RANK_CANDIDATES));
        for (String bad : new String[] {"0", "-1", "10001", "many"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServingConfig.fromArgs(new String[] {"--rank.candidates", bad}));
            assertTrue(e.getMessage().startsWith("rank.candidates: "), e.getMessage());
        }
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--topics.ranker-model", " "}));
        assertTrue(blank.getMessage().startsWith("topics.ranker-model: "), blank.getMessage());
    }

    @Test
    void shouldReadTheTrainersOldNamesWithAWarning() {
        ServingConfig c = ServingConfig.fromArgs(new String[] {"--events.earliest-timestamp", "1995-01-01T00:00:00Z",
            "--events.max-future-skew", "2h"});
        assertEquals(Instant.parse("1995-01-01T00:00:00Z"), c.get(ServingConfig.EVENTS_EARLIEST));
        assertEquals(Duration.ofHours(2), c.get(ServingConfig.EVENTS_MAX_FUTURE_SKEW));
        assertEquals(java.util.List.of(
                "events.earliest-timestamp is deprecated and will be removed; use ingest.timestamp.earliest",
                "events.max-future-skew is deprecated and will be removed; use ingest.timestamp.max-future"),
                c.warnings());
    }

    /** serving/README.md's configuration table is the code's, verbatim: every key, default and meaning. */
    @Test
    void readmeHoldsTheGeneratedTable() throws Exception {
        Path readme = Path.of("README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("serving", "README.md");
        }
        String text = Files.readString(readme);
        assertTrue(text.contains(ServingConfig.describe() + "\n"), "serving/README.md's configuration table is not "
                + "ServingConfig.describe(); replace it with:\n" + ServingConfig.describe());
        for (io.streamrec.config.Option<?> k : ServingConfig.keys()) {
            for (io.streamrec.config.Option.Deprecated d : k.deprecatedNames()) {
                assertTrue(text.contains("`" + d.name() + "`"), "serving/README.md names the deprecated " + d.name());
            }
        }
    }
}
