package io.streamrec.serving.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.ranker.RankerModel;
import io.streamrec.schema.EventType;
import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.QueryContext;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.Recommender.ExcludePolicy;
import io.streamrec.serving.retrieval.Recommender.RankMode;
import io.streamrec.serving.retrieval.VectorTopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotAssembler.Update;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The ranking stage inside {@link Recommender} (real RocksDB stores, a snapshot with a query spec, a history and a
 * popularity prior set by hand, a real DJL model; no Kafka, no HTTP): the model's order over exactly the features the
 * trainer learns from, k, exact exclusions, {@code rank=none}, and every fallback.
 */
class RerankerTest {
    private static final int DIM = 7; // + the bias coordinate
    private static final int ITEMS = 120;
    private static final int CANDIDATES = 50;
    private static final List<String> HISTORY = List.of("i0", "i1", "i2"); // alice's clicks, oldest first

    @TempDir
    static Path dir;
    private static StateStore store;
    private static SnapshotHolder snapshots;
    private static UserVectorStore users;
    private static SeenItemsStore seen;
    private static Popularity popularity;
    private static float[] aliceVector;
    /** Alice's candidates in retrieval order, and the four of them (retrieval ranks 30-33) the model prefers. */
    private static List<Recommender.Scored> candidates;
    private static Set<String> preferred;
    private static RankerModel model;

    private ServingMetrics metrics;
    private RankerHolder holder;
    private Recommender recommender;

