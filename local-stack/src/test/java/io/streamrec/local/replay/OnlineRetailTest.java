package io.streamrec.local.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.TestData;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Online Retail preset on the real slice in ../shared/data (see its SOURCE.md). */
class OnlineRetailTest {

    @Test
    void everyLineWithACustomerIsAPurchaseWithTheItemsDescriptionAndPrice() throws Exception {
        Path file = TestData.file("online-retail/OnlineRetail.csv");
        LogFormat.Detection d = LogFormat.detect(file);
        assertEquals(LogFormat.CSV, d.format());
        assertEquals(CsvLayout.ONLINE_RETAIL, d.csvLayout(), d.how());
        assertEquals(CsvLayout.ONLINE_RETAIL, ReplayMain.parse(file.toString(), "--preset", "onlineretail")
                .csvLayout());

        Reading r = Reading.of(file, LogFormat.CSV, Reading.options(LogFormat.CSV, d.csvLayout(), d.types()));
        assertEquals(28_000, r.events.size());
        assertEquals(2_000, r.bad.size(), "the lines without a customer");
        assertTrue(r.bad.stream().allMatch(b -> b.reason().contains("user")), r.bad.get(0).toString());
        assertTrue(r.plainEvents().stream().allMatch(e -> e.type == EventType.PURCHASE));
        // "569901,23256,CHILDRENS CUTLERY SPACEBOY ,2,2011-10-06 16:20:00,4.15,12923.0,United Kingdom"
        SourcedEvent first = r.events.get(0);
        assertEquals(new InteractionEvent("12923.0", "23256", EventType.PURCHASE,
                Instant.parse("2011-10-06T16:20:00Z").toEpochMilli()).withSessionId("569901")
                .withProperties(Map.of("Quantity", "2", "Country", "United Kingdom")), first.event());
        CatalogRecord item = first.item();
        assertEquals("23256", item.itemId());
        assertEquals("CHILDRENS CUTLERY SPACEBOY", item.text().get("description").strip());
        assertEquals(4.15, item.numbers().get("price"));
        Reading.assertAllParse(r.plainEvents(), LogFormat.CSV.defaultEarliestTimestamp());
    }
}
