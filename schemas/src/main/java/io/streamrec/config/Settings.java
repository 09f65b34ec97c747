package io.streamrec.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values read by an {@link OptionSet}: the given ones under their current names, every other setting at its
 * default, and the warnings reading them gave (deprecated names). Immutable.
 */
public final class Settings {
    private final Map<String, String> values;
    private final List<String> warnings;

    Settings(Map<String, String> values, List<String> warnings) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.warnings = List.copyOf(warnings);
    }

    /**
     * The value of an option: the given one, parsed and checked, or the default (null for an option without a
     * default that was not given).
     *
     * @throws ConfigException naming the option when the given value is bad
     */
    public <T> T get(Option<T> option) {
        String raw = values.get(option.name());
        return raw == null ? option.defaultValue() : option.read(raw);
    }

    /** Whether the option was given. */
    public boolean isSet(Option<?> option) {
        return values.containsKey(option.name());
    }

    /** The given values under their current names, as text. */
    public Map<String, String> given() {
        return values;
    }

    /** One line per deprecated name used. */
    public List<String> warnings() {
        return warnings;
    }
}
