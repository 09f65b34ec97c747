package io.streamrec.serving.rank;

import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerConfig;
import io.streamrec.ranker.RankerModel;
import java.util.Map;
import java.util.Set;

/**
 * Ranker models for tests, trained on the features serving forms (query, row as served, {@code q . row}) so that
 * they prefer items the test chose, and returned in their published form, as the node reads them from Kafka.
 */
public final class TestRankers {
    /** Small enough to train in a fraction of a second. */
    public static final RankerConfig SMALL = new RankerConfig(32, 16, 0.01f, 0.05f, 0f, 256, 7L);

    private TestRankers() {}

    /**
     * A model of the query {@code q} that has taken {@code steps} Adam steps (its version) on one batch of lists,
     * one per {@code preferred} id: that row (the positive) against every other row of {@code rows} (the
     * negatives), as the trainer's examples are. Needs at least one row that is not preferred. Trainable;
     * {@link #published} gives what the trainer publishes.
     */
    public static RankerModel train(float[] q, Map<String, float[]> rows, Set<String> preferred, int steps) {
        if (rows.keySet().stream().allMatch(preferred::contains)) {
            throw new IllegalArgumentException("a list needs a negative: give a row that is not preferred");
        }
        RankerModel m = RankerModel.create(SMALL, q.length);
        RankerBatch b = new RankerBatch(q.length, rows.size() * Math.max(1, preferred.size()));
        float top = Float.NEGATIVE_INFINITY;
        for (float[] v : rows.values()) {
            top = Math.max(top, dot(q, v));
        }
        for (String positive : preferred) {
            if (!rows.containsKey(positive)) {
                continue;
            }
            b.beginList(top);
            b.add("u", q, positive, rows.get(positive), dot(q, rows.get(positive)), 1f, 1f, 0f, 0f);
            for (Map.Entry<String, float[]> e : rows.entrySet()) {
                if (!preferred.contains(e.getKey())) {
                    b.add("u", q, e.getKey(), e.getValue(), dot(q, e.getValue()), 0f, 1f, 0f, 0f);
                }
            }
        }
        for (int s = 0; s < steps; s++) {
            m.train(b);
        }
        return m;
    }

    /** The published form of a model, read back as serving reads it (scores only). */
    public static RankerModel published(RankerModel m) {
        return RankerModel.fromBytes(m.toPublishedBytes());
    }

    /** The logit of each row for the query, scored in the given order in one batch (as the ranking stage does). */
    public static float[] logits(RankerModel m, float[] q, String userId, String[] ids, float[][] rows,
                                 float[] scores) {
        RankerBatch b = new RankerBatch(q.length, ids.length);
        for (int i = 0; i < ids.length; i++) {
            b.add(userId, q, ids[i], rows[i], scores[i]);
        }
        return m.score(b).logits();
    }

    /** {@code q . v}, summed in order. */
    public static float dot(float[] q, float[] v) {
        float s = 0;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * v[i];
        }
        return s;
    }
}
