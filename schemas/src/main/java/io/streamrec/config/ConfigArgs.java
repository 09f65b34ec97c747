package io.streamrec.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The command line of the trainer job and of the serving node: {@code --key value} or {@code --key=value} per
 * setting, and {@code --config file.properties} (a Java properties file, UTF-8) whose entries come first, so flags
 * override them. Keys are the dotted configuration keys ({@code --kafka.bootstrap.servers localhost:9092}); what
 * they mean and accept is their {@link OptionSet}'s business.
 */
public final class ConfigArgs {
    private ConfigArgs() {}

    /**
     * @throws ConfigException for an argument that is not {@code --key}, or a key without a value
     * @throws UncheckedIOException when the {@code --config} file cannot be read
     */
    public static Map<String, String> parse(String... args) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        Map<String, String> fromFlags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException(arg, "expected --key value or --key=value");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new ConfigException(key, "has no value (--" + key + " VALUE)");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                fromFile.putAll(readProperties(Path.of(value)));
            } else {
                fromFlags.put(key, value);
            }
        }
        fromFile.putAll(fromFlags);
        return fromFile;
    }

    /** The entries of a properties file (UTF-8), values trimmed. */
    public static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file '" + file + "' (from --config)", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }
}
