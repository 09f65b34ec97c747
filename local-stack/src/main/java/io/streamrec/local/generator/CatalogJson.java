package io.streamrec.local.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.schema.catalog.CatalogRecord;
import java.util.List;
import java.util.Map;

/**
 * A {@link CatalogRecord} as the JSON value of a {@code catalog} topic record ({@code catalog-record.schema.json}):
 * {@code item_id}, {@code available} (always written), then {@code categories} (one value as a string, several as
 * an array), {@code text}, {@code numbers} (each group only when it has attributes, attributes sorted by name) and
 * {@code updated_at} (epoch ms) when the record has it. UTF-8.
 *
 * <p>The generator's own writer until the schemas module's shared catalog writer is in; it writes only what the
 * schema allows and refuses non-finite numbers, which JSON cannot carry.
 */
final class CatalogJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CatalogJson() {}

    static byte[] toBytes(CatalogRecord r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("item_id", r.itemId());
        n.put("available", r.available());
        if (!r.categories().isEmpty()) {
            ObjectNode categories = n.putObject("categories");
            for (Map.Entry<String, List<String>> e : r.categories().entrySet()) {
                if (e.getValue().size() == 1) {
                    categories.put(e.getKey(), e.getValue().get(0));
                } else {
                    ArrayNode values = categories.putArray(e.getKey());
                    e.getValue().forEach(values::add);
                }
            }
        }
        if (!r.text().isEmpty()) {
            ObjectNode text = n.putObject("text");
            r.text().forEach(text::put);
        }
        if (!r.numbers().isEmpty()) {
            ObjectNode numbers = n.putObject("numbers");
            for (Map.Entry<String, Double> e : r.numbers().entrySet()) {
                if (!Double.isFinite(e.getValue())) {
                    throw new IllegalArgumentException("numbers." + e.getKey() + " of " + r.itemId()
                            + " is not a finite number: " + e.getValue());
                }
                numbers.put(e.getKey(), e.getValue());
            }
        }
        if (r.updatedAt() != null) {
            n.put("updated_at", r.updatedAt());
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the catalog record of " + r.itemId(), e);
        }
    }
}
