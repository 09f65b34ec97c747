package io.streamrec.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One typed setting: its name, the {@link ValueType} of its values (one grammar per kind, {@link ValueTypes}), a
 * default, a description, the rules a value must follow, and older names still accepted. The same definition serves
 * a configuration key ({@code checkpoint.interval}) or a command-line option ({@code --backfill}); errors name it as
 * {@code NAME: PROBLEM} ({@link ConfigException}). Immutable.
 *
 * @param <T> the Java type of the values
 */
public final class Option<T> {

    /** A name that is no longer documented but still read, with how its values translate. */
    public static final class Deprecated {
        private final String name;
        private final UnaryOperator<String> translate;

        Deprecated(String name, UnaryOperator<String> translate) {
            this.name = name;
            this.translate = translate;
        }

        public String name() {
            return name;
        }

        /** An old value in the grammar of the current name. */
        public String translate(String oldValue) {
            return translate.apply(oldValue);
        }
    }

    private final String name;
    private final ValueType<T> type;
    private final T defaultValue;
    private final String defaultText;
    private final String description;
    private final String label;
    private final boolean flag;
    private final List<Function<T, String>> rules;
    private final List<String> ruleTexts;
    private final List<Deprecated> deprecated;

    private Option(Builder<T> b) {
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.defaultText = b.defaultText != null ? b.defaultText
                : b.defaultValue == null ? "" : b.type.format(b.defaultValue);
        this.description = b.description;
        this.label = b.label != null ? b.label : b.type.label();
        this.flag = b.flag;
        this.rules = List.copyOf(b.rules);
        this.ruleTexts = List.copyOf(b.ruleTexts);
        this.deprecated = List.copyOf(b.deprecated);
    }

    /** Starts the definition of a setting named {@code name} ({@code snapshot.interval}, {@code --limit}). */
    public static <T> Builder<T> named(String name, ValueType<T> type) {
        return new Builder<>(name, type);
    }

    /** A command-line flag without a value ({@code --dry-run}): false unless given. */
    public static Builder<Boolean> flag(String name) {
        Builder<Boolean> b = new Builder<>(name, ValueTypes.BOOLEAN);
        b.flag = true;
        b.defaultValue = false;
        b.defaultText = "";
        return b;
    }

    public String name() {
        return name;
    }

    /** The same as {@link #name()}; reads well for configuration keys. */
    public String key() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The default value, or null when the setting has none (it is then optional: absent means "not set"). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as it is written (in the value grammar), or "" for none. */
    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    /** The value's placeholder in usage texts ({@code DUR}, {@code N}). */
    public String label() {
        return label;
    }

    /** Whether this is a command-line flag that takes no value. */
    public boolean isFlag() {
        return flag;
    }

    /** Older names still read, each with a warning. */
    public List<Deprecated> deprecatedNames() {
        return deprecated;
    }

    /** The rules a value must follow, as text ({@code must be at least 1}), for help texts. */
    public List<String> rules() {
        return ruleTexts;
    }

    /**
     * Parses a value in the grammar of its type, without checking the rules.
     *
     * @throws ConfigException naming this setting
     */
    public T parse(String raw) {
        Objects.requireNonNull(raw, name);
        try {
            return type.parse(raw);
        } catch (ConfigException e) {
            throw e.renamed(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, e.getMessage());
        }
    }

    /**
     * Checks a value against the rules.
     *
     * @return the value
     * @throws ConfigException naming this setting, the rule and the value
     */
    public T check(T value) {
        for (Function<T, String> rule : rules) {
            String problem = rule.apply(value);
            if (problem != null) {
                throw new ConfigException(name, problem);
            }
        }
        return value;
    }

    /** {@link #parse} then {@link #check}. */
    public T read(String raw) {
        return check(parse(raw));
    }

    /**
     * A builder starting from this definition (name, type, default, rules, description, deprecated names), for a
     * variant: the same setting described for another command, or with another old name.
     */
    public Builder<T> toBuilder() {
        Builder<T> b = new Builder<>(name, type);
        b.defaultValue = defaultValue;
        b.defaultText = defaultText;
        b.description = description;
        b.label = label;
        b.flag = flag;
        b.rules.addAll(rules);
        b.ruleTexts.addAll(ruleTexts);
        b.deprecated.addAll(deprecated);
        return b;
    }

    /** The value as written, e.g. for a derived configuration. */
    public String format(T value) {
        return type.format(value);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Builds an {@link Option}. */
    public static final class Builder<T> {
        private final String name;
        private final ValueType<T> type;
        private T defaultValue;
        private String defaultText;
        private String description = "";
        private String label;
        private boolean flag;
        private final List<Function<T, String>> rules = new ArrayList<>();
        private final List<String> ruleTexts = new ArrayList<>();
        private final List<Deprecated> deprecated = new ArrayList<>();

        private Builder(String name, ValueType<T> type) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            this.defaultText = null;
            return this;
        }

        /** How the default is shown when it is not a fixed value (e.g. {@code file://$TMPDIR/...}). */
        public Builder<T> defaultText(String text) {
            this.defaultText = text;
            return this;
        }

        public Builder<T> description(String text) {
            this.description = text;
            return this;
        }

        /** The placeholder of the value in usage texts; default the type's ({@code DUR}, {@code N}, ...). */
        public Builder<T> label(String label) {
            this.label = label;
            return this;
        }

        /** A rule every value must follow; {@code text} says it ({@code must be at least 1}). */
        public Builder<T> check(Predicate<T> rule, String text) {
            rules.add(v -> rule.test(v) ? null : text + ", got " + type.format(v));
            ruleTexts.add(text);
            return this;
        }

        /**
         * A rule checked by code that throws {@link IllegalArgumentException} with the problem as its message
         * (e.g. a small grammar of its own, such as a list of attributes with weights).
         */
        public Builder<T> validate(Consumer<T> validator) {
            rules.add(v -> {
                try {
                    validator.accept(v);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            });
            return this;
        }

        /** An older name, read with a warning; its values are in the same grammar. */
        public Builder<T> deprecatedName(String oldName) {
            return deprecatedName(oldName, v -> v);
        }

        /** An older name whose values are translated into this option's grammar, e.g. milliseconds into a duration. */
        public Builder<T> deprecatedName(String oldName, UnaryOperator<String> translate) {
            deprecated.add(new Deprecated(oldName, translate));
            return this;
        }

        public Option<T> build() {
            if (defaultValue != null) {
                for (Function<T, String> rule : rules) {
                    String problem = rule.apply(defaultValue);
                    if (problem != null) {
                        throw new IllegalStateException(name + ": the default breaks a rule: " + problem);
                    }
                }
            }
            return new Option<>(this);
        }
    }

    // ---------------------------------------------------------------- common rules

    /** Rule: an integer (or long, or number) in {@code [min, max]}. */
    public static <N extends Number & Comparable<N>> Predicate<N> between(N min, N max) {
        return v -> v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    /** Rule: a non-blank text. */
    public static Predicate<String> nonBlank() {
        return v -> v != null && !v.isBlank();
    }

    /** Rule: one of the given values. */
    public static <T> Predicate<T> oneOf(Collection<T> values) {
        return values::contains;
    }
}
