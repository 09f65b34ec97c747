package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FrequencyEstimatorTest {

    @Test
    void exactWindowFrequenciesWithoutSmoothing() {
        FrequencyEstimator f = new FrequencyEstimator(0.0);
        f.add("a");
        f.add("a");
        f.add("b");
        f.add("c");
        assertEquals(0.5, f.probability("a"), 1e-12);
        assertEquals(0.25, f.probability("b"), 1e-12);
        assertEquals(0.0, f.probability("x"), 1e-12);
        f.remove("a");
        assertEquals(1.0 / 3, f.probability("a"), 1e-12);
    }

    @Test
    void entriesLeaveWithTheirLastOccurrence() {
        FrequencyEstimator f = new FrequencyEstimator(1.0);
        f.add("a");
        f.add("b");
        f.remove("a");
        assertEquals(1, f.distinct());
        assertEquals(0, f.count("a"));
        // (0 + 1) / (1 + 1 * (1 + 1))
        assertEquals(1.0 / 3, f.probability("a"), 1e-12);
        assertThrows(IllegalStateException.class, () -> f.remove("a"));
    }

    @Test
    void emptyWindowHasProbabilityZeroWithoutSmoothing() {
        assertEquals(0.0, new FrequencyEstimator(0.0).probability("a"));
        assertEquals(1.0, new FrequencyEstimator(2.0).probability("a"), 1e-12);
    }
}
