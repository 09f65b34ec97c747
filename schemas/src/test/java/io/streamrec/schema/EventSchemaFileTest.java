package io.streamrec.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * README's event table names, per field, the JSON types the schema allows (null, which means absent, aside;
     * "integer" is implied by "number"), and marks as required exactly the schema's required fields.
     */
    @Test
    void readmeEventTableAgreesWithTheSchema() throws Exception {
        Path readme = Path.of("..", "README.md");
        List<String> lines = Files.readAllLines(readme);
        int start = lines.indexOf("## The event contract");
        assertTrue(start >= 0, "README has the section '## The event contract'");
        JsonNode properties = schema().get("properties");
        Set<String> required = new HashSet<>();
        schema().get("required").forEach(n -> required.add(n.asText()));
        Set<String> inTable = new HashSet<>();
        Pattern row = Pattern.compile("^\\| `([a-z_]+)` \\| ([^|]+) \\| ([^|]+) \\|");
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = row.matcher(line);
            if (!m.find()) {
                continue;
            }
            String field = m.group(1);
            JsonNode types = properties.get(field);
            assertNotNull(types, "README field '" + field + "' is in the schema");
            Set<String> schemaTypes = new TreeSet<>();
            JsonNode type = types.get("type");
            if (type.isTextual()) {
                schemaTypes.add(type.asText());
            } else {
                type.forEach(t -> schemaTypes.add(t.asText()));
            }
            schemaTypes.remove("null");
            if (schemaTypes.contains("number")) {
                schemaTypes.remove("integer");
            }
            Set<String> readmeTypes = new TreeSet<>();
            for (String word : m.group(2).split("[^a-z]+")) {
                if (List.of("string", "integer", "number", "object", "boolean", "array").contains(word)) {
                    readmeTypes.add(word);
                }
            }
            assertEquals(schemaTypes, readmeTypes, "types of '" + field + "': README says '" + m.group(2) + "'");
            assertEquals(required.contains(field), m.group(3).trim().equals("yes"),
                    "required-ness of '" + field + "': README says '" + m.group(3) + "'");
            inTable.add(field);
        }
        List<String> all = new ArrayList<>();
        properties.fieldNames().forEachRemaining(all::add);
        assertEquals(new HashSet<>(all), inTable, "README's event table lists every schema property");
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
