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
            "--events.earliest-timestamp=1990-01-01T00:00:00Z"});
        assertEquals(9001, c.get(ServingConfig.HTTP_PORT));
        assertEquals(Duration.ofHours(2), c.get(ServingConfig.POPULAR_HALF_LIFE));
        assertEquals(Instant.parse("1990-01-01T00:00:00Z"), c.get(ServingConfig.EVENTS_EARLIEST));
    }

    @Test
    void shouldNameTheKeyInErrors() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--http.prot", "1"}));
        assertTrue(unknown.getMessage().contains("'http.prot'"), unknown.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--http.port", "eighty"}));
        assertTrue(bad.getMessage().contains("'http.port'"), bad.getMessage());
        IllegalArgumentException dur = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--popular.half-life", "0s"}));
        assertTrue(dur.getMessage().contains("'popular.half-life'"), dur.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ServingConfig.fromArgs(new String[] {"--state.dir"}));
        assertTrue(missing.getMessage().contains("'state.dir'"), missing.getMessage());
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
        assertTrue(bad.getMessage().contains("'topk.kernel'") && bad.getMessage().contains("bf16 or float"),
                bad.getMessage());
    }

    @Test
    void shouldDescribeEveryKey() {
        String table = ServingConfig.describe();
        for (ServingConfig.Key<?> k : ServingConfig.keys()) {
            assertTrue(table.contains("`" + k.name + "`"));
        }
    }
}
