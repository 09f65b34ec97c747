package io.streamrec.local.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.local.TestData;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code catalog load} end to end against a real in-process Kafka broker: records go in through the command line,
 * come back out of the topic keyed by item id, exactly as the file says, into a compacted topic.
 */
class CatalogLoadITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    private String out;
    private String err;

    private int load(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "load";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = CatalogMain.run(all, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** Reads the topic back: every value parses with the key, in offset order per partition. */
    private static List<CatalogRecord> readBack(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.broker().consume(topic, expected, Duration.ofSeconds(60));
        records.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        CatalogParser parser = new CatalogParser();
        List<CatalogRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            CatalogParseResult p = parser.parse(r.key(), r.value());
            assertTrue(p.isValid(), () -> "unparseable record " + new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(p.record().itemId(), new String(r.key(), StandardCharsets.UTF_8), "key = item id");
            out.add(p.record());
        }
        return out;
    }

    private static String cleanupPolicy(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = KAFKA.broker().admin().describeConfigs(List.of(resource)).all().get().get(resource);
        return config.get("cleanup.policy").value();
    }

    @Test
    void smallCsvCatalogArrivesKeyedInACreatedCompactedTopic() throws Exception {
        Path file = dir.resolve("shop.csv");
        Files.writeString(file, String.join("\n",
                "sku,category,brand,title,price,in_stock",
                "sku-1,shoes.running,acme,Trail shoe,89.9,true",
                "sku-2,shoes.running,acme,Road shoe,79,true",
                "sku-3,hats,,Sun hat,12.5,false",
                "sku-4,hats,bolt,\"Cap, blue\",x,true",
                "sku-2,shoes.running,acme,Road shoe,69,true", ""));
        String topic = EmbeddedKafkaBroker.uniqueTopic("catalog");
        assertEquals(0, load(file.toString(), "--csv.item-column", "sku", "--csv.category-path-columns", "category",
                "--csv.category-columns", "brand", "--csv.text-columns", "title", "--csv.number-columns", "price",
                "--csv.available-column", "in_stock", "--kafka.bootstrap.servers", KAFKA.bootstrapServers(),
                "--topics.catalog", topic, "--create-topic", "--kafka.topic-partitions", "2"), err);
        assertTrue(out.startsWith("published 4 catalog records from " + file + " (csv) to topic " + topic), out);
        assertTrue(out.contains("1 of them retire their item"), out);
        assertTrue(out.contains("1 of them replace an earlier record"), out);
        assertTrue(err.contains("line 5: column 'price': 'x' is not a number"), err);

        List<CatalogRecord> back = readBack(topic, 4);
        assertEquals(4, back.size());
        Map<String, List<CatalogRecord>> byItem = new LinkedHashMap<>();
        back.forEach(r -> byItem.computeIfAbsent(r.itemId(), k -> new ArrayList<>()).add(r));
        assertEquals(List.of(new CatalogRecord("sku-1", true, Map.of("category", List.of("shoes", "shoes.running"),
                "brand", List.of("acme")), Map.of("title", "Trail shoe"), Map.of("price", 89.9), null)),
                byItem.get("sku-1"));
        // Both records of sku-2, in file order (one key, one partition): the later one is what compaction keeps.
        assertEquals(List.of(79.0, 69.0), byItem.get("sku-2").stream().map(r -> r.numbers().get("price")).toList());
        assertEquals(new CatalogRecord("sku-3", false, Map.of("category", List.of("hats")),
                Map.of("title", "Sun hat"), Map.of("price", 12.5), null), byItem.get("sku-3").get(0));
        assertEquals("compact", cleanupPolicy(topic));
        assertEquals(2, KAFKA.broker().admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().size());
        // What evaluate would read is the same:
        assertEquals(back.stream().sorted(Comparator.comparing(CatalogRecord::itemId)).toList(),
                CatalogSources.fromFile(CatalogMain.parse(file.toString(), "--csv.item-column", "sku",
                        "--csv.category-path-columns", "category", "--csv.category-columns", "brand",
                        "--csv.text-columns", "title", "--csv.number-columns", "price", "--csv.available-column",
                        "in_stock"), ProgressListener.NONE).stream()
                        .sorted(Comparator.comparing(CatalogRecord::itemId)).toList());
    }

    @Test
    void movieLensUItemArrivesComplete() {
        Path file = TestData.file("ml-100k/u.item");
        String topic = EmbeddedKafkaBroker.uniqueTopic("ml-items");
        assertEquals(0, load(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.catalog", topic,
                "--create-topic"), err);
        assertTrue(out.startsWith("published 1,682 catalog records"), out);
        List<CatalogRecord> back = readBack(topic, 1_682);
        assertEquals(1_682, back.size());
        assertEquals(CatalogSources.fromFile(file, ProgressListener.NONE).stream()
                .sorted(Comparator.comparing(CatalogRecord::itemId)).toList(),
                back.stream().sorted(Comparator.comparing(CatalogRecord::itemId)).toList());
    }

    @Test
    void missingTopicIsAnErrorAndAnUncompactedTopicAWarning() throws IOException {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, "{\"item_id\":\"a\"}\n");
        String absent = EmbeddedKafkaBroker.uniqueTopic("absent");
        assertEquals(1, load(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.catalog", absent));
        assertTrue(err.contains("topic '" + absent + "' does not exist") && err.contains("--create-topic"), err);

        String plain = EmbeddedKafkaBroker.uniqueTopic("plain");
        KAFKA.broker().createTopic(plain, 1);
        assertEquals(0, load(file.toString(), "--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--topics.catalog", plain), err);
        assertTrue(err.contains("topic '" + plain + "' has cleanup.policy=delete; a catalog topic should be compacted"),
                err);
        assertEquals(1, readBack(plain, 1).size());
    }
}
