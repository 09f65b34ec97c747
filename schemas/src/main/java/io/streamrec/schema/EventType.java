package io.streamrec.schema;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The kinds of interaction an application reports. The wire name (lower case) is what appears in the event JSON's
 * {@code type} field; the trainer maps each type to a training weight from its configuration.
 */
public enum EventType {
    VIEW("view"),
    CLICK("click"),
    ADD_TO_CART("add_to_cart"),
    PURCHASE("purchase"),
    RATING("rating");

    private static final Map<String, EventType> BY_WIRE_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.wireName, Function.identity()));

    /** The known wire names in declaration order, for error messages: "view, click, ...". */
    public static final String KNOWN_NAMES =
            Arrays.stream(values()).map(EventType::wireName).collect(Collectors.joining(", "));

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * Looks a type up by its wire name, ignoring case ("Purchase" is a purchase); null when unknown.
     */
    public static EventType fromWireName(String name) {
        EventType exact = BY_WIRE_NAME.get(name);
        return exact != null ? exact : BY_WIRE_NAME.get(name.toLowerCase(Locale.ROOT));
    }
}
