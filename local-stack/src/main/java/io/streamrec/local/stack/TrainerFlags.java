package io.streamrec.local.stack;

import io.streamrec.config.ConfigException;
import io.streamrec.job.config.JobConfig;
import io.streamrec.local.cli.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trainer settings given to a command that runs the trainer ({@code demo}, {@code evaluate}) as
 * {@code --trainer.KEY VALUE} (or {@code --trainer.KEY=VALUE}): taken out of the command line before the command
 * parses the rest, and checked at start against the trainer's own definitions ({@link JobConfig}), so that a typo
 * or a bad value is a usage error naming {@code --trainer.KEY}, before anything starts.
 */
public final class TrainerFlags {
    public static final String PREFIX = "--trainer.";

    private TrainerFlags() {}

    /** The trainer keys given (in order) and the other arguments. */
    public record Split(Map<String, String> trainer, String[] rest) {}

    /**
     * Takes the {@code --trainer.KEY VALUE} pairs out of {@code args} (up to a {@code --}, which ends options).
     * {@code --trainer.config FILE} reads trainer keys from a properties file (as the job's {@code --config}, e.g.
     * what {@code tune} writes); keys given as flags win over the file's.
     */
    public static Split extract(String[] args) throws UsageException {
        Map<String, String> trainer = new LinkedHashMap<>();
        Map<String, String> fromFile = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (optionsEnded || !a.startsWith(PREFIX)) {
                optionsEnded |= a.equals("--");
                rest.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String key = a.substring(PREFIX.length(), eq < 0 ? a.length() : eq);
            if (key.isEmpty()) {
                throw new UsageException(PREFIX + ": needs a key, e.g. --trainer.model.dim 32");
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException(PREFIX + key + ": needs a value");
            }
            if (key.equals("config")) {
                fromFile.putAll(readConfig(value));
            } else {
                trainer.put(key, value);
            }
        }
        Map<String, String> all = new LinkedHashMap<>(fromFile);
        all.putAll(trainer);
        return new Split(all, rest.toArray(String[]::new));
    }

    private static Map<String, String> readConfig(String file) throws UsageException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file),
                java.nio.charset.StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new UsageException(PREFIX + "config: cannot read '" + file + "': " + e.getMessage());
        }
        Map<String, String> m = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).strip()));
        return m;
    }

    /**
     * Checks the user's trainer keys with the trainer's definitions, on top of what the command sets itself.
     *
     * @param given the user's keys ({@code --trainer.KEY})
     * @param commandSettings what the command sets (its defaults; the user's keys win)
     * @param reserved keys the command sets itself and refuses from the user, with a hint (may be empty)
     * @return the warnings of deprecated keys, named as the user wrote them
     * @throws UsageException naming {@code --trainer.KEY}
     */
    public static List<String> validate(Map<String, String> given, Map<String, String> commandSettings,
                                        Collection<String> reserved, String reservedHint) throws UsageException {
        for (String key : given.keySet()) {
            if (reserved.contains(key)) {
                throw new UsageException(PREFIX + key + ": " + reservedHint.replace("KEY", key));
            }
        }
        Map<String, String> probe = new LinkedHashMap<>(commandSettings);
        probe.putAll(given);
        try {
            List<String> warnings = new ArrayList<>();
            JobConfig.fromMap(probe).warnings.forEach(w -> warnings.add(PREFIX + w));
            return warnings;
        } catch (ConfigException e) {
            throw new UsageException((given.containsKey(e.name()) ? e.renamed(PREFIX + e.name())
                    : e.renamed(e.name())).getMessage());
        }
    }
}
