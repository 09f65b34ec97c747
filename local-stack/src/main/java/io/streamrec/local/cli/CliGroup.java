package io.streamrec.local.cli;

import io.streamrec.config.OptionSet;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command made of subcommands ({@code streamrec}, {@code streamrec catalog}, {@code streamrec cluster}): the first
 * argument names the subcommand, which parses the rest itself. Without arguments it prints its usage and exits
 * with 64; {@code --help} (or {@code help}) prints it and exits with 0; an unknown subcommand is a usage error naming
 * it, with the closest known one.
 */
public final class CliGroup {

    /** A subcommand: arguments (after its name) and the output streams in, an exit code out. */
    @FunctionalInterface
    public interface Runner {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private final String name;
    private final String synopsis;
    private final String footer;
    private final Map<String, String> descriptions = new LinkedHashMap<>();
    private final Map<String, Runner> runners = new LinkedHashMap<>();

    /**
     * @param name how messages name it ({@code streamrec}, {@code catalog})
     * @param synopsis the usage line
     * @param footer text after the list of subcommands ("" for none)
     */
    public CliGroup(String name, String synopsis, String footer) {
        this.name = name;
        this.synopsis = synopsis;
        this.footer = footer;
    }

    /** Adds a subcommand; {@code description} may hold line breaks. */
    public CliGroup command(String command, String description, Runner runner) {
        descriptions.put(command, description);
        runners.put(command, runner);
        return this;
    }

    /** The usage text (picocli's layout): the usage line, the subcommands, the footer. */
    public String usage() {
        CommandSpec spec = CommandSpec.create().name(name);
        spec.usageMessage().width(112).synopsisHeading("Usage: ").customSynopsis(synopsis + "%n")
                .commandListHeading("Commands:%n");
        if (!footer.isEmpty()) {
            spec.usageMessage().footer("%n" + footer.replace("%", "%%"));
        }
        descriptions.forEach((c, d) -> {
            CommandSpec sub = CommandSpec.create().name(c);
            sub.usageMessage().description(d.replace("%", "%%").replace("\n", " "));
            spec.addSubcommand(c, sub);
        });
        return new CommandLine(spec).getUsageMessage();
    }

    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return CliCommand.USAGE_ERROR;
        }
        if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return 0;
        }
        Runner runner = runners.get(args[0]);
        if (runner == null) {
            String closest = OptionSet.closest(args[0], runners.keySet());
            err.println(name + ": unknown command '" + args[0] + "'" + (closest != null ? " (did you mean " + closest
                    + "?)" : ""));
            err.print(usage());
            return CliCommand.USAGE_ERROR;
        }
        return runner.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
}
