package io.streamrec.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    private static String errorFor(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> JobConfig.fromMap(values)).getMessage();
    }

    @Test
    void defaultsAreValid() {
        JobConfig c = JobConfig.defaults();
        assertEquals("localhost:9092", c.bootstrapServers);
        assertEquals("interactions", c.interactionsTopic);
        assertEquals("interactions-dlq", c.dlqTopic);
        assertEquals(Duration.ofSeconds(10), c.checkpointInterval);
        assertEquals(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), c.parserOptions.earliestTimestampMs());
    }

    @Test
    void flagsOverrideAndParseTypes() {
        JobConfig c = JobConfig.fromArgs("--kafka.bootstrap.servers", "broker:29092", "--checkpoint.interval=2 s",
                "--job.parallelism", "3", "--ingest.timestamp.earliest", "1995-01-01T00:00:00Z");
        assertEquals("broker:29092", c.bootstrapServers);
        assertEquals(Duration.ofSeconds(2), c.checkpointInterval);
        assertEquals(3, c.parallelism);
        assertEquals(Instant.parse("1995-01-01T00:00:00Z").toEpochMilli(), c.parserOptions.earliestTimestampMs());
    }

    @Test
    void propertiesFileIsReadAndFlagsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trainer.properties");
        Files.writeString(file, "topics.interactions=clicks\njob.parallelism=4\n");
        JobConfig c = JobConfig.fromArgs("--config", file.toString(), "--job.parallelism", "1");
        assertEquals("clicks", c.interactionsTopic);
        assertEquals(1, c.parallelism);
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        String msg = errorFor(Map.of("checkpoint.intervall", "5 s"));
        assertTrue(msg.contains("'checkpoint.intervall'") && msg.contains("did you mean 'checkpoint.interval'"), msg);
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(errorFor(Map.of("checkpoint.interval", "often")).contains("'checkpoint.interval'"));
        assertTrue(errorFor(Map.of("job.parallelism", "0")).contains("'job.parallelism'"));
        assertTrue(errorFor(Map.of("job.parallelism", "two")).contains("'job.parallelism'"));
        assertTrue(errorFor(Map.of("kafka.starting-offsets", "middle")).contains("'kafka.starting-offsets'"));
        assertTrue(errorFor(Map.of("ingest.timestamp.earliest", "2000")).contains("'ingest.timestamp.earliest'"));
        assertTrue(errorFor(Map.of("kafka.bootstrap.servers", "nohostport")).contains("'kafka.bootstrap.servers'"));
        assertTrue(errorFor(Map.of("checkpoint.dir", "/tmp/x")).contains("'checkpoint.dir'"));
        assertTrue(errorFor(Map.of("topics.dlq", "interactions")).contains("'topics.dlq'"));
    }

    @Test
    void malformedFlagsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ConfigArgs.parse("positional"));
        String msg = assertThrows(IllegalArgumentException.class, () -> ConfigArgs.parse("--job.parallelism"))
                .getMessage();
        assertTrue(msg.contains("'job.parallelism'"), msg);
    }
}
