package io.streamrec.schema.catalog;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the shop knows about one item: one validated record of the {@code catalog} topic (see
 * {@code catalog-record.schema.json}), produced by {@link CatalogParser}. A newer record for an item replaces the
 * older one as a whole. Immutable; the maps are sorted by attribute name, so two equal records list their attributes
 * in the same order.
 *
 * <p>{@link #retired(String)} is what a tombstone (a null record value) or {@code "available": false} means: the item
 * may no longer be recommended.
 */
public final class CatalogRecord {
    private final String itemId;
    private final boolean available;
    private final SortedMap<String, List<String>> categories;
    private final SortedMap<String, String> text;
    private final SortedMap<String, Double> numbers;
    /** Epoch ms, or null when the record does not say. */
    private final Long updatedAt;

    public CatalogRecord(String itemId, boolean available, Map<String, List<String>> categories,
                         Map<String, String> text, Map<String, Double> numbers, Long updatedAt) {
        this.itemId = Objects.requireNonNull(itemId, "itemId");
        this.available = available;
        this.categories = Collections.unmodifiableSortedMap(new TreeMap<>(copyLists(categories)));
        this.text = Collections.unmodifiableSortedMap(new TreeMap<>(text == null ? Map.of() : text));
        this.numbers = Collections.unmodifiableSortedMap(new TreeMap<>(numbers == null ? Map.of() : numbers));
        this.updatedAt = updatedAt;
    }

    /** An available item with only categorical attributes (tests, loaders). */
    public static CatalogRecord of(String itemId, Map<String, List<String>> categories) {
        return new CatalogRecord(itemId, true, categories, Map.of(), Map.of(), null);
    }

    /** The item is retired: what a tombstone or {@code "available": false} says. */
    public static CatalogRecord retired(String itemId) {
        return new CatalogRecord(itemId, false, Map.of(), Map.of(), Map.of(), null);
    }

    private static Map<String, List<String>> copyLists(Map<String, List<String>> m) {
        TreeMap<String, List<String>> out = new TreeMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        }
        return out;
    }

    public String itemId() {
        return itemId;
    }

    public boolean available() {
        return available;
    }

    /** Attribute name to its values (one or more), sorted by name. */
    public SortedMap<String, List<String>> categories() {
        return categories;
    }

    public SortedMap<String, String> text() {
        return text;
    }

    public SortedMap<String, Double> numbers() {
        return numbers;
    }

    /** Epoch ms, or null. */
    public Long updatedAt() {
        return updatedAt;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CatalogRecord)) {
            return false;
        }
        CatalogRecord r = (CatalogRecord) o;
        return available == r.available && itemId.equals(r.itemId) && categories.equals(r.categories)
                && text.equals(r.text) && numbers.equals(r.numbers) && Objects.equals(updatedAt, r.updatedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(itemId, available, categories, text, numbers, updatedAt);
    }

    @Override
    public String toString() {
        return "CatalogRecord{" + itemId + (available ? "" : " retired") + ", categories=" + categories
                + ", text=" + text + ", numbers=" + numbers + '}';
    }
}
