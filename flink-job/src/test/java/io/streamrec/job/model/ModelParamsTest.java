package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelParamsTest {

    @Test
    void defaultsAreValidAndRoundTripThroughTheirKeys() {
        ModelParams d = ModelParams.defaults().validate();
        Map<String, String> m = d.toMap();
        assertEquals(d.toMap(), ModelParams.fromMap(m).toMap());
        assertEquals(ModelParams.descriptions().keySet(), m.keySet());
        assertTrue(m.containsKey("model.dim"));
    }

    @Test
    void fromMapReadsModelKeysAndIgnoresOthers() {
        ModelParams p = ModelParams.fromMap(Map.of("model.dim", "32", "model.logq", "false", "kafka.topic", "x"));
        assertEquals(32, p.dim());
        assertEquals(false, p.logq());
        assertEquals(33, p.vectorLength());
    }

    @Test
    void validationMessagesNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelParams.defaults().set("model.temperature", "0").validate());
        assertTrue(e.getMessage().contains("model.temperature"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelParams.fromMap(Map.of("model.dim", "big")));
        assertTrue(e.getMessage().contains("model.dim"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelParams.defaults().set("model.nope", "1"));
        assertTrue(e.getMessage().contains("model.nope"), e.getMessage());
    }

    @Test
    void eventWeightsFollowTypeAndRatingValue() {
        ModelParams p = ModelParams.defaults();
        assertTrue(p.weightOf(EventType.PURCHASE, null) > p.weightOf(EventType.CLICK, null));
        p.set("model.rating.as-weight", "true").set("model.rating.reference", "4").set("model.weight.rating", "2");
        assertEquals(2f * 5 / 4, p.weightOf(EventType.RATING, 5.0), 1e-6);
        assertEquals(2f, p.weightOf(EventType.RATING, null), 1e-6);
    }
}
