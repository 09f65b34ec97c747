package io.streamrec.schema.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link CatalogRecord} as the catalog record JSON that {@link CatalogParser} reads (UTF-8, no BOM): what
 * the loaders publish as the value of a {@code catalog} topic record keyed by the item id. {@code available} is
 * written only when false (true is the default); a categorical attribute with one value is written as that value,
 * with several as a list; whole numbers below 10^15 without a fraction ({@code 1995}, not {@code 1995.0});
 * {@code updated_at} as epoch milliseconds. Parsing the output gives back an equal record.
 *
 * <p>It does not validate: a record built by hand may break the contract's limits, so publishers parse what they
 * wrote before sending it (as the loaders do).
 *
 * <p>Thread-safe.
 */
public final class CatalogJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private CatalogJson() {}

    public static byte[] toBytes(CatalogRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(CatalogParser.ITEM_ID, r.itemId());
            if (!r.available()) {
                g.writeBooleanField(CatalogParser.AVAILABLE, false);
            }
            if (!r.categories().isEmpty()) {
                g.writeObjectFieldStart(CatalogParser.CATEGORIES);
                for (Map.Entry<String, List<String>> c : r.categories().entrySet()) {
                    if (c.getValue().size() == 1) {
                        g.writeStringField(c.getKey(), c.getValue().get(0));
                    } else {
                        g.writeArrayFieldStart(c.getKey());
                        for (String v : c.getValue()) {
                            g.writeString(v);
                        }
                        g.writeEndArray();
                    }
                }
                g.writeEndObject();
            }
            if (!r.text().isEmpty()) {
                g.writeObjectFieldStart(CatalogParser.TEXT);
                for (Map.Entry<String, String> t : r.text().entrySet()) {
                    g.writeStringField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
            }
            if (!r.numbers().isEmpty()) {
                g.writeObjectFieldStart(CatalogParser.NUMBERS);
                for (Map.Entry<String, Double> n : r.numbers().entrySet()) {
                    g.writeFieldName(n.getKey());
                    writeNumber(g, n.getValue());
                }
                g.writeEndObject();
            }
            if (r.updatedAt() != null) {
                g.writeNumberField(CatalogParser.UPDATED_AT, r.updatedAt());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String toJson(CatalogRecord r) {
        return new String(toBytes(r), StandardCharsets.UTF_8);
    }

    private static void writeNumber(JsonGenerator g, double d) throws IOException {
        if (!Double.isFinite(d)) { // JSON has no NaN or infinity: the record could never be read back
            throw new IllegalArgumentException("a catalog number must be finite, got " + d);
        }
        boolean negativeZero = d == 0 && Double.doubleToRawLongBits(d) != 0;
        if (d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero) {
            g.writeNumber((long) d);
        } else {
            g.writeNumber(d); // shortest representation that reads back as the same double
        }
    }
}
