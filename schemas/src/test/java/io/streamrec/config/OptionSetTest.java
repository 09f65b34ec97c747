package io.streamrec.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, their rules and names, and the one error format. */
class OptionSetTest {
    static final Option<Duration> INTERVAL = Option.named("snapshot.interval", ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(5)).check(d -> d.toMillis() >= 1000, "must be at least 1s")
            .description("How often.").build();
    static final Option<Integer> PARALLELISM = Option.named("job.parallelism", ValueTypes.INTEGER)
            .defaultValue(2).check(Option.between(1, 4096), "must be in 1..4096")
            .deprecatedName("parallelism").build();
    static final Option<Duration> HALF_LIFE = Option.named("half-life", ValueTypes.DURATION)
            .defaultValue(Duration.ZERO).deprecatedName("half-life-ms", ms -> ms.strip() + "ms").build();
    static final OptionSet SET = OptionSet.of(List.of(INTERVAL, PARALLELISM, HALF_LIFE));

    private static String error(Map<String, String> given) {
        return assertThrows(ConfigException.class, () -> SET.resolve(given)).getMessage();
    }

    @Test
    void defaultsAndGivenValues() {
        Settings s = SET.resolve(Map.of("snapshot.interval", "2s"));
        assertEquals(Duration.ofSeconds(2), s.get(INTERVAL));
        assertEquals(2, s.get(PARALLELISM));
        assertEquals("5s", INTERVAL.defaultText());
        assertTrue(s.warnings().isEmpty());
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("snapshot.interval: must be at least 1s, got 500ms", error(Map.of("snapshot.interval", "500ms")));
        assertTrue(error(Map.of("snapshot.interval", "5")).startsWith("snapshot.interval: '5' has no unit"));
        assertEquals("job.parallelism: must be in 1..4096, got 0", error(Map.of("job.parallelism", "0")));
        assertTrue(error(Map.of("snapshot.intervall", "5s"))
                .startsWith("snapshot.intervall: unknown key (did you mean snapshot.interval?)"));
    }

    @Test
    void deprecatedNamesAreTranslatedWithAWarning() {
        Map<String, String> given = new java.util.LinkedHashMap<>(); // warnings come in the order given
        given.put("parallelism", "3");
        given.put("half-life-ms", "60000");
        Settings s = SET.resolve(given);
        assertEquals(3, s.get(PARALLELISM));
        assertEquals(Duration.ofMinutes(1), s.get(HALF_LIFE));
        assertEquals(List.of("parallelism is deprecated and will be removed; use job.parallelism",
                "half-life-ms is deprecated and will be removed; use half-life"), s.warnings());
        assertTrue(error(Map.of("parallelism", "3", "job.parallelism", "4")).contains("given twice"));
    }

    @Test
    void argsAndPropertiesFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "job.parallelism=4\nsnapshot.interval=3s\n");
        Map<String, String> m = ConfigArgs.parse("--config", file.toString(), "--job.parallelism", "1",
                "--half-life=1h");
        assertEquals(Map.of("job.parallelism", "1", "snapshot.interval", "3s", "half-life", "1h"), m);
        assertEquals("positional: expected --key value or --key=value",
                assertThrows(ConfigException.class, () -> ConfigArgs.parse("positional")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ConfigArgs.parse("--job.parallelism")).getMessage()
                .startsWith("job.parallelism: has no value"));
    }
}
