package io.streamrec.schema.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TEMPORARY stand-in (replaced by the strict parser on the catalog branch). */
public final class CatalogParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Either a record or a rejection. */
    public static final class Result {
        public final CatalogRecord record;
        public final Rejection rejection;

        Result(CatalogRecord record, Rejection rejection) {
            this.record = record;
            this.rejection = rejection;
        }

        public boolean isValid() {
            return record != null;
        }
    }

    public Result parse(byte[] key, byte[] value) {
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            return k == null ? new Result(null, new Rejection(Rejection.Code.EMPTY_PAYLOAD, null, "tombstone without key"))
                    : new Result(CatalogRecord.retired(k), null);
        }
        try {
            JsonNode n = MAPPER.readTree(value);
            String id = n.get("item_id").asText();
            boolean available = !n.has("available") || n.get("available").asBoolean();
            Map<String, List<String>> cats = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("categories").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<String> v = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(x -> v.add(x.asText()));
                } else {
                    v.add(e.getValue().asText());
                }
                cats.put(e.getKey(), v);
            }
            Map<String, String> text = new LinkedHashMap<>();
            n.path("text").fields().forEachRemaining(e -> text.put(e.getKey(), e.getValue().asText()));
            Map<String, Double> nums = new LinkedHashMap<>();
            n.path("numbers").fields().forEachRemaining(e -> nums.put(e.getKey(), e.getValue().asDouble()));
            return new Result(new CatalogRecord(id, available, cats, text, nums, null), null);
        } catch (Exception e) {
            return new Result(null, new Rejection(Rejection.Code.NOT_JSON, null, "bad catalog record: " + e));
        }
    }
}
