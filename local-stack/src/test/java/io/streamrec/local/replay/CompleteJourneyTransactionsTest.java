package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Complete Journey transactions preset on the real sample in ../shared/data (see its SOURCE.md). */
class CompleteJourneyTransactionsTest {

    @Test
    void everyLineIsAPurchaseOfTheProductByTheHouseholdAtItsTime() throws Exception {
        Path file = TestData.file("completejourney/transactions_sample.csv");
        LogFormat.Detection d = LogFormat.detect(file);
        assertEquals(LogFormat.CSV, d.format());
        assertEquals(CsvLayout.COMPLETE_JOURNEY, d.csvLayout(), d.how());

        Reading r = Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, d.csvLayout(), d.types()));
        assertEquals(List.of(), r.bad);
        List<InteractionEvent> events = r.plainEvents();
        assertEquals(75_000, events.size());
        assertEquals(2_377, events.stream().map(e -> e.userId).distinct().count());
        assertEquals(20_902, events.stream().map(e -> e.itemId).distinct().count());
        assertTrue(events.stream().allMatch(e -> e.type == EventType.PURCHASE));
        assertEquals(Instant.parse("2017-01-01T12:30:27Z").toEpochMilli(),
                events.stream().mapToLong(e -> e.timestamp).min().orElseThrow());
        assertEquals(Instant.parse("2018-01-01T03:47:38Z").toEpochMilli(),
                events.stream().mapToLong(e -> e.timestamp).max().orElseThrow());
        // "2261,309,31625220889,940996,1,3.86,0.43,0,0,5,2017-01-28T19:06:53Z,1485630413"
        assertEquals(new InteractionEvent("2261", "940996", EventType.PURCHASE,
                Instant.parse("2017-01-28T19:06:53Z").toEpochMilli()).withValue(3.86).withSessionId("31625220889")
                .withProperties(Map.of("store_id", "309", "quantity", "1")), events.get(0));

        // The epoch column used and the ISO column agree on every line.
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            assertEquals(Instant.parse(f[10]).toEpochMilli(), events.get(i - 1).timestamp, lines.get(i));
        }
        Reading.assertAllParse(events, LogFormat.CSV.defaultEarliestTimestamp());
    }
}
