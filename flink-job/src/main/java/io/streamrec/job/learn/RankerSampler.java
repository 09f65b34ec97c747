package io.streamrec.job.learn;

import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.UserState;
import io.streamrec.job.model.Vectors;
import io.streamrec.job.rank.RankerSample;
import io.streamrec.job.rank.RankerSettings;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The UserTower's part of the ranking stage: for a deterministic sample of events ({@code ranker.sample}), before
 * the event is learned from, retrieves the user's top {@code ranker.candidates} from the subtask's item cache as
 * serving would (the user's history excluded, except the event's own item, so that the live metric can find it),
 * and packs the query, the event's item and the candidates as served (the popularity prior in the bias coordinate)
 * into a {@link RankerSample}.
 *
 * <p>Not thread-safe; one per UserTower subtask. Costs one scan of the item cache per sampled event.
 */
final class RankerSampler {
    private final RankerSettings settings;
    private final ModelParams params;
    private final Learner learner;
    private final ItemVectorCache cache;
    private final int len;
    private final Counter sampled;

    RankerSampler(RankerSettings settings, ModelParams params, Learner learner, ItemVectorCache cache,
                  MetricGroup metrics) {
        this.settings = settings;
        this.params = params;
        this.learner = learner;
        this.cache = cache;
        this.len = learner.vectorLength();
        this.sampled = metrics.counter("rankerSamples");
    }

    boolean isSampled(long seed) {
        return settings.isSampled(seed);
    }

    /** The example of event {@code e} of user {@code u} in {@code context}; call before training on it. */
    RankerSample sample(UserState u, InteractionEvent e, long seed, String[] context) {
        float[] q = learner.queryVector(u, cache, context);
        List<String> ids = cache.topK(q, settings.candidates, exceptItem(u.historySet(), e.itemId));
        RankerSample s = new RankerSample();
        s.userId = e.userId;
        s.itemId = e.itemId;
        s.eventTime = e.timestamp;
        s.seed = seed;
        s.query = q;
        s.target = servedRow(e.itemId);
        s.targetScore = Vectors.dot(q, s.target);
        int n = ids.size();
        s.candidateIds = ids.toArray(new String[0]);
        s.candidateRows = new float[n * len];
        s.candidateScores = new float[n];
        s.retrievalRank = -1;
        for (int i = 0; i < n; i++) {
            String id = ids.get(i);
            float[] row = servedRow(id);
            System.arraycopy(row, 0, s.candidateRows, i * len, len);
            s.candidateScores[i] = Vectors.dot(q, s.candidateRows, i * len, len);
            if (id.equals(e.itemId)) {
                s.retrievalRank = i;
            }
        }
        s.weight = params.weightOf(e.type, e.value);
        boolean rated = e.type == EventType.RATING && e.value != null;
        s.rating = rated ? e.value.floatValue() : 0f;
        s.ratingWeight = rated ? 1f : 0f;
        sampled.inc();
        return s;
    }

    /** An item's vector as serving ranks it: the cached vector (the initial one if not cached) plus its prior. */
    private float[] servedRow(String itemId) {
        float[] row = new float[len];
        if (!cache.peek(itemId, row)) {
            System.arraycopy(learner.initialItemVector(itemId), 0, row, 0, len);
        }
        float prior = cache.priorOf(itemId);
        if (prior != 0f) {
            row[len - 1] += prior; // the bias coordinate, whose query coordinate is 1 (QuerySpec.withPrior)
        }
        return row;
    }

    /** {@code seen} without {@code item}: a view for the exclusion test only. */
    private static Set<String> exceptItem(Set<String> seen, String item) {
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                return !item.equals(o) && seen.contains(o);
            }

            @Override
            public Iterator<String> iterator() {
                throw new UnsupportedOperationException("an exclusion test only");
            }

            @Override
            public int size() {
                throw new UnsupportedOperationException("an exclusion test only");
            }
        };
    }
}
