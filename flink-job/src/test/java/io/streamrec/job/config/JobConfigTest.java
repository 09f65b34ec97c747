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

    /** Gradients reach the ItemTower a few times per snapshot: a quarter of the interval, at most 1 s, unless set. */
    @Test
    void bundleDelayFollowsTheSnapshotIntervalUnlessGiven() {
        assertEquals(Duration.ofSeconds(1), JobConfig.defaults().bundleMaxDelay, "snapshots every 5 s");
        assertEquals(Duration.ofMillis(250), JobConfig.fromArgs("--snapshot.interval", "1s").bundleMaxDelay);
        assertEquals(Duration.ofMillis(500), JobConfig.fromArgs("--snapshot.interval", "2s").bundleMaxDelay);
        assertEquals(Duration.ofSeconds(1), JobConfig.fromArgs("--snapshot.interval", "1m").bundleMaxDelay);
        assertEquals(Duration.ofSeconds(2), JobConfig.fromArgs("--snapshot.interval", "1s", "--bundle.max-delay",
                "2s").bundleMaxDelay);
        assertTrue(errorFor(Map.of("bundle.max-delay", "20s")).startsWith("bundle.max-delay: "));
    }

    @Test
    void flagsOverrideAndParseTypes() {
        JobConfig c = JobConfig.fromArgs("--kafka.bootstrap.servers", "broker:29092", "--checkpoint.interval=2s",
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
        String msg = errorFor(Map.of("checkpoint.intervall", "5s"));
        assertTrue(msg.startsWith("checkpoint.intervall: unknown key (did you mean checkpoint.interval?)"), msg);
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(errorFor(Map.of("checkpoint.interval", "often")).startsWith("checkpoint.interval: expected a "
                + "duration such as 500ms, 5s, 2m, 1h or 7d, got 'often'"));
        assertTrue(errorFor(Map.of("job.parallelism", "0")).startsWith("job.parallelism: must be in 1..4096, got 0"));
        assertTrue(errorFor(Map.of("job.parallelism", "two")).startsWith("job.parallelism: expected an integer"));
        assertTrue(errorFor(Map.of("kafka.starting-offsets", "middle")).startsWith("kafka.starting-offsets: "
                + "expected EARLIEST or LATEST, got 'middle'"));
        assertTrue(errorFor(Map.of("ingest.timestamp.earliest", "2000")).startsWith("ingest.timestamp.earliest: "));
        assertTrue(errorFor(Map.of("kafka.bootstrap.servers", "nohostport")).startsWith("kafka.bootstrap.servers: "));
        assertTrue(errorFor(Map.of("checkpoint.dir", "/tmp/x")).startsWith("checkpoint.dir: "));
        assertTrue(errorFor(Map.of("topics.dlq", "interactions")).startsWith("topics.dlq: "));
        assertTrue(errorFor(Map.of("model.dim", "0")).startsWith("model.dim: must be in [1, 4096], got 0"));
        assertTrue(errorFor(Map.of("model.normalize", "yes")).startsWith("model.normalize: expected true or false"));
    }

    @Test
    void durationsNeedAUnit() {
        // A bare number used to mean milliseconds here and seconds elsewhere: now it is an error naming the key.
        String msg = errorFor(Map.of("snapshot.interval", "5000"));
        assertTrue(msg.startsWith("snapshot.interval: '5000' has no unit: write e.g. 5000ms or 5000s"), msg);
        assertEquals(Duration.ZERO, JobConfig.fromMap(Map.of("state.ttl.users", "0")).userTtl);
        assertEquals(Duration.ofHours(36), JobConfig.fromMap(Map.of("state.ttl.users", "1.5d")).userTtl);
    }

    @Test
    void theOldPopularityHalfLifeKeyIsReadAsMilliseconds() {
        JobConfig c = JobConfig.fromMap(Map.of("model.popularity.half-life-ms", "60000"));
        assertEquals(60_000L, c.model.popularityHalfLifeMs());
        assertEquals(java.util.List.of("model.popularity.half-life-ms is deprecated and will be removed; use "
                + "model.popularity.half-life"), c.warnings);
        assertEquals(3_600_000L, JobConfig.fromMap(Map.of("model.popularity.half-life", "1h")).model
                .popularityHalfLifeMs());
    }
}
