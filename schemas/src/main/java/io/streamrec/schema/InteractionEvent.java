package io.streamrec.schema;

import java.util.Map;
import java.util.Objects;

/**
 * One validated interaction: a user did something to an item at a time. Produced by {@link EventParser} from the
 * JSON on the {@code interactions} topic (see {@code interaction-event.schema.json}).
 *
 * <p>A Flink POJO (public no-arg constructor, public mutable fields) so that it crosses operator boundaries with
 * Flink's POJO serializer instead of Kryo. Optional fields are null when absent.
 */
public class InteractionEvent {
    /** Who acted; non-empty, at most 256 UTF-8 bytes. Also the Kafka record key. */
    public String userId;
    /** What was acted on; non-empty, at most 256 UTF-8 bytes. */
    public String itemId;
    public EventType type;
    /** Event time in epoch milliseconds (normalized from ms, s or ISO-8601). */
    public long timestamp;
    /** Optional numeric value, e.g. the rating of a {@link EventType#RATING}; null when absent. */
    public Double value;
    /** Optional session id; null when absent. */
    public String sessionId;
    /** Optional free-form string attributes; null when absent. */
    public Map<String, String> properties;

    public InteractionEvent() {}

    public InteractionEvent(String userId, String itemId, EventType type, long timestamp) {
        this.userId = userId;
        this.itemId = itemId;
        this.type = type;
        this.timestamp = timestamp;
    }

    public InteractionEvent withValue(Double value) {
        this.value = value;
        return this;
    }

    public InteractionEvent withSessionId(String sessionId) {
        this.sessionId = sessionId;
        return this;
    }

    public InteractionEvent withProperties(Map<String, String> properties) {
        this.properties = properties;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InteractionEvent)) {
            return false;
        }
        InteractionEvent that = (InteractionEvent) o;
        return timestamp == that.timestamp
                && Objects.equals(userId, that.userId)
                && Objects.equals(itemId, that.itemId)
                && type == that.type
                && Objects.equals(value, that.value)
                && Objects.equals(sessionId, that.sessionId)
                && Objects.equals(properties, that.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, itemId, type, timestamp, value, sessionId, properties);
    }

    @Override
    public String toString() {
        return "InteractionEvent{user=" + userId + ", item=" + itemId + ", type=" + type + ", ts=" + timestamp
                + (value != null ? ", value=" + value : "")
                + (sessionId != null ? ", session=" + sessionId : "")
                + (properties != null ? ", properties=" + properties : "") + '}';
    }
}
