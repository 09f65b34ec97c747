package io.streamrec.schema.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuerySpecTest {
    private static final ContextSpec CONTEXT = ContextSpec.parse(0.5, "hour,weekday", "device", "Europe/Berlin");
    private static final QuerySpec SPEC = new QuerySpec(2, true, 1.5, 3, 0.5, false, 1.0, CONTEXT, 7L, 0.05);

    @Test
    void historyFactorsAreRecencyWeightsAddingUpToTheWeight() {
        // Oldest first: 0.25, 0.5, 1 before normalizing; times 1.5 / 1.75.
        float[] f = SPEC.historyFactors(3);
        assertArrayEquals(new float[] {(float) (1.5 * 0.25 / 1.75), (float) (1.5 * 0.5 / 1.75), (float) (1.5 / 1.75)},
                f);
        assertEquals(0, SPEC.historyFactors(0).length);
    }

    @Test
    void queryByHand() {
        float[] u = {1f, 2f, 1f};
        float[] a = {1f, 0f, 5f}; // bias coordinates never enter the query
        float[] b = {0f, 2f, 5f};
        float[] hour = {4f, 4f, 0f};
        Map<String, float[]> known = Map.of("a", a, "b", b);
        float[] q = SPEC.query(u, List.of("a", "new", "b"), known::get, Arrays.asList(hour, null));
        float[] f = SPEC.historyFactors(3);
        float[] init = SPEC.initialItemVector("new"); // an unknown item counts with its initial vector
        float c = 0.5f / 2; // two context keys, one of them unknown
        float[] expected = {1f + f[0] * 1f + f[1] * init[0] + c * 4f, 2f + f[1] * init[1] + f[2] * 2f + c * 4f, 1f};
        assertArrayEquals(expected, q);
        assertArrayEquals(new float[] {1f, 2f, 1f}, u, "the user vector is not modified");
    }

    @Test
    void normalizedQueriesHaveLengthOneOverTheTemperature() {
        QuerySpec n = new QuerySpec(2, true, 0, 1, 1, true, 0.5, ContextSpec.NONE, 0L, 0.05);
        float[] q = n.query(new float[] {3f, 4f, 1f}, List.of(), id -> null, List.of());
        assertArrayEquals(new float[] {1.2f, 1.6f, 1f}, q, 1e-6f);
    }

    @Test
    void popularityPriorIsWeightTimesLogOnePlusCountInTheBiasCoordinate() {
        QuerySpec p = new QuerySpec(2, true, 0, 1, 1, false, 1.0, ContextSpec.NONE, 0L, 0.05, 0.5);
        assertEquals((float) (0.5 * Math.log(10)), p.prior(9f), 1e-7f);
        assertEquals(0f, p.prior(0f));
        float[] v = {1f, 2f, 0.25f};
        float[] ranked = p.withPrior(v, 9f);
        assertArrayEquals(new float[] {1f, 2f, 0.25f + p.prior(9f)}, ranked, 1e-7f);
        assertArrayEquals(new float[] {1f, 2f, 0.25f}, v, "the vector is not modified");
        assertSame(v, p.withPrior(v, 0f), "no prior, no copy");
        assertSame(v, SPEC.withPrior(v, 9f), "a spec without a prior leaves rows alone");
        assertEquals(0.5, QuerySpec.fromJson(p.toJson()).popularityPrior());
        assertEquals(0.0, QuerySpec.fromJson("{\"dim\":2}").popularityPrior(), "specs from before the prior");
        assertThrows(IllegalArgumentException.class,
                () -> new QuerySpec(2, false, 0, 1, 1, false, 1.0, ContextSpec.NONE, 0L, 0.05, 0.5));
    }

    @Test
    void jsonRoundTrip() {
        QuerySpec back = QuerySpec.fromJson(SPEC.toJson());
        assertEquals(SPEC, back);
        assertArrayEquals(SPEC.historyFactors(3), back.historyFactors(3));
        assertArrayEquals(SPEC.initialItemVector("x"), back.initialItemVector("x"));
        assertArrayEquals(CONTEXT.keys(1_714_564_800_000L, Map.of("device", "Mobile")),
                back.context().keys(1_714_564_800_000L, Map.of("device", "Mobile")));
    }

    @Test
    void contextKeysFromTheEventTimeInTheZone() {
        // 2024-05-01T12:00:00Z is 14:00 in Berlin (summer time), a Wednesday.
        String[] keys = CONTEXT.keys(1_714_564_800_000L, Map.of("device", " Mobile ", "page", "cart"));
        assertArrayEquals(new String[] {FeatureKeys.context("hour", "14"), FeatureKeys.context("weekday", "3"),
            FeatureKeys.context("device", "mobile")}, keys);
        assertEquals(0, ContextSpec.NONE.keys(0, null).length);
        assertEquals(2, CONTEXT.keys(0, null).length, "absent properties are left out");
    }

    @Test
    void compositionByHand() {
        ItemFeatures f = ItemFeatures.of(new String[] {FeatureKeys.item("genre", "x"), FeatureKeys.item("genre", "y")},
                new float[] {0.5f, 0.25f});
        float[] id = {1f, 1f, 0f};
        Map<String, float[]> vectors = Map.of(FeatureKeys.item("genre", "x"), new float[] {2f, 0f, 1f});
        assertArrayEquals(new float[] {2f, 1f, 0.5f}, Composition.compose(id, f, vectors::get));
        assertArrayEquals(new float[] {1f, 1f, 0f}, id);
    }
}
