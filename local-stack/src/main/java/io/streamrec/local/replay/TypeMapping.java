package io.streamrec.local.replay;

import io.streamrec.schema.EventType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Maps the event types of a log (OTTO {@code clicks}, REES46 {@code cart}, ...) to our {@link EventType}s, or to
 * {@code skip} to drop them on purpose. Source names match exactly first, then ignoring case. A source type that is
 * not mapped makes its line a bad line. Immutable.
 *
 * <p>Written as {@code view=view,cart=add_to_cart,remove_from_cart=skip}.
 */
public final class TypeMapping {
    /** The target name that drops a source type. */
    public static final String SKIP = "skip";

    /** Our own wire names, each mapped to itself: the default for generic CSV and our event JSON. */
    public static final TypeMapping IDENTITY = new TypeMapping(Arrays.stream(EventType.values())
            .collect(Collectors.toMap(EventType::wireName, t -> new Target(t), (a, b) -> a, LinkedHashMap::new)));

    /** Where a source type goes: an event type, or nowhere ({@link #skip()}). */
    public record Target(EventType type) {
        public boolean skip() {
            return type == null;
        }

        @Override
        public String toString() {
            return type == null ? SKIP : type.wireName();
        }
    }

    private final Map<String, Target> bySource;
    private final Map<String, Target> byLowerSource;

    private TypeMapping(Map<String, Target> bySource) {
        this.bySource = Collections.unmodifiableMap(new LinkedHashMap<>(bySource));
        this.byLowerSource = new LinkedHashMap<>();
        bySource.forEach((k, v) -> byLowerSource.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
    }

    /**
     * Parses {@code source=target,...}; targets are our wire names (view, click, add_to_cart, purchase, rating) or
     * {@code skip}.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static TypeMapping parse(String spec) {
        Map<String, Target> m = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new IllegalArgumentException("expected source=target entries such as cart=add_to_cart, got '"
                        + e + "'");
            }
            String source = e.substring(0, eq).strip();
            String target = e.substring(eq + 1).strip();
            if (target.equalsIgnoreCase(SKIP)) {
                m.put(source, new Target(null));
                continue;
            }
            EventType t = EventType.fromWireName(target);
            if (t == null) {
                throw new IllegalArgumentException("unknown target type '" + target + "' in '" + e
                        + "'; targets are " + EventType.KNOWN_NAMES + " or " + SKIP);
            }
            m.put(source, new Target(t));
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("no mapping entries in '" + spec + "'");
        }
        return new TypeMapping(m);
    }

    /** This mapping with the entries of {@code overrides} added or replacing ours. */
    public TypeMapping overriddenBy(TypeMapping overrides) {
        Map<String, Target> m = new LinkedHashMap<>(bySource);
        overrides.bySource.forEach((k, v) -> {
            m.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
            m.put(k, v);
        });
        return new TypeMapping(m);
    }

    /** Where {@code sourceType} goes; null when it is not mapped. */
    public Target lookup(String sourceType) {
        Target t = bySource.get(sourceType);
        return t != null ? t : byLowerSource.get(sourceType.toLowerCase(Locale.ROOT));
    }

    /** The mapped source names, for error messages: "clicks, carts, orders". */
    public String sources() {
        return String.join(", ", bySource.keySet());
    }

    @Override
    public String toString() {
        return bySource.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypeMapping && ((TypeMapping) o).bySource.equals(bySource);
    }

    @Override
    public int hashCode() {
        return bySource.hashCode();
    }
}
