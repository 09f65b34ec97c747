package io.streamrec.schema.features;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query's context features: the hour of day and the day of week of the moment (in a configured time zone), and
 * configured keys of an event's {@code properties} (device, page, ...). Each present value is a key
 * ({@link FeatureKeys#context}) with a learned vector; the query adds {@code weight} times their mean. The trainer
 * takes the moment from the event's time; the serving node from the request ({@code context.hour},
 * {@code context.weekday}, {@code context.<property>}) or from its clock.
 *
 * <p>Immutable and Serializable.
 */
public final class ContextSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String HOUR = "hour";
    public static final String WEEKDAY = "weekday";
    /** Longest property value used as a feature, in characters; longer values are cut. */
    static final int MAX_VALUE_CHARS = 64;

    public static final ContextSpec NONE = new ContextSpec(0f, false, false, List.of(), "UTC");

    private final float weight;
    private final boolean hour;
    private final boolean weekday;
    private final List<String> properties;
    private final String timeZone;
    private transient ZoneId zone;

    public ContextSpec(float weight, boolean hour, boolean weekday, List<String> properties, String timeZone) {
        this.weight = weight;
        this.hour = hour;
        this.weekday = weekday;
        this.properties = List.copyOf(properties);
        this.timeZone = timeZone;
        this.zone = ZoneId.of(timeZone); // validates
    }

    /**
     * Parses the config forms: {@code time} lists {@code hour}, {@code weekday} (comma-separated, may be empty),
     * {@code properties} the event property keys.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static ContextSpec parse(double weight, String time, String properties, String timeZone) {
        boolean h = false;
        boolean w = false;
        for (String part : time.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals(HOUR)) {
                h = true;
            } else if (p.equals(WEEKDAY)) {
                w = true;
            } else {
                throw new IllegalArgumentException("unknown time context '" + part.trim() + "'; known: hour, weekday");
            }
        }
        List<String> props = new ArrayList<>();
        for (String part : properties.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                props.add(p);
            }
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
        try {
            ZoneId.of(timeZone);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + timeZone + "' (e.g. UTC, Europe/Berlin)");
        }
        return new ContextSpec((float) weight, h, w, props, timeZone);
    }

    public boolean enabled() {
        return weight > 0 && (hour || weekday || !properties.isEmpty());
    }

    public float weight() {
        return weight;
    }

    public boolean hour() {
        return hour;
    }

    public boolean weekday() {
        return weekday;
    }

    public List<String> properties() {
        return properties;
    }

    public String timeZone() {
        return timeZone;
    }

    private ZoneId zone() {
        if (zone == null) {
            zone = ZoneId.of(timeZone);
        }
        return zone;
    }

    /** The context keys of an event at {@code timeMs} with these properties (may be null). */
    public String[] keys(long timeMs, Map<String, String> eventProperties) {
        if (!enabled()) {
            return new String[0];
        }
        ZonedDateTime t = Instant.ofEpochMilli(timeMs).atZone(zone());
        return keys(t.getHour(), t.getDayOfWeek().getValue(), eventProperties);
    }

    /**
     * The context keys for an explicit hour (0-23) and ISO weekday (1 = Monday .. 7 = Sunday); properties may be
     * null. Order: hour, weekday, then properties in configured order (absent ones left out).
     */
    public String[] keys(int hourOfDay, int isoWeekday, Map<String, String> eventProperties) {
        if (!enabled()) {
            return new String[0];
        }
        List<String> out = new ArrayList<>(2 + properties.size());
        if (hour) {
            out.add(FeatureKeys.context(HOUR, Integer.toString(hourOfDay)));
        }
        if (weekday) {
            out.add(FeatureKeys.context(WEEKDAY, Integer.toString(isoWeekday)));
        }
        if (eventProperties != null) {
            for (String p : properties) {
                String v = eventProperties.get(p);
                if (v != null) {
                    String n = Featurizer.normalize(v);
                    if (!n.isEmpty()) {
                        out.add(FeatureKeys.context(p, n.length() > MAX_VALUE_CHARS ? n.substring(0, MAX_VALUE_CHARS)
                                : n));
                    }
                }
            }
        }
        return out.toArray(new String[0]);
    }

    /** The coefficient of each of {@code n} context vectors in the query: {@code weight / n}. */
    public float factor(int n) {
        return n == 0 ? 0f : weight / n;
    }

    @Override
    public String toString() {
        return "ContextSpec{weight=" + weight + ", hour=" + hour + ", weekday=" + weekday + ", properties="
                + properties + ", zone=" + timeZone + '}';
    }
}
