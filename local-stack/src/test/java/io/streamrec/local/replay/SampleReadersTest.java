package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The readers on the real samples in ../shared/data: counts, type mapping, timestamps, and parser acceptance. */
class SampleReadersTest {

    @Test
    void movieLensUDataGivesOneRatingEventPerLine() {
        Path file = TestData.movieLens100k();
        Reading r = Reading.of(file, LogFormat.MOVIELENS);
        List<InteractionEvent> events = r.plainEvents();

        assertEquals(List.of(), r.bad);
        assertEquals(100_000, events.size());
        assertEquals(943, events.stream().map(e -> e.userId).distinct().count());
        assertEquals(1_682, events.stream().map(e -> e.itemId).distinct().count());
        assertTrue(events.stream().allMatch(e -> e.type == EventType.RATING));
        Map<Double, Long> byRating = events.stream().collect(Collectors.groupingBy(e -> e.value, Collectors.counting()));
        // SOURCE.md: 1=6,110, 2=11,370, 3=27,145, 4=34,174, 5=21,201.
        assertEquals(Map.of(1.0, 6_110L, 2.0, 11_370L, 3.0, 27_145L, 4.0, 34_174L, 5.0, 21_201L), byRating);
        // Seconds in the file, milliseconds in the event; range from SOURCE.md.
        assertEquals(874_724_710_000L, events.stream().mapToLong(e -> e.timestamp).min().orElseThrow());
        assertEquals(893_286_638_000L, events.stream().mapToLong(e -> e.timestamp).max().orElseThrow());
        InteractionEvent first = events.get(0); // "196	242	3	881250949"
        assertEquals(new InteractionEvent("196", "242", EventType.RATING, 881_250_949_000L).withValue(3.0), first);
        assertEquals(1, r.events.get(0).line());
        Reading.assertAllParse(events, LogFormat.MOVIELENS.defaultEarliestTimestamp());
    }

    @Test
    void ottoSampleMapsClicksCartsOrdersAndUsesTheSessionAsUser() {
        Reading r = Reading.of(TestData.ottoSample(), LogFormat.OTTO);
        List<InteractionEvent> events = r.plainEvents();

        assertEquals(List.of(), r.bad);
        assertEquals(862, events.size());
        assertEquals(20, events.stream().map(e -> e.userId).distinct().count());
        assertTrue(events.stream().allMatch(e -> e.userId.equals(e.sessionId)));
        Map<EventType, Long> byType = new EnumMap<>(EventType.class);
        events.forEach(e -> byType.merge(e.type, 1L, Long::sum));
        assertEquals(Map.of(EventType.CLICK, 800L, EventType.ADD_TO_CART, 52L, EventType.PURCHASE, 10L), byType);
        assertEquals(510, events.stream().map(e -> e.itemId).distinct().count());
        assertEquals(new InteractionEvent("0", "1517085", EventType.CLICK, 1_659_304_800_025L).withSessionId("0"),
                events.get(0));
        assertEquals(1_661_723_997_885L, events.stream().mapToLong(e -> e.timestamp).max().orElseThrow());
        // One line per session: 20 lines.
        assertEquals(20, r.events.get(r.events.size() - 1).line());
        Reading.assertAllParse(events, LogFormat.OTTO.defaultEarliestTimestamp());
    }

    @Test
    void rees46SampleIsDetectedAndMapsViewCartPurchase() throws Exception {
        Path file = TestData.rees46Sample();
        LogFormat.Detection d = LogFormat.detect(file);
        assertNotNull(d, "the REES46 header should be recognised");
        assertEquals(LogFormat.CSV, d.format());

        Reading r = Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, d.csvLayout(), d.types()));
        List<InteractionEvent> events = r.plainEvents();

        assertEquals(List.of(), r.bad);
        assertEquals(1_000, events.size());
        Map<EventType, Long> byType = new EnumMap<>(EventType.class);
        events.forEach(e -> byType.merge(e.type, 1L, Long::sum));
        assertEquals(Map.of(EventType.VIEW, 987L, EventType.ADD_TO_CART, 3L, EventType.PURCHASE, 10L), byType);
        assertEquals(330, events.stream().map(e -> e.userId).distinct().count());
        assertEquals(534, events.stream().map(e -> e.itemId).distinct().count());
        assertEquals(372, events.stream().map(e -> e.sessionId).distinct().count());
        // "2019-10-01 00:00:00 UTC" .. "2019-10-01 00:17:26 UTC"
        assertEquals(Instant.parse("2019-10-01T00:00:00Z").toEpochMilli(), events.get(0).timestamp);
        assertEquals(Instant.parse("2019-10-01T00:17:26Z").toEpochMilli(),
                events.stream().mapToLong(e -> e.timestamp).max().orElseThrow());
        // Line 2: 2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-...
        InteractionEvent first = events.get(0);
        assertEquals("541312140", first.userId);
        assertEquals("44600062", first.itemId);
        assertEquals(35.79, first.value);
        assertEquals("72d76fde-8bb3-4e00-8c23-a032dfed738c", first.sessionId);
        assertEquals(Map.of("category_id", "2103807459595387724", "brand", "shiseido"), first.properties);
        assertEquals(2, r.events.get(0).line());
        Reading.assertAllParse(events, LogFormat.CSV.defaultEarliestTimestamp());
    }
}
