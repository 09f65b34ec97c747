package io.streamrec.local.cli;

import io.streamrec.config.ConfigException;
import io.streamrec.config.Option;
import io.streamrec.config.OptionSet;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * One {@code ./streamrec} command's command line: its options, each an {@link Option} (type, default, rules,
 * description, older names; the one grammar of {@code io.streamrec.config.ValueTypes}), grouped in titled
 * sections, and its positional arguments. Parsing is picocli's ({@code --name value}, {@code --name=value}, flags,
 * {@code --} ends the options, {@code --help}); values are checked by their definitions. Every usage error is a
 * {@link UsageException} whose message is {@code NAME: PROBLEM}; commands print it after their name and exit
 * with {@link #USAGE_ERROR}. Immutable.
 */
public final class CliCommand {
    /** The exit code of a command line that cannot be run as given (BSD's EX_USAGE). */
    public static final int USAGE_ERROR = 64;

    private static final int DESCRIPTION_COLUMN = 34;
    private static final int WIDTH = 112;

    private final String name;
    private final String synopsis;
    private final String description;
    private final List<Object> layout;
    private final Map<String, Option<?>> options = new LinkedHashMap<>();
    private final Map<String, Option<?>> byOldName = new LinkedHashMap<>();
    private final Map<String, String> refused;
    private final List<String> epilogue;
    private final String positionals;
    private final boolean passThrough;

    private CliCommand(Builder b) {
        this.name = b.name;
        this.synopsis = b.synopsis;
        this.description = b.description;
        this.layout = List.copyOf(b.layout);
        for (Object o : layout) {
            if (o instanceof Option<?> option) {
                if (options.put(option.name(), option) != null) {
                    throw new IllegalStateException(name + ": option " + option.name() + " declared twice");
                }
                option.deprecatedNames().forEach(d -> byOldName.put(d.name(), option));
            }
        }
        this.refused = Map.copyOf(b.refused);
        this.epilogue = List.copyOf(b.epilogue);
        this.positionals = b.positionals;
        this.passThrough = b.passThrough;
    }

    /**
     * Starts a command's definition.
     *
     * @param name how messages name it: {@code replay}, {@code catalog load}, {@code cluster submit}
     * @param synopsis the usage line, e.g. {@code streamrec replay [options] FILE}
     */
    public static Builder builder(String name, String synopsis) {
        return new Builder(name, synopsis);
    }

    public String name() {
        return name;
    }

    /** The one-line description, for the list of commands. */
    public String description() {
        return description;
    }

    /** The options, in the order of the help text. */
    public List<Option<?>> options() {
        return List.copyOf(options.values());
    }

    /** A fresh picocli model of this command (picocli binds a model to one parser). */
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(name);
        spec.usageMessage().width(WIDTH).synopsisHeading("Usage: ").customSynopsis(synopsis + "%n")
                .description(description.replace("%", "%%"))
                .footer(epilogue.stream().map(e -> "%n" + e.replace("%", "%%")).toArray(String[]::new));
        for (Option<?> o : options.values()) {
            spec.addOption(optionSpec(o.name(), o, false));
            for (Option.Deprecated d : o.deprecatedNames()) {
                spec.addOption(optionSpec(d.name(), o, true));
            }
        }
        refused.keySet().forEach(r -> spec.addOption(OptionSpec.builder(r).hidden(true).arity("0..1")
                .type(String.class).build()));
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("print this help").build());
        if (positionals != null) {
            spec.addPositional(PositionalParamSpec.builder().paramLabel(positionals).arity("0..*").hidden(true)
                    .type(String.class).build());
        }
        spec.usageMessage().sectionKeys(List.of(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING,
                CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER));
        spec.usageMessage().sectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                help -> optionList());
        return spec;
    }

    private static OptionSpec optionSpec(String flagName, Option<?> o, boolean hidden) {
        OptionSpec.Builder b = OptionSpec.builder(flagName).hidden(hidden).paramLabel(o.label());
        return o.isFlag() ? b.arity("0").type(boolean.class).build() : b.arity("1").type(String.class).build();
    }

    /** The help text: usage line, description, the options by section with their defaults, the epilogue. */
    public String usage() {
        return new CommandLine(spec()).getUsageMessage();
    }

    /**
     * Parses a command line.
     *
     * @throws UsageException for an unknown option, a missing value, a value its definition refuses, or an option
     *     given together with its deprecated name
     */
    public ParsedArgs parse(String... args) throws UsageException {
        CommandSpec spec = spec();
        List<String> passedOn = new ArrayList<>();
        if (passThrough) {
            spec.addUnmatchedArgsBinding(CommandLine.Model.UnmatchedArgsBinding.forStringArrayConsumer(
                    new CommandLine.Model.ISetter() {
                        @Override
                        public <T> T set(T value) {
                            passedOn.clear(); // picocli passes every unmatched argument so far, in order
                            if (value != null) {
                                passedOn.addAll(List.of((String[]) value));
                            }
                            return null;
                        }
                    }));
        }
        CommandLine cl = new CommandLine(spec);
        cl.setOverwrittenOptionsAllowed(true); // a repeated option keeps its last value
        cl.setExpandAtFiles(false); // @file is a file name, not picocli's argument file
        cl.setUnmatchedArgumentsAllowed(passThrough);
        ParseResult pr;
        try {
            pr = cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new UsageException(describe(e));
        }
        if (pr.isUsageHelpRequested()) {
            return new ParsedArgs(Map.of(), List.of(), List.of(), true);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> viaOldName = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (OptionSpec matched : pr.matchedOptions()) {
            String given = matched.longestName();
            if (refused.containsKey(given)) {
                throw new UsageException(given + ": " + refused.get(given));
            }
            if (matched.usageHelp()) {
                continue;
            }
            Option<?> o = options.get(given);
            String raw = o != null && o.isFlag() ? "true" : pr.matchedOptionValue(given, (String) null);
            if (o == null) {
                o = byOldName.get(given);
                String current = o.name();
                Option.Deprecated d = o.deprecatedNames().stream().filter(x -> x.name().equals(given)).findFirst()
                        .orElseThrow();
                raw = o.isFlag() ? "true" : d.translate(pr.matchedOptionValue(given, (String) null));
                viaOldName.put(current, given);
                warnings.add(OptionSet.deprecationWarning(given, current));
            }
            if (values.containsKey(o.name()) && viaOldName.containsKey(o.name())) {
                throw new UsageException(o.name() + ": given twice, also as its deprecated name "
                        + viaOldName.get(o.name()) + "; keep " + o.name());
            }
            try {
                o.read(raw);
            } catch (ConfigException e) {
                throw new UsageException(e.getMessage());
            }
            values.put(o.name(), raw);
        }
        List<String> positional = new ArrayList<>();
        pr.matchedPositionals().forEach(p -> positional.addAll(p.stringValues()));
        positional.addAll(passedOn);
        return new ParsedArgs(values, positional, warnings, false);
    }

    private String describe(ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                String bare = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                String closest = OptionSet.closest(bare, options.keySet());
                return bare + ": unknown option" + (closest != null ? " (did you mean " + closest + "?)" : "");
            }
            return "unexpected argument '" + arg + "'";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec a = m.getMissing().get(0);
            if (a instanceof OptionSpec o) {
                return o.longestName() + ": needs a value (" + o.paramLabel() + ")";
            }
        }
        ArgSpec a = e.getArgSpec();
        if (a instanceof OptionSpec o && e.getMessage() != null && e.getMessage().contains("should be specified "
                + "without")) {
            return o.longestName() + ": takes no value";
        }
        return e.getMessage();
    }

    private String optionList() {
        StringBuilder sb = new StringBuilder();
        for (Object entry : layout) {
            if (entry instanceof String title) {
                sb.append('\n').append(title).append('\n');
                continue;
            }
            Option<?> o = (Option<?>) entry;
            String head = "  " + o.name() + (o.isFlag() ? "" : " " + o.label());
            String text = o.description() + (o.isFlag() || o.defaultText().isEmpty() ? ""
                    : " (default " + o.defaultText() + ")");
            List<String> lines = wrap(text, WIDTH - DESCRIPTION_COLUMN);
            if (head.length() >= DESCRIPTION_COLUMN - 1) {
                sb.append(head).append('\n');
                head = "";
            }
            for (String line : lines) {
                sb.append(head).append(" ".repeat(DESCRIPTION_COLUMN - head.length())).append(line).append('\n');
                head = "";
            }
        }
        sb.append('\n').append(String.format("  %-" + (DESCRIPTION_COLUMN - 2) + "s%s%n", "-h, --help",
                "print this help"));
        return sb.toString();
    }

    /** Words into lines of at most {@code width}; an explicit newline starts a new line. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) {
                    line.append(' ');
                }
                line.append(word);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * Prints a usage error as every command does: {@code NAME: MESSAGE}, then where the options are listed.
     *
     * @return {@link #USAGE_ERROR}
     */
    public int usageError(PrintStream err, UsageException e) {
        err.println(name + ": " + e.getMessage());
        err.println(name + ": --help lists the options");
        return USAGE_ERROR;
    }

    /** Prints the warnings of deprecated option names as {@code NAME: warning: ...}. */
    public void warn(PrintStream err, List<String> warnings) {
        warnings.forEach(w -> err.println(name + ": warning: " + w));
    }

    /** Builds a {@link CliCommand}. */
    public static final class Builder {
        private final String name;
        private final String synopsis;
        private String description = "";
        private final List<Object> layout = new ArrayList<>();
        private final Map<String, String> refused = new LinkedHashMap<>();
        private final List<String> epilogue = new ArrayList<>();
        private String positionals;
        private boolean passThrough;

        private Builder(String name, String synopsis) {
            this.name = name;
            this.synopsis = synopsis;
        }

        /** One line saying what the command does. */
        public Builder description(String text) {
            this.description = text;
            return this;
        }

        /** Starts a titled group of options in the help text. */
        public Builder section(String title) {
            layout.add(title);
            return this;
        }

        public Builder options(Option<?>... options) {
            layout.addAll(List.of(options));
            return this;
        }

        public Builder options(List<? extends Option<?>> options) {
            layout.addAll(options);
            return this;
        }

        /** An option this command refuses with a reason (e.g. another command's option that does not apply). */
        public Builder refuse(String option, String why) {
            refused.put(option, why);
            return this;
        }

        /** Positional arguments (any number; the command checks how many), shown as {@code label}. */
        public Builder positionals(String label) {
            this.positionals = label;
            return this;
        }

        /**
         * Options this command does not know are passed on, in order, with the positional arguments (e.g. the
         * trainer's or the serving node's {@code --key value} flags, which their own definitions check).
         */
        public Builder passThrough() {
            this.passThrough = true;
            return this;
        }

        /** Free text after the options: exit codes, examples. */
        public Builder epilogue(String text) {
            epilogue.add(text);
            return this;
        }

        public CliCommand build() {
            return new CliCommand(this);
        }
    }
}
