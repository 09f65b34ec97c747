package io.streamrec.serving.ingest;

import java.nio.charset.StandardCharsets;

/** Validation shared by the embedding consumers: what makes a published vector unusable. Stateless. */
public final class VectorChecks {
    /** Same limit as event ids (the trainer's parser). */
    public static final int MAX_ID_BYTES = 256;

    private VectorChecks() {}

    /**
     * Null if the record is usable, else a metric reason: {@code bad_id}, {@code empty_vector},
     * {@code non_finite} or {@code dimension} (differs from {@code expectedDim}, when that is not 0).
     */
    public static String problem(String id, float[] v, int expectedDim) {
        if (id == null || id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            return "bad_id";
        }
        if (v.length == 0) {
            return "empty_vector";
        }
        if (expectedDim != 0 && v.length != expectedDim) {
            return "dimension";
        }
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return "non_finite";
            }
        }
        return null;
    }
}
