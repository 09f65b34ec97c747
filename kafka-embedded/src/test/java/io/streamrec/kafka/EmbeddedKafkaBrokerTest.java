package io.streamrec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void producesAndConsumesAcrossPartitions() {
        String topic = EmbeddedKafkaBroker.uniqueTopic("roundtrip");
        KAFKA.broker().createTopic(topic, 3);
        List<Map.Entry<String, String>> kvs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            kvs.add(Map.entry("k" + i, "v" + i));
        }
        KAFKA.broker().produceStrings(topic, kvs);
        List<ConsumerRecord<byte[], byte[]>> got = KAFKA.broker().consume(topic, 100, Duration.ofSeconds(30));
        assertEquals(100, got.size());
        assertEquals(3, got.stream().map(ConsumerRecord::partition).distinct().count());
        Set<String> values = got.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertTrue(values.contains("v0") && values.contains("v99"));
    }

    @Test
    void persistentLogDirKeepsTopicsAndDataAcrossRestarts(@TempDir Path dir) throws Exception {
        Path logDir = dir.resolve("kafka");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().logDir(logDir).start()) {
            broker.createTopic("kept", 1);
            broker.produceStrings("kept", List.of(Map.entry("a", "1"), Map.entry("b", "2")));
        }
        assertTrue(Files.exists(logDir.resolve("meta.properties")));
        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.builder().logDir(logDir).start()) {
            assertEquals(2, again.consume("kept", 2, Duration.ofSeconds(30)).size());
        }
    }
}
