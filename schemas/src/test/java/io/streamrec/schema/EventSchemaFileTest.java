package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps the published JSON Schema and the parser in step. */
class EventSchemaFileTest {

    private static JsonNode schema() throws Exception {
        try (InputStream in = EventSchemaFileTest.class.getResourceAsStream("/interaction-event.schema.json")) {
            assertNotNull(in, "interaction-event.schema.json must be on the classpath");
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void typeEnumMatchesEventType() throws Exception {
        List<String> inSchema = new ArrayList<>();
        schema().at("/properties/type/enum").forEach(n -> inSchema.add(n.asText()));
        assertEquals(Arrays.stream(EventType.values()).map(EventType::wireName).collect(Collectors.toList()), inSchema);
    }

    @Test
    void requiredFieldsMatchTheParser() throws Exception {
        List<String> required = new ArrayList<>();
        schema().get("required").forEach(n -> required.add(n.asText()));
        assertEquals(List.of(EventParser.USER_ID, EventParser.ITEM_ID, EventParser.TYPE, EventParser.TIMESTAMP),
                required);
    }

    @Test
    void everyExampleParses() throws Exception {
        EventParser parser = new EventParser(ParserOptions.defaults());
        ObjectMapper mapper = new ObjectMapper();
        int n = 0;
        for (JsonNode example : schema().get("examples")) {
            ParseResult r = parser.parse(mapper.writeValueAsBytes(example));
            assertTrue(r.isValid(), () -> example + " -> " + r);
            n++;
        }
        assertTrue(n >= 3);
    }
}
