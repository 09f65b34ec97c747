package io.streamrec.local.cli;

import io.streamrec.config.Option;
import java.util.List;
import java.util.Map;

/**
 * A command line parsed by a {@link CliCommand}: every given option under its current name (each value already
 * parsed and checked), the positional arguments, and the warnings of deprecated names. Immutable.
 */
public final class ParsedArgs {
    private final Map<String, String> values;
    private final List<String> positionals;
    private final List<String> warnings;
    private final boolean help;

    ParsedArgs(Map<String, String> values, List<String> positionals, List<String> warnings, boolean help) {
        this.values = Map.copyOf(values);
        this.positionals = List.copyOf(positionals);
        this.warnings = List.copyOf(warnings);
        this.help = help;
    }

    /** The option's value: the given one, or its default (null for an option without a default not given). */
    public <T> T get(Option<T> option) {
        String raw = values.get(option.name());
        return raw == null ? option.defaultValue() : option.read(raw);
    }

    /** Whether the option was given. */
    public boolean has(Option<?> option) {
        return values.containsKey(option.name());
    }

    /** Whether a flag was given. */
    public boolean flag(Option<Boolean> flag) {
        return Boolean.TRUE.equals(get(flag));
    }

    public List<String> positionals() {
        return positionals;
    }

    /** One line per deprecated option name used. */
    public List<String> warnings() {
        return warnings;
    }

    /** Whether {@code --help} was given (nothing else is then parsed). */
    public boolean helpRequested() {
        return help;
    }
}
