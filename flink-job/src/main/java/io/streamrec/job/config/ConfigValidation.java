package io.streamrec.job.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Start-up checks shared by the configuration classes: every error message names the key and says what is
 * accepted, so a typo or a bad value stops the job before it touches Kafka.
 */
public final class ConfigValidation {
    private ConfigValidation() {}

    /** Rejects keys no option declares; suggests the closest known key. */
    public static void rejectUnknownKeys(Map<String, String> given, Collection<String> known) {
        Set<String> knownKeys = new TreeSet<>(known);
        for (String key : given.keySet()) {
            if (!knownKeys.contains(key)) {
                String closest = knownKeys.stream()
                        .min(Comparator.comparingInt(k -> editDistance(k, key)))
                        .orElse("");
                throw new IllegalArgumentException("unknown configuration key '" + key + "'"
                        + (editDistance(closest, key) <= 4 ? " (did you mean '" + closest + "'?)" : "")
                        + "; known keys: " + String.join(", ", knownKeys));
            }
        }
    }

    /** Reads an option, turning Flink's parse error into one that names the key and the bad value. */
    public static <T> T read(Configuration conf, ConfigOption<T> option) {
        try {
            return conf.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration key '" + option.key() + "': cannot parse '"
                    + conf.toMap().get(option.key()) + "' (" + rootMessage(e) + ")", e);
        }
    }

    public static void require(boolean ok, ConfigOption<?> option, String problem) {
        if (!ok) {
            throw new IllegalArgumentException("configuration key '" + option.key() + "': " + problem);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
