package io.streamrec.job.learn;

import io.streamrec.job.model.HitRateAccumulator;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.PopularityTracker;
import io.streamrec.job.model.UserState;
import io.streamrec.schema.InteractionEvent;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The UserTower's live prequential evaluation, the test half of test-then-train: for a deterministic sample of
 * events, ranks the event's item for its user among the subtask's cached items (minus the user's history) and
 * under the most-popular baseline, before the event is learned from, and keeps HR@10/HR@100/NDCG@10 of both, over
 * the whole run and over the latest window of {@link #RECENT_WINDOW} evaluations, as Flink metrics.
 *
 * <p>Not thread-safe; one per UserTower subtask. Not checkpointed: the metrics count from the subtask's start.
 */
final class LiveEvaluation {
    /**
     * Ranks are counted up to this: the live metrics (HR@10, HR@100, NDCG@10) need no more, and the scan over the
     * cached items stops once this many outrank the event's item.
     */
    static final int RANK_LIMIT = 100;

    /** Evaluations per "recent" window of the live metric. */
    static final int RECENT_WINDOW = 2000;

    private final Learner learner;
    private final ItemVectorCache cache;
    private final PopularityTracker popularity;
    private final boolean emit;
    private final long sampleThreshold;

    private final HitRateAccumulator modelHits = new HitRateAccumulator(10, 100);
    private final HitRateAccumulator popularityHits = new HitRateAccumulator(10, 100);
    private HitRateAccumulator recentModel = new HitRateAccumulator(10, 100);
    private HitRateAccumulator recentPopularity = new HitRateAccumulator(10, 100);
    private double[] lastRecent = {Double.NaN, Double.NaN};

    private final Counter evaluated;
    private final Counter modelHits10;
    private final Counter modelHits100;
    private final Counter popularityHits10;
    private final Counter popularityHits100;

    /**
     * @param cache the subtask's item cache, ranked over
     * @param popularity the subtask's popularity counters, the baseline
     * @param settings {@code prequentialSample} (share of events evaluated) and {@code emitPrequential}
     * @param metrics where the counters and gauges are registered
     */
    LiveEvaluation(Learner learner, ItemVectorCache cache, PopularityTracker popularity, TowerSettings settings,
                   MetricGroup metrics) {
        this.learner = learner;
        this.cache = cache;
        this.popularity = popularity;
        this.emit = settings.emitPrequential;
        this.sampleThreshold = settings.prequentialSample >= 1.0 ? Long.MAX_VALUE
                : (long) (settings.prequentialSample * Long.MAX_VALUE);
        evaluated = metrics.counter("prequentialEvaluated");
        modelHits10 = metrics.counter("prequentialHits10");
        modelHits100 = metrics.counter("prequentialHits100");
        popularityHits10 = metrics.counter("popularityHits10");
        popularityHits100 = metrics.counter("popularityHits100");
        metrics.gauge("prequentialHitRate10", () -> modelHits.hitRate(10));
        metrics.gauge("prequentialHitRate100", () -> modelHits.hitRate(100));
        metrics.gauge("prequentialNdcg10", () -> modelHits.ndcgAt10());
        metrics.gauge("popularityHitRate10", () -> popularityHits.hitRate(10));
        metrics.gauge("popularityHitRate100", () -> popularityHits.hitRate(100));
        metrics.gauge("recentHitRate10", () -> lastRecent[0]);
        metrics.gauge("recentPopularityHitRate10", () -> lastRecent[1]);
    }

    /** Whether the event with this seed ({@link Learner#eventSeed}) is in the evaluated sample. */
    boolean isSampled(long seed) {
        if (sampleThreshold == 0) {
            return false;
        }
        // The event seed is a hash of the event: the same events are sampled on every run and after a restore.
        return sampleThreshold == Long.MAX_VALUE || (seed >>> 1) < sampleThreshold;
    }

    /**
     * Ranks the event's item for user {@code u} in {@code context} and records the ranks; call before training on
     * the event. Returns the result to emit with {@code metrics.prequential.emit}, null without.
     */
    PrequentialResult evaluate(UserState u, InteractionEvent e, String[] context) {
        Set<String> seen = u.historySet();
        int modelRank = learner.rankOf(u, e.itemId, cache, seen, RANK_LIMIT, context);
        int popRank = popularity.rankOf(e.itemId, seen, RANK_LIMIT);
        modelHits.record(modelRank);
        popularityHits.record(popRank);
        recentModel.record(modelRank);
        recentPopularity.record(popRank);
        evaluated.inc();
        countHits(modelRank, modelHits10, modelHits100);
        countHits(popRank, popularityHits10, popularityHits100);
        if (recentModel.count() >= RECENT_WINDOW) {
            lastRecent = new double[] {recentModel.hitRate(10), recentPopularity.hitRate(10)};
            recentModel = new HitRateAccumulator(10, 100);
            recentPopularity = new HitRateAccumulator(10, 100);
        }
        return emit ? new PrequentialResult(e.userId, e.itemId, e.timestamp, modelRank, popRank) : null;
    }

    private static void countHits(int rank, Counter hits10, Counter hits100) {
        if (rank >= 0 && rank < 10) {
            hits10.inc();
        }
        if (rank >= 0 && rank < 100) {
            hits100.inc();
        }
    }
}