    @BeforeAll
    static void setUp() {
        store = StateStore.open(dir, false);
        users = new UserVectorStore(store);
        seen = new SeenItemsStore(store, 1000);
        popularity = new Popularity(store, Duration.ofHours(1), 1000, 3000);
        Random rnd = new Random(3);
        aliceVector = gaussian(rnd, DIM + 1);
        aliceVector[DIM] = 1f;
        try (WriteBatchWithIndex b = store.newBatch()) {
            users.put(b, "alice", aliceVector, 1, 0);
            for (int h = 0; h < HISTORY.size(); h++) {
                seen.record(b, "alice", HISTORY.get(h), EventType.CLICK, 1000 + h);
            }
            store.write(b);
        }
        // A spec with a history term and a popularity prior: the query is not the user vector, the rows are not the
        // published vectors, so the test sees whether the ranker is given the served ones.
        QuerySpec spec = new QuerySpec(DIM, true, 1.0, 3, 0.8, false, 1.0, ContextSpec.NONE, 0L, 0.01, 0.3);
        Map<String, Update> items = new LinkedHashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            items.put("i" + i, Update.of(gaussian(rnd, DIM + 1), ItemFeatures.NONE, rnd.nextInt(50)));
        }
        snapshots = new SnapshotHolder();
        snapshots.set(ItemSnapshot.empty(true).apply(items, new SnapshotVersion(4, System.currentTimeMillis(), 0),
                spec.toJson()));
        // The model learns from a softmax over lists (relative logits), so it is trained on every item a request
        // with a few more exclusions can reach: the candidates and ten more.
        List<Recommender.Scored> reachable = new Recommender(snapshots, users, seen, popularity, new VectorTopK())
                .forUser("alice", CANDIDATES + 10, ExcludePolicy.SEEN, List.of()).items;
        candidates = reachable.subList(0, CANDIDATES);
        preferred = new LinkedHashSet<>();
        Map<String, float[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < reachable.size(); i++) {
            String id = reachable.get(i).itemId;
            rows.put(id, row(id));
            if (i >= 30 && i < 34) {
                preferred.add(id);
            }
        }
        model = TestRankers.published(TestRankers.train(servedQuery(), rows, preferred, 150));
    }

    @AfterAll
    static void tearDown() {
        store.close();
    }

    @BeforeEach
    void newStage() {
        metrics = new ServingMetrics();
        holder = new RankerHolder();
        recommender = new Recommender(snapshots, users, seen, popularity, new VectorTopK(),
                new Reranker(holder, metrics, CANDIDATES));
    }

    /** Alice's query as the trainer forms it: her vector plus her latest items, independently of Recommender. */
    private static float[] servedQuery() {
        ItemSnapshot s = snapshots.get();
        return s.querySpec.query(aliceVector, HISTORY, id -> s.matrix.vector(s.matrix.ordinal(id)), List.of());
    }

    /** An item's row as served: its vector with the popularity prior in the bias coordinate. */
    private static float[] row(String id) {
        ItemSnapshot s = snapshots.get();
        return s.matrix.vector(s.matrix.ordinal(id));
    }

    private Recommender.Result alice(int k, List<String> exclude, RankMode rank) {
        return recommender.forUser("alice", k, ExcludePolicy.SEEN, exclude, QueryContext.NOW, rank);
    }

    private static List<String> ids(Recommender.Result r) {
        List<String> out = new ArrayList<>();
        r.items.forEach(s -> out.add(s.itemId));
        return out;
    }

    @Test
    void theModelOrdersTheCandidatesByItsLogitOverTheServedFeatures() {
        holder.offer(model);
        Recommender.Result r = alice(10, List.of(), RankMode.AUTO);
        assertEquals(model.version(), r.rankerVersion);
        assertEquals(150, r.rankerVersion);
        assertEquals(10, r.items.size());
        assertEquals(preferred, new HashSet<>(ids(r).subList(0, 4)), "the four items the model was taught come first");

        // The oracle: the model over the retrieved candidates, with the served query, rows and retrieval scores.
        String[] cIds = new String[candidates.size()];
        float[][] cRows = new float[cIds.length][];
        float[] cScores = new float[cIds.length];
        for (int i = 0; i < cIds.length; i++) {
            cIds[i] = candidates.get(i).itemId;
            cRows[i] = row(cIds[i]);
            cScores[i] = (float) candidates.get(i).score;
            assertEquals(TestRankers.dot(servedQuery(), cRows[i]), cScores[i], 1e-4f, "retrieval dots the served row");
        }
        float[] logits = TestRankers.logits(model, servedQuery(), "alice", cIds, cRows, cScores);
        int[] order = Reranker.bestFirst(logits, 10);
        for (int i = 0; i < 10; i++) {
            Recommender.Scored s = r.items.get(i);
            assertEquals(cIds[order[i]], s.itemId, "rank " + i);
            assertEquals(logits[order[i]], s.rankScore, 1e-6f, "rank " + i);
            assertEquals(cScores[order[i]], s.score, 0.0, "the retrieval score stays the item's score");
        }
        assertEquals(1.0, metrics.rankerRanked.get());
        assertEquals(1, metrics.rankerLatency.collect().getDataPoints().get(0).getCount());
    }

    @Test
    void kIsExactAndExclusionsStayExact() {
        holder.offer(model);
        List<String> twoPreferred = new ArrayList<>(preferred).subList(0, 2);
        List<String> exclude = new ArrayList<>(twoPreferred);
        exclude.add(candidates.get(0).itemId);
        int available = ITEMS - HISTORY.size() - exclude.size();
        for (int k : new int[] {1, 2, 10, CANDIDATES, 100, 1000}) {
            Recommender.Result r = alice(k, exclude, RankMode.AUTO);
            assertEquals(Math.min(k, available), r.items.size(), "k=" + k);
            assertEquals(r.items.size(), new HashSet<>(ids(r)).size(), "no duplicates, k=" + k);
            for (String id : ids(r)) {
                assertFalse(exclude.contains(id) || HISTORY.contains(id), "k=" + k + " got excluded " + id);
            }
            assertEquals(model.version(), r.rankerVersion, "k=" + k);
            for (int i = 1; i < r.items.size(); i++) {
                assertTrue(r.items.get(i - 1).rankScore >= r.items.get(i).rankScore, "k=" + k + " rank " + i);
            }
        }
        Recommender.Result top2 = alice(2, exclude, RankMode.AUTO);
        Set<String> rest = new HashSet<>(preferred);
        twoPreferred.forEach(rest::remove);
        assertEquals(rest, new HashSet<>(ids(top2)), "the preferred items that are not excluded come first");
    }

    @Test
    void rankNoneIsRetrievalOrder() {
        holder.offer(model);
        Recommender plain = new Recommender(snapshots, users, seen, popularity, new VectorTopK());
        for (int k : new int[] {1, 10, 100}) {
            Recommender.Result none = alice(k, List.of("i7"), RankMode.NONE);
            Recommender.Result want = plain.forUser("alice", k, ExcludePolicy.SEEN, List.of("i7"));
            assertEquals(ids(want), ids(none), "k=" + k);
            assertNull(none.rankerVersion);
            for (int i = 0; i < none.items.size(); i++) {
                assertEquals(want.items.get(i).score, none.items.get(i).score, 0.0);
                assertNull(none.items.get(i).rankScore);
            }
        }
        assertEquals(0.0, metrics.rankerRanked.get());
        assertTrue(metrics.rankerFallbacks.labelValues("no_model").get() == 0.0, "rank=none is not a fallback");
    }

    @Test
    void anonymousSessionsAreRankedToo() {
        holder.offer(model);
        Recommender.Result r = recommender.forHistory(List.of("i5", "i6"), 5, List.of(), QueryContext.NOW,
                RankMode.AUTO);
        assertEquals(Recommender.MODEL, r.strategy);
        assertEquals(model.version(), r.rankerVersion);
        assertEquals(5, r.items.size());
        assertNull(recommender.forHistory(List.of("i5", "i6"), 5, List.of(), QueryContext.NOW, RankMode.NONE)
                .rankerVersion);
    }

    @Test
    void withoutAUsableModelAnswersInRetrievalOrderAndCountsWhy() {
        List<String> retrieval = ids(alice(10, List.of(), RankMode.NONE));
        // no model yet
        Recommender.Result r = alice(10, List.of(), RankMode.AUTO);
        assertEquals(retrieval, ids(r));
        assertNull(r.rankerVersion);
        assertEquals(1.0, metrics.rankerFallbacks.labelValues("no_model").get());
        // a model for other vectors
        holder.offer(TestRankers.published(TestRankers.train(new float[] {1, 0, 0, 1}, Map.of("x",
                new float[] {1, 1, 1, 1}, "y", new float[] {0, 1, 0, 1}), Set.of("x"), 200)));
        r = alice(10, List.of(), RankMode.AUTO);
        assertEquals(retrieval, ids(r));
        assertNull(r.rankerVersion);
        assertEquals(1.0, metrics.rankerFallbacks.labelValues("vector_length").get());
        // a model whose weights hold a NaN: its scores are not finite
        byte[] bytes = model.toPublishedBytes();
        ByteBuffer.wrap(bytes).putFloat(84, Float.NaN); // the first weight (RankerModel's layout: 84 header bytes)
        RankerModel nan = RankerModel.fromBytes(bytes);
        RankerHolder nanHolder = new RankerHolder();
        nanHolder.offer(nan);
        Recommender withNan = new Recommender(snapshots, users, seen, popularity, new VectorTopK(),
                new Reranker(nanHolder, metrics, CANDIDATES));
        r = withNan.forUser("alice", 10, ExcludePolicy.SEEN, List.of());
        assertEquals(retrieval, ids(r), "the first k of the candidates, in retrieval order");
        assertNull(r.rankerVersion);
        assertEquals(1.0, metrics.rankerFallbacks.labelValues("non_finite").get());
        // a model that throws (a query of the wrong length reaches it)
        Reranker stage = new Reranker(holder, metrics, CANDIDATES);
        assertNull(stage.rank(model, snapshots.get().matrix, "alice", new float[3],
                new io.streamrec.serving.retrieval.TopKResult(new int[] {0}, new float[] {1f}), 1));
        assertEquals(1.0, metrics.rankerFallbacks.labelValues("error").get());
        assertEquals(0.0, metrics.rankerRanked.get());
    }

    @Test
    void holderKeepsTheNewestOffered() {
        RankerModel older = TestRankers.published(TestRankers.train(servedQuery(), Map.of("i9", row("i9"),
                "i8", row("i8")), Set.of("i9"), 3));
        holder.offer(model);
        assertEquals(150, holder.version());
        holder.offer(older); // e.g. a trainer restored from an older checkpoint: its model is the one it learns
        assertEquals(3, holder.version());
        assertEquals(older, holder.get());
    }

    @Test
    void bestFirstOrdersByScoreDescendingAndKeepsTiesInOrder() {
        float[] s = {1f, 3f, -0f, 3f, 0f, Float.NEGATIVE_INFINITY, -2.5f, Float.MAX_VALUE, 1f, Float.MIN_VALUE};
        assertArrayEquals(new int[] {7, 1, 3, 0, 8, 9, 2, 4, 6, 5}, Reranker.bestFirst(s, 10));
        assertArrayEquals(new int[] {7, 1, 3}, Reranker.bestFirst(s, 3));
        assertArrayEquals(new int[0], Reranker.bestFirst(new float[0], 5));
        assertNotEquals(0, Reranker.bestFirst(new float[] {-1f, 2f}, 1)[0]);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
