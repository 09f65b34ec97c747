package io.streamrec.job.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Turns command-line arguments into a key/value map: {@code --key value}, {@code --key=value}, and
 * {@code --config file.properties} (a Java properties file whose entries come first, so flags override it).
 * Keys are the dotted configuration keys, e.g. {@code --kafka.bootstrap.servers localhost:9092}.
 */
public final class ConfigArgs {
    private ConfigArgs() {}

    public static Map<String, String> parse(String... args) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        Map<String, String> fromFlags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected --key value or --key=value, got '" + arg + "'");
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
                    throw new IllegalArgumentException("configuration key '" + key + "' has no value");
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

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file '" + file + "' (from --config)", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }
}
