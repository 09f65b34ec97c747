package io.streamrec.config;

/**
 * A setting that cannot be used as given: an unknown key or option, a value that does not parse, or one outside
 * its range. The message is always {@code NAME: PROBLEM}, with NAME as the user wrote it (a configuration key
 * such as {@code checkpoint.interval}, or a command-line option such as {@code --backfill}).
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String problem;

    public ConfigException(String name, String problem) {
        super(name + ": " + problem);
        this.name = name;
        this.problem = problem;
    }

    /** The key or option at fault. */
    public String name() {
        return name;
    }

    /** What is wrong, without the name. */
    public String problem() {
        return problem;
    }

    /** The same problem under another name, e.g. a trainer key given as {@code --trainer.KEY}. */
    public ConfigException renamed(String newName) {
        return new ConfigException(newName, problem);
    }
}
