package io.streamrec.job.rank;

import io.streamrec.job.FlinkTypes;
import io.streamrec.job.state.States;
import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranking stage's trainer (parallelism 1): learns one {@link RankerModel} (DJL, PyTorch on the CPU, its thread
 * pools bounded to one thread each) from the UserTowers' {@link RankerSample}s in mini-batches, and publishes it
 * at most once per {@code ranker.publish-interval} when it changed.
 *
 * <p>Per mini-batch (the samples whose rows fill {@code ranker.batch-size}, or whatever is pending when the publish
 * interval comes round), test then train: first every sample's
 * retrieved candidates are re-ranked by the model as it is (the live metric and {@link #RANKED}), then the model
 * takes one step on the batch: each sample's item as a positive against {@code ranker.negatives} other candidates
 * drawn from the sample's seed, when retrieval found the item among them, and its rating, for rating events.
 *
 * <p>The model, with its optimizer state, is operator state: a checkpoint first learns from the pending samples,
 * so nothing is pending in it, and a restore continues exactly. A restored model of another shape (vector length,
 * layers, buckets) than the configuration asks for is replaced by a new one, with a warning.
 */
public final class RankerTrainer extends AbstractStreamOperator<RankerPublication>
        implements OneInputStreamOperator<RankerSample, RankerPublication>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RankerTrainer.class);

    /** Every re-ranked example's result, for evaluation. */
    public static final OutputTag<RankedResult> RANKED = new OutputTag<>("ranked", FlinkTypes.RANKED_RESULT);

    private final RankerSettings settings;
    private final int vectorLength;

    private transient RankerModel model;
    private transient ListState<byte[]> modelState;
    private transient List<RankerSample> pending;
    private transient int pendingRows;
    private transient long publishedVersion;
    private transient Counter examples;
    private transient Counter steps;
    private transient Counter published;
    private transient Counter rerankedHits10;
    private transient Counter retrievalHits10;
    private transient Counter reranked;
    private transient double lossEma;
    private transient double stepMillisEma;

    /** @param vectorLength length of the towers' query and item vectors ({@code Learner.vectorLength()}) */
    public RankerTrainer(RankerSettings settings, int vectorLength) {
        this.settings = settings;
        this.vectorLength = vectorLength;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getListState(States.RANKER_MODEL);
        model = null;
        for (byte[] b : modelState.get()) {
            RankerModel restored = RankerModel.fromBytes(b);
            if (restored.vectorLength() == vectorLength && restored.config().equals(settings.model)) {
                model = restored;
            } else {
                LOG.warn("the restored ranker (vector length {}, {}) differs from the configured one (vector length "
                        + "{}, {}): starting a new ranker", restored.vectorLength(), restored.config(), vectorLength,
                        settings.model);
            }
            break;
        }
        if (model == null) {
            model = RankerModel.create(settings.model, vectorLength);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new ArrayList<>();
        pendingRows = 0;
        publishedVersion = -1;
        MetricGroup m = getMetricGroup();
        examples = m.counter("rankerExamples");
        steps = m.counter("rankerSteps");
        published = m.counter("rankerPublished");
        reranked = m.counter("rankerReranked");
        rerankedHits10 = m.counter("rankerRerankedHits10");
        retrievalHits10 = m.counter("rankerRetrievalHits10");
        m.gauge("rankerLoss", () -> lossEma);
        m.gauge("rankerStepMillis", () -> stepMillisEma);
        m.gauge("rankerVersion", () -> model.version());
        m.gauge("rankerRerankedHitRate10", () -> rate(rerankedHits10));
        m.gauge("rankerRetrievalHitRate10", () -> rate(retrievalHits10));
        schedulePublish();
    }

    private double rate(Counter hits) {
        long n = reranked.getCount();
        return n == 0 ? Double.NaN : (double) hits.getCount() / n;
    }

    @Override
    public void processElement(StreamRecord<RankerSample> record) {
        RankerSample s = record.getValue();
        if (s.query == null || s.query.length != vectorLength) {
            return; // cannot happen within one job graph; a guard for a rescaled or reconfigured restore
        }
        pending.add(s);
        pendingRows += 1 + (s.retrievalRank >= 0 ? negativesOf(s) : 0);
        if (pendingRows >= settings.batchRows) {
            step();
        }
    }

    private int negativesOf(RankerSample s) {
        int others = s.candidateIds.length - (s.retrievalRank >= 0 ? 1 : 0);
        return Math.min(settings.negatives, Math.max(0, others));
    }

    /** Test then train on the pending samples. */
    private void step() {
        if (pending.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        rerank();
        RankerBatch batch = new RankerBatch(vectorLength, pendingRows);
        for (RankerSample s : pending) {
            // The "acted on" term only when retrieval found the item: the ranker orders retrieved candidates, and a
            // positive from outside them, against negatives from inside, would teach it to prefer low retrieval
            // scores. The rating term always.
            boolean retrieved = s.retrievalRank >= 0;
            batch.beginList(topScore(s));
            batch.add(s.userId, s.query, s.itemId, s.target, s.targetScore, 1f, retrieved ? s.weight : 0f,
                    s.rating, s.ratingWeight);
            int k = retrieved ? negativesOf(s) : 0;
            if (k == 0) {
                continue;
            }
            // k distinct candidates other than the event's item, drawn from the sample's seed.
            SplittableRandom rnd = new SplittableRandom(s.seed ^ 0x72616e6b6572L);
            int n = s.candidateIds.length;
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            int taken = 0;
            for (int i = 0; i < n && taken < k; i++) {
                int j = i + rnd.nextInt(n - i);
                int c = order[j];
                order[j] = order[i];
                order[i] = c;
                if (c == s.retrievalRank) {
                    continue;
                }
                batch.add(s.userId, s.query, s.candidateIds[c], s.candidateRow(c), s.candidateScores[c], 0f,
                        s.weight, 0f, 0f);
                taken++;
            }
        }
        float loss = model.train(batch);
        lossEma = lossEma == 0 ? loss : 0.98 * lossEma + 0.02 * loss;
        examples.inc(pending.size());
        steps.inc();
        pending.clear();
        pendingRows = 0;
        double ms = (System.nanoTime() - start) / 1e6;
        stepMillisEma = stepMillisEma == 0 ? ms : 0.95 * stepMillisEma + 0.05 * ms;
    }

    /** The user's best retrieval score at the sample's moment: the first candidate's (the item's own without any). */
    private static float topScore(RankerSample s) {
        return s.candidateScores.length > 0 ? s.candidateScores[0] : s.targetScore;
    }

    /** Re-ranks every pending sample's candidates with the model as it is; emits and counts the results. */
    private void rerank() {
        int rows = 0;
        for (RankerSample s : pending) {
            rows += s.retrievalRank >= 0 ? s.candidateIds.length : 0;
        }
        RankerBatch batch = new RankerBatch(vectorLength, rows);
        for (RankerSample s : pending) {
            if (s.retrievalRank < 0) {
                continue;
            }
            batch.beginList(topScore(s));
            for (int i = 0; i < s.candidateIds.length; i++) {
                batch.add(s.userId, s.query, s.candidateIds[i], s.candidateRow(i), s.candidateScores[i]);
            }
        }
        float[] logits = batch.size() == 0 ? new float[0] : model.score(batch).logits();
        int at = 0;
        for (RankerSample s : pending) {
            int ranked = -1;
            if (s.retrievalRank >= 0) {
                int n = s.candidateIds.length;
                float t = logits[at + s.retrievalRank];
                ranked = 0;
                for (int i = 0; i < n; i++) {
                    // Ties count against the item, so the metric is never flattered.
                    if (i != s.retrievalRank && logits[at + i] >= t) {
                        ranked++;
                    }
                }
                at += n;
                reranked.inc();
                if (ranked < 10) {
                    rerankedHits10.inc();
                }
                if (s.retrievalRank < 10) {
                    retrievalHits10.inc();
                }
            } else {
                reranked.inc();
            }
            output.collect(RANKED, new StreamRecord<>(new RankedResult(s.userId, s.itemId, s.eventTime,
                    s.retrievalRank, ranked, s.candidateIds.length)));
        }
    }

    private void schedulePublish() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long due = (now / settings.publishIntervalMs + 1) * settings.publishIntervalMs;
        getProcessingTimeService().registerTimer(due, time -> {
            step(); // samples never wait longer than an interval, however slowly they arrive
            publish();
            schedulePublish();
        });
    }

    /** Sends the model if it changed since it was last sent. */
    private void publish() {
        if (model.version() == publishedVersion || model.version() == 0) {
            return;
        }
        publishedVersion = model.version();
        output.collect(new StreamRecord<>(new RankerPublication(model.version(), model.toPublishedBytes())));
        published.inc();
    }

    @Override
    public void endInput() {
        step();
        publish();
    }

    /** Before the barrier: learn from the pending samples (and emit their results), so none is pending. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        step();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        modelState.update(List.of(model.toBytes()));
        super.snapshotState(context);
    }

    /** For tests: the model as it is. */
    RankerModel model() {
        return model;
    }
}
