package io.streamrec.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one program (the trainer, the serving node): reads a {@code name -> text} map into
 * {@link Settings}, refusing unknown names (with the closest known one), translating deprecated names (with a
 * warning), and checking every value at once, so that a typo or a bad value stops the program at start, named.
 */
public final class OptionSet {
    private final Map<String, Option<?>> byName = new LinkedHashMap<>();
    private final Map<String, Option<?>> byOldName = new LinkedHashMap<>();

    private OptionSet(Collection<? extends Option<?>> options) {
        for (Option<?> o : options) {
            if (byName.put(o.name(), o) != null) {
                throw new IllegalStateException("option " + o.name() + " is defined twice");
            }
            for (Option.Deprecated d : o.deprecatedNames()) {
                byOldName.put(d.name(), o);
            }
        }
    }

    public static OptionSet of(Collection<? extends Option<?>> options) {
        return new OptionSet(options);
    }

    /** Every option, in definition order. */
    public List<Option<?>> options() {
        return List.copyOf(byName.values());
    }

    /** The option of a current name. */
    public Optional<Option<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Whether {@code name} is a current or a deprecated name. */
    public boolean accepts(String name) {
        return byName.containsKey(name) || byOldName.containsKey(name);
    }

    /**
     * Reads given values: every name must be known, deprecated names are translated to the current one (a warning
     * each), and every value is parsed and checked now.
     *
     * @throws ConfigException naming the first unknown key or bad value
     */
    public Settings resolve(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> viaOldName = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String name = e.getKey();
            Option<?> o = byName.get(name);
            if (o != null) {
                if (viaOldName.containsKey(o.name())) {
                    throw conflict(o.name(), viaOldName.get(o.name()));
                }
                values.put(name, e.getValue());
                continue;
            }
            o = byOldName.get(name);
            if (o == null) {
                throw unknown(name, "key", byName.keySet());
            }
            if (values.containsKey(o.name())) {
                throw conflict(o.name(), name);
            }
            Option.Deprecated d = o.deprecatedNames().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow();
            values.put(o.name(), d.translate(e.getValue()));
            viaOldName.put(o.name(), name);
            warnings.add(deprecationWarning(name, o.name()));
        }
        Settings s = new Settings(values, warnings);
        for (Option<?> o : byName.values()) {
            s.get(o); // check every value once, now
        }
        return s;
    }

    /** {@code OLD is deprecated; use NEW} (the same text everywhere). */
    public static String deprecationWarning(String oldName, String newName) {
        return oldName + " is deprecated and will be removed; use " + newName;
    }

    private static ConfigException conflict(String name, String oldName) {
        return new ConfigException(name, "given twice, also as its deprecated name " + oldName + "; keep " + name);
    }

    /** {@code NAME: unknown KIND (did you mean X?); known KINDs: ...}. */
    public static ConfigException unknown(String name, String kind, Collection<String> known) {
        String closest = closest(name, known);
        return new ConfigException(name, "unknown " + kind + (closest != null ? " (did you mean " + closest + "?)" : "")
                + "; known " + kind + "s: " + String.join(", ", known));
    }

    /** The known name nearest to {@code name} (edit distance at most 4, or containing it), or null. */
    public static String closest(String name, Collection<String> known) {
        String best = known.stream().min(Comparator.comparingInt(k -> editDistance(k, name))).orElse(null);
        if (best != null && editDistance(best, name) <= Math.max(2, Math.min(4, name.length() / 3))) {
            return best;
        }
        String bare = name.replaceFirst("^-+", "");
        return bare.length() < 3 ? null : known.stream().filter(k -> k.contains(bare)).findFirst().orElse(null);
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
