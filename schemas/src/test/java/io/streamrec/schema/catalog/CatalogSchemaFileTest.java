package io.streamrec.schema.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.ParserOptions;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the published catalog JSON Schema and the parser in step: fields, limits, examples. */
class CatalogSchemaFileTest {

    private static JsonNode schema() throws Exception {
        try (InputStream in = CatalogSchemaFileTest.class.getResourceAsStream("/catalog-record.schema.json")) {
            assertNotNull(in, "catalog-record.schema.json must be on the classpath");
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void everyExampleParsesAndRoundTripsThroughTheWriter() throws Exception {
        CatalogParser parser = new CatalogParser();
        ObjectMapper mapper = new ObjectMapper();
        int n = 0;
        for (JsonNode example : schema().get("examples")) {
            CatalogParseResult r = parser.parse(mapper.writeValueAsBytes(example));
            assertTrue(r.isValid(), () -> example + " -> " + r);
            assertEquals(r.record(), parser.parse(CatalogJson.toBytes(r.record())).record());
            n++;
        }
        assertTrue(n >= 3);
    }

    @Test
    void fieldsAndRequiredMatchTheParser() throws Exception {
        JsonNode s = schema();
        List<String> required = new ArrayList<>();
        s.get("required").forEach(n -> required.add(n.asText()));
        assertEquals(List.of(CatalogParser.ITEM_ID), required);
        List<String> properties = new ArrayList<>();
        s.get("properties").fieldNames().forEachRemaining(properties::add);
        assertEquals(List.of(CatalogParser.ITEM_ID, CatalogParser.AVAILABLE, CatalogParser.CATEGORIES,
                CatalogParser.TEXT, CatalogParser.NUMBERS, CatalogParser.UPDATED_AT), properties);
    }

    @Test
    void limitsInTheSchemaAreTheParsersConstants() throws Exception {
        JsonNode s = schema();
        for (String group : List.of(CatalogParser.CATEGORIES, CatalogParser.TEXT, CatalogParser.NUMBERS)) {
            JsonNode g = s.at("/properties/" + group);
            assertEquals(CatalogParser.MAX_ATTRIBUTES, g.get("maxProperties").asInt(), group);
            assertEquals("^" + CatalogParser.ATTRIBUTE_NAME.pattern() + "$",
                    g.at("/propertyNames/pattern").asText(), group);
        }
        JsonNode list = s.at("/properties/categories/additionalProperties/oneOf/1");
        assertEquals(CatalogParser.MAX_VALUES, list.get("maxItems").asInt());
        assertEquals(1, list.get("minItems").asInt());
        assertEquals(CatalogParser.MAX_TEXT_CHARS, s.at("/properties/text/additionalProperties/maxLength").asInt());
        assertEquals("boolean", s.at("/properties/available/type").asText());

        // The limits only the description can state.
        String d = s.get("description").asText();
        assertEquals(ParserOptions.DEFAULT_MAX_PAYLOAD_BYTES, number(d, "payload is at most (\\d+) bytes"));
        assertEquals(ParserOptions.DEFAULT_MAX_ID_BYTES, number(d, "item_id is at most (\\d+) UTF-8 bytes"));
        assertEquals(CatalogParser.MAX_NAME_CHARS, number(d, "attribute names are 1-(\\d+) characters"));
        assertEquals(CatalogParser.MAX_VALUE_BYTES, number(d, "a categorical value is 1-(\\d+) UTF-8 bytes"));
        assertEquals(CatalogParser.MAX_ATTRIBUTES, number(d, "at most (\\d+) attributes per group"));
        assertEquals(CatalogParser.MAX_VALUES, number(d, "(\\d+) values per categorical attribute"));
        assertEquals(CatalogParser.MAX_TEXT_CHARS, number(d, "text is at most (\\d+) characters"));
    }

    private static int number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "the schema description should say '" + regex + "': " + text);
        return Integer.parseInt(m.group(1));
    }
}
