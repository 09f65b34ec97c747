package io.streamrec.job.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.learn.UserTower;
import io.streamrec.job.learn.TowerSettings;
import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.ranker.RankerConfig;
import io.streamrec.ranker.RankerModel;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The ranking stage's two operators, one at a time: the UserTower's examples and the RankerTrainer. */
class RankerTrainerHarnessTest {
    private static final int LEN = 5;
    private static final RankerConfig SMALL = new RankerConfig(8, 4, 0.01f, 0.1f, 0f, 64, 1L);

    private static RankerSettings settings(int batchRows) {
        return new RankerSettings(true, 1.0, 6, 3, batchRows, Duration.ofSeconds(1), SMALL);
    }

    private static OneInputStreamOperatorTestHarness<RankerSample, RankerPublication> trainer(
            RankerSettings s, OperatorSubtaskState restore) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new RankerTrainer(s, LEN));
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** A sample whose candidates point the user's way more or less; the event's item at {@code position}. */
    private static RankerSample sample(Random rnd, int n, int position) {
        RankerSample s = new RankerSample();
        s.userId = "u" + rnd.nextInt(10);
        s.eventTime = n;
        s.seed = rnd.nextLong();
        s.query = vector(rnd);
        s.query[LEN - 1] = 1f;
        s.candidateIds = new String[6];
        s.candidateRows = new float[6 * LEN];
        s.candidateScores = new float[6];
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(vector(rnd));
        }
        rows.sort((a, b) -> Float.compare(dot(s.query, b), dot(s.query, a))); // retrieval order: best first
        for (int i = 0; i < 6; i++) {
            s.candidateIds[i] = "i" + rnd.nextInt(1000);
            System.arraycopy(rows.get(i), 0, s.candidateRows, i * LEN, LEN);
            s.candidateScores[i] = dot(s.query, rows.get(i));
        }
        s.retrievalRank = position;
        s.itemId = position >= 0 ? s.candidateIds[position] : "unretrieved";
        s.target = position >= 0 ? s.candidateRow(position) : vector(rnd);
        s.targetScore = position >= 0 ? s.candidateScores[position] : 0f;
        s.weight = 1f;
        s.rating = 1 + rnd.nextInt(5);
        s.ratingWeight = 1f;
        return s;
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int d = 0; d < a.length; d++) {
            sum += a[d] * b[d];
        }
        return sum;
    }

    private static float[] vector(Random rnd) {
        float[] v = new float[LEN];
        for (int d = 0; d < LEN; d++) {
            v[d] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static List<RankedResult> ranked(OneInputStreamOperatorTestHarness<RankerSample, RankerPublication> h) {
        List<RankedResult> out = new ArrayList<>();
        var side = h.getSideOutput(RankerTrainer.RANKED);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
            side.clear();
        }
        return out;
    }

    @Test
    void reranksBeforeLearningLearnsInBatchesAndPublishesWhenChanged() throws Exception {
        var h = trainer(settings(16), null);
        h.setProcessingTime(100);
        Random rnd = new Random(3);
        // Four rows per retrieved sample (the item and three negatives), one for an unretrieved one.
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(sample(rnd, i, i)));
        }
        h.processElement(new StreamRecord<>(sample(rnd, 3, -1)));
        assertTrue(ranked(h).isEmpty(), "13 rows pending, below the batch");
        h.processElement(new StreamRecord<>(sample(rnd, 4, 5)));
        List<RankedResult> first = ranked(h);
        assertEquals(5, first.size());
        // A new ranker orders as retrieval does, and the batch was ranked before the model learned from it.
        for (RankedResult r : first) {
            assertEquals(r.retrievalRank, r.rankedRank, "ranked by the model before its first step");
            assertEquals(6, r.candidates);
        }
        assertEquals(-1, first.get(3).rankedRank, "an item retrieval did not find cannot be re-ranked");

        assertTrue(h.extractOutputValues().isEmpty(), "nothing published before the interval");
        h.setProcessingTime(1_000);
        List<RankerPublication> published = h.extractOutputValues();
        assertEquals(1, published.size());
        RankerModel model = RankerModel.fromBytes(published.get(0).bytes);
        assertEquals(1, model.version());
        assertEquals(4 * 4 + 1, model.examples(), "rows: four retrieved items with three negatives each, and the "
                + "rating of the unretrieved one");
    }

    @Test
    void pendingSamplesAreLearnedAtTheIntervalAndARestoreContinuesExactly() throws Exception {
        var h = trainer(settings(1000), null);
        h.setProcessingTime(100);
        Random rnd = new Random(5);
        for (int i = 0; i < 7; i++) {
            h.processElement(new StreamRecord<>(sample(rnd, i, i % 6)));
        }
        assertTrue(ranked(h).isEmpty());
        h.setProcessingTime(1_000); // the interval: pending samples are learned from, then published
        assertEquals(7, ranked(h).size());
        assertEquals(1, h.extractOutputValues().size());
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(sample(rnd, i, i)));
        }
        h.prepareSnapshotPreBarrier(1); // learns from the 3 pending ones before the barrier
        OperatorSubtaskState snapshot = h.snapshot(1, 1_100);
        assertEquals(3, ranked(h).size());

        var restored = trainer(settings(1000), snapshot);
        restored.setProcessingTime(1_100);
        Random more = new Random(9);
        Random same = new Random(9);
        for (int i = 0; i < 5; i++) {
            h.processElement(new StreamRecord<>(sample(more, i, i)));
            restored.processElement(new StreamRecord<>(sample(same, i, i)));
        }
        h.setProcessingTime(2_000);
        restored.setProcessingTime(2_000);
        List<RankerPublication> a = h.extractOutputValues();
        List<RankerPublication> b = restored.extractOutputValues();
        RankerPublication lastA = a.get(a.size() - 1);
        RankerPublication lastB = b.get(b.size() - 1);
        assertEquals(3, lastA.version);
        assertEquals(lastA.version, lastB.version);
        assertArrayEquals(lastA.bytes, lastB.bytes, "the restored ranker learned exactly as the original");
    }

    @Test
    void theUserTowerSamplesItsRetrievedCandidatesWithoutTheUsersHistory() throws Exception {
        ModelParams params = ModelParams.defaults().copy().set("model.dim", "4").set("model.negatives", "4");
        TowerSettings tower = new TowerSettings(1, Duration.ofMillis(50), Duration.ofSeconds(1), 0.0, false,
                Duration.ZERO, Duration.ZERO, 1000, 1000);
        KeyedTwoInputStreamOperatorTestHarness<String, InteractionEvent, EmbeddingUpdate, ItemGradient> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new UserTower(params, tower,
                        new RankerSettings(true, 1.0, 6, 3, 64, Duration.ofSeconds(1), SMALL)),
                        e -> e.userId, null, Types.STRING, 128, 1, 0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.setup();
        h.open();
        long t0 = 1_714_564_800_000L;
        for (int i = 0; i < 20; i++) {
            h.processElement1(new StreamRecord<>(new InteractionEvent("other", "i" + i, EventType.CLICK, t0 + i)));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            String item = "i" + (i * 3 % 20);
            h.processElement1(new StreamRecord<>(new InteractionEvent("u", item, EventType.CLICK, t0 + 100 + i)));
            seen.add(item);
        }
        h.processElement1(new StreamRecord<>(new InteractionEvent("u", "i3", EventType.PURCHASE, t0 + 200)));
        var samples = h.getSideOutput(UserTower.RANKER_SAMPLES);
        assertNotNull(samples);
        assertEquals(27, samples.size(), "every event with ranker.sample 1");
        RankerSample last = null;
        for (StreamRecord<RankerSample> r : samples) {
            last = r.getValue();
        }
        assertEquals("i3", last.itemId);
        assertEquals(6, last.candidateIds.length);
        int len = last.query.length;
        for (int i = 0; i < last.candidateIds.length; i++) {
            String id = last.candidateIds[i];
            assertFalse(seen.contains(id) && !id.equals("i3"), "the user's history is excluded, the item is not");
            float dot = 0;
            for (int d = 0; d < len; d++) {
                dot += last.query[d] * last.candidateRows[i * len + d];
            }
            assertEquals(dot, last.candidateScores[i], 1e-5f);
            if (i > 0) {
                assertTrue(last.candidateScores[i - 1] >= last.candidateScores[i], "best first");
            }
        }
        int at = java.util.Arrays.asList(last.candidateIds).indexOf("i3");
        assertEquals(at, last.retrievalRank);
        assertEquals(ModelParams.defaults().weightOf(EventType.PURCHASE, null), last.weight, 0f);
        assertEquals(0f, last.ratingWeight);
    }
}
