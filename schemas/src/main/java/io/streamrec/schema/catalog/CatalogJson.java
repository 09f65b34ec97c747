package io.streamrec.schema.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** TEMPORARY stand-in (replaced by the writer on the catalog branch): a CatalogRecord as schema JSON. */
public final class CatalogJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CatalogJson() {}

    public static byte[] toBytes(CatalogRecord r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("item_id", r.itemId());
        if (!r.available()) {
            n.put("available", false);
        }
        if (!r.categories().isEmpty()) {
            ObjectNode c = n.putObject("categories");
            for (Map.Entry<String, List<String>> e : r.categories().entrySet()) {
                ArrayNode a = c.putArray(e.getKey());
                e.getValue().forEach(a::add);
            }
        }
        if (!r.text().isEmpty()) {
            ObjectNode t = n.putObject("text");
            r.text().forEach(t::put);
        }
        if (!r.numbers().isEmpty()) {
            ObjectNode t = n.putObject("numbers");
            r.numbers().forEach(t::put);
        }
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
