package io.streamrec.serving.retrieval;

import io.streamrec.schema.features.ContextSpec;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * The context of a request: hour of day (0-23), ISO day of week (1 = Monday .. 7 = Sunday) and event-like
 * properties, each optional. What is not given is taken from the clock, in the time zone the trainer's
 * {@link ContextSpec} names, so that a request at 13:00 in that zone looks like an event at 13:00.
 */
public final class QueryContext {
    public static final QueryContext NOW = new QueryContext(null, null, Map.of());

    private final Integer hour;
    private final Integer weekday;
    private final Map<String, String> properties;

    public QueryContext(Integer hour, Integer weekday, Map<String, String> properties) {
        this.hour = hour;
        this.weekday = weekday;
        this.properties = Map.copyOf(properties);
    }

    /** The context keys under a spec, at {@code nowMs} for what the request did not give. */
    public String[] keys(ContextSpec spec, long nowMs) {
        if (!spec.enabled()) {
            return new String[0];
        }
        ZonedDateTime t = Instant.ofEpochMilli(nowMs).atZone(ZoneId.of(spec.timeZone()));
        return spec.keys(hour != null ? hour : t.getHour(), weekday != null ? weekday : t.getDayOfWeek().getValue(),
                properties);
    }

    public Integer hour() {
        return hour;
    }

    public Integer weekday() {
        return weekday;
    }

    public Map<String, String> properties() {
        return properties;
    }
}
