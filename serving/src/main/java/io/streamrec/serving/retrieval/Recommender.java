package io.streamrec.serving.retrieval;

import io.streamrec.ranker.RankerModel;
import io.streamrec.schema.EventType;
import io.streamrec.schema.features.QuerySpec;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.rank.Reranker;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.UserVectorStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers the three questions the HTTP API asks, from the served snapshot, the user vectors, the seen items and
 * popularity: top-k for a known user, top-k for an anonymous history, and items similar to an item. Each call
 * reads the served snapshot exactly once, so its answer uses exactly one version.
 *
 * <p>A model answer (a user's or a session's) may go through the ranking stage ({@link Reranker}): retrieval then
 * returns {@code max(k, rank.candidates)} candidates, with the same exact exclusions, and the ranker's best k of
 * them are the answer. Similar items and popular answers are never ranked.
 *
 * <p>Thread-safe: everything it reads is immutable or thread-safe.
 */
public final class Recommender {

    /** Which of the user's seen items to exclude. */
    public enum ExcludePolicy {
        /** Everything the user interacted with (default). */
        SEEN,
        /** Only what they purchased (re-showing clicked items is allowed). */
        PURCHASED,
        /** Nothing from the user's history; explicit exclusions still apply. */
        NONE
    }

    /** Whether a model answer may go through the ranking stage. */
    public enum RankMode {
        /** Rank with the ranker model when there is one that takes the served vectors (default). */
        AUTO,
        /** Answer in retrieval order. */
        NONE
    }

    /** One recommended item. */
    public static final class Scored {
        public final String itemId;
        /** The retrieval score (or the popularity of a popular answer), whether or not the answer was ranked. */
        public final double score;
        /** The ranker's logit, null when the answer was not ranked. */
        public final Float rankScore;

        public Scored(String itemId, double score) {
            this(itemId, score, null);
        }

        public Scored(String itemId, double score, Float rankScore) {
            this.itemId = itemId;
            this.score = score;
            this.rankScore = rankScore;
        }
    }

    /** A response: strategy ("model" or "popular"), the snapshot it used (null if none yet), the items. */
    public static final class Result {
        public final String strategy;
        public final SnapshotVersion snapshot;
        public final List<Scored> items;
        /** Distinct item ids excluded for this request (seen + explicit). */
        public final int excluded;
        /** The version of the ranker model that ordered the items, null when none did. */
        public final Long rankerVersion;

        Result(String strategy, SnapshotVersion snapshot, List<Scored> items, int excluded, Long rankerVersion) {
            this.strategy = strategy;
            this.snapshot = snapshot;
            this.items = items;
            this.excluded = excluded;
            this.rankerVersion = rankerVersion;
        }
    }

    /** The item of a similar-items request is not in the served snapshot. */
    public static final class UnknownItemException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnknownItemException(String message) {
            super(message);
        }
    }

    public static final String MODEL = "model";
    public static final String POPULAR = "popular";
    /** The user id an anonymous session's rows carry for the ranker (it reads user ids for ratings only). */
    static final String ANONYMOUS = "";

    private final SnapshotHolder snapshots;
    private final UserVectorStore users;
    private final SeenItemsStore seen;
    private final Popularity popularity;
    private final TopK topK;
    /** The ranking stage, null for none. */
    private final Reranker reranker;

    /** A recommender without a ranking stage: every answer in retrieval order. */
    public Recommender(SnapshotHolder snapshots, UserVectorStore users, SeenItemsStore seen, Popularity popularity,
                       TopK topK) {
        this(snapshots, users, seen, popularity, topK, null);
    }

    /** @param reranker the ranking stage of model answers; null for none */
    public Recommender(SnapshotHolder snapshots, UserVectorStore users, SeenItemsStore seen, Popularity popularity,
                       TopK topK, Reranker reranker) {
        this.snapshots = snapshots;
        this.users = users;
        this.seen = seen;
        this.popularity = popularity;
        this.topK = topK;
        this.reranker = reranker;
    }

    /** Top-k for a user, in the current context. */
    public Result forUser(String userId, int k, ExcludePolicy policy, Collection<String> excludeItems) {
        return forUser(userId, k, policy, excludeItems, QueryContext.NOW);
    }

    /** Top-k for a user, ranked when a ranker model is there ({@link RankMode#AUTO}). */
    public Result forUser(String userId, int k, ExcludePolicy policy, Collection<String> excludeItems,
                          QueryContext context) {
        return forUser(userId, k, policy, excludeItems, context, RankMode.AUTO);
    }

    /**
     * Top-k for a user: the model if the user has a vector of the served dimension, or, without one, recent items
     * this node has seen the user touch (the query is then their history term alone); else popular items. The query
     * is formed as the trainer forms it ({@link QuerySpec}): the user's vector plus the recency-weighted vectors of
     * the user's latest items as this node knows them (so a click changes the very next answer) plus the context's.
     * The ranking stage then orders a model answer unless {@code rank} is {@link RankMode#NONE}.
     */
    public Result forUser(String userId, int k, ExcludePolicy policy, Collection<String> excludeItems,
                          QueryContext context, RankMode rank) {
        ItemSnapshot snap = snapshots.get();
        Set<String> excluded = new HashSet<>(excludeItems);
        int recentSize = snap == null || snap.querySpec == null ? 0 : snap.querySpec.historySize();
        RecentItems recent = new RecentItems(recentSize);
        seen.forEach(userId, (item, mask, ts, sequence) -> {
            if (policy == ExcludePolicy.SEEN
                    || policy == ExcludePolicy.PURCHASED && SeenItemsStore.has(mask, EventType.PURCHASE)) {
                excluded.add(item);
            }
            recent.offer(item, sequence, ts);
        });
        if (snap == null || snap.matrix.size() == 0) {
            return popular(snap, k, excluded);
        }
        UserVectorStore.UserVector uv = users.get(userId);
        float[] user = uv != null && uv.vector.length == snap.matrix.dim() ? uv.vector : null;
        if (snap.querySpec == null || snap.querySpec.vectorLength() != snap.matrix.dim()) {
            // A trainer that publishes no query spec publishes each user's query as its vector.
            return user != null ? model(snap, userId, user, k, excluded, rank) : popular(snap, k, excluded);
        }
        List<String> latest = recent.oldestFirst();
        if (user == null && !knowsAny(snap, latest)) {
            return popular(snap, k, excluded);
        }
        float[] q = query(snap, user != null ? user : anonymousUser(snap.querySpec), latest, context);
        return model(snap, userId, q, k, excluded, rank);
    }

    /**
     * Top-k for an anonymous session, in the current context.
     */
    public Result forHistory(List<String> history, int k, Collection<String> excludeItems) {
        return forHistory(history, k, excludeItems, QueryContext.NOW);
    }

    /** Top-k for an anonymous session, ranked when a ranker model is there ({@link RankMode#AUTO}). */
    public Result forHistory(List<String> history, int k, Collection<String> excludeItems, QueryContext context) {
        return forHistory(history, k, excludeItems, context, RankMode.AUTO);
    }

    /**
     * Top-k for an anonymous session ({@code history} oldest first): the trainer's query with no user vector, i.e.
     * the recency-weighted vectors of the session's latest items plus the context's; history items and
     * {@code excludeItems} are excluded. Unknown history ids add nothing; with none known, popular items. The
     * ranking stage orders a model answer unless {@code rank} is {@link RankMode#NONE}; the session has no user id.
     */
    public Result forHistory(List<String> history, int k, Collection<String> excludeItems, QueryContext context,
                             RankMode rank) {
        ItemSnapshot snap = snapshots.get();
        Set<String> excluded = new HashSet<>(excludeItems);
        excluded.addAll(history);
        if (snap == null || snap.matrix.size() == 0 || !knowsAny(snap, history)) {
            return popular(snap, k, excluded);
        }
        QuerySpec spec = snap.querySpec;
        if (spec == null || spec.vectorLength() != snap.matrix.dim()) {
            // No spec from the trainer: the plain mean of the known items (bias coordinate included).
            return model(snap, ANONYMOUS, meanOfKnown(snap.matrix, history), k, excluded, rank);
        }
        // The latest distinct items, oldest first, as a user's history is kept.
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String id : history) {
            distinct.remove(id);
            distinct.add(id);
        }
        List<String> all = new ArrayList<>(distinct);
        List<String> latest = all.subList(Math.max(0, all.size() - spec.historySize()), all.size());
        return model(snap, ANONYMOUS, query(snap, anonymousUser(spec), latest, context), k, excluded, rank);
    }

    /** The query of a user vector, the user's latest items (oldest first) and a context, per the snapshot's spec. */
    static float[] query(ItemSnapshot snap, float[] user, List<String> latest, QueryContext context) {
        QuerySpec spec = snap.querySpec;
        String[] keys = context.keys(spec.context(), System.currentTimeMillis());
        List<float[]> contextVectors = new ArrayList<>(keys.length);
        for (String key : keys) {
            contextVectors.add(snap.featureVector(key));
        }
        return spec.query(user, latest, id -> {
            int o = snap.matrix.ordinal(id);
            return o >= 0 ? snap.matrix.vector(o) : null;
        }, contextVectors);
    }

    /** The user part of an anonymous query: zero, with the bias coordinate 1 when items have biases. */
    static float[] anonymousUser(QuerySpec spec) {
        float[] u = new float[spec.vectorLength()];
        if (spec.itemBias()) {
            u[spec.dim()] = 1f;
        }
        return u;
    }

    private static boolean knowsAny(ItemSnapshot snap, List<String> ids) {
        for (String id : ids) {
            if (snap.matrix.ordinal(id) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static float[] meanOfKnown(ItemMatrix m, List<String> history) {
        float[] q = new float[m.dim()];
        int known = 0;
        for (String id : new LinkedHashSet<>(history)) {
            int o = m.ordinal(id);
            if (o >= 0) {
                float[] v = m.vector(o);
                for (int j = 0; j < q.length; j++) {
                    q[j] += v[j];
                }
                known++;
            }
        }
        for (int j = 0; j < q.length; j++) {
            q[j] /= known;
        }
        return q;
    }

    /** The n most recent of a user's seen items (by interaction sequence, then time, then id). */
    static final class RecentItems {
        private final int n;
        private final java.util.PriorityQueue<Object[]> heap;

        RecentItems(int n) {
            this.n = n;
            // Oldest on top, so that it is the one replaced by a more recent item.
            this.heap = new java.util.PriorityQueue<>(Math.max(1, n + 1), RecentItems::compare);
        }

        private static int compare(Object[] a, Object[] b) {
            int c = Long.compare((Long) a[1], (Long) b[1]);
            if (c == 0) {
                c = Long.compare((Long) a[2], (Long) b[2]);
            }
            return c != 0 ? c : ((String) a[0]).compareTo((String) b[0]);
        }

        void offer(String item, long sequence, long time) {
            if (n == 0) {
                return;
            }
            heap.add(new Object[] {item, sequence, time});
            if (heap.size() > n) {
                heap.poll();
            }
        }

        List<String> oldestFirst() {
            List<Object[]> all = new ArrayList<>(heap);
            all.sort(RecentItems::compare);
            List<String> out = new ArrayList<>(all.size());
            for (Object[] e : all) {
                out.add((String) e[0]);
            }
            return out;
        }
    }

    /** Items most similar (cosine) to the given item, never the item itself. */
    public Result similar(String itemId, int k) throws UnknownItemException {
        ItemSnapshot snap = snapshots.get();
        int o = snap == null ? -1 : snap.matrix.ordinal(itemId);
        if (o < 0) {
            throw new UnknownItemException(snap == null ? "no item snapshot is served yet"
                    : "item '" + itemId + "' is not in snapshot " + snap.version.version);
        }
        Exclusion self = Exclusion.builder(snap.matrix.size()).add(o).build();
        TopKResult r = topK.search(snap.matrix, snap.matrix.vector(o), k, self, Similarity.COSINE);
        return new Result(MODEL, snap.version, toScored(snap.matrix, r, k), 1, null);
    }

    /**
     * Retrieval of the query's best items, none excluded, then the ranking stage when it may run: retrieval returns
     * {@code max(k, rank.candidates)} candidates, which the ranker orders; the answer is its best k. Without a
     * usable model retrieval returns k; if the model fails on the candidates, their first k are the answer, in
     * retrieval order, the same items as a retrieval of k.
     */
    private Result model(ItemSnapshot snap, String userId, float[] query, int k, Set<String> excluded,
                         RankMode rank) {
        ItemMatrix m = snap.matrix;
        Exclusion.Builder b = Exclusion.builder(m.size());
        for (String id : excluded) {
            b.add(m.ordinal(id));
        }
        RankerModel ranker = rank == RankMode.AUTO && reranker != null ? reranker.modelFor(query.length) : null;
        int fetch = ranker != null ? reranker.candidates(k) : k;
        TopKResult r = topK.search(m, query, fetch, b.build(), Similarity.DOT);
        Reranker.Ranking ranking = ranker != null ? reranker.rank(ranker, m, userId, query, r, k) : null;
        if (ranking == null) {
            return new Result(MODEL, snap.version, toScored(m, r, k), excluded.size(), null);
        }
        List<Scored> out = new ArrayList<>(ranking.order.length);
        for (int i = 0; i < ranking.order.length; i++) {
            int c = ranking.order[i];
            out.add(new Scored(m.id(r.ordinal(c)), r.score(c), ranking.logits[i]));
        }
        return new Result(MODEL, snap.version, out, excluded.size(), ranking.modelVersion);
    }

    /**
     * The most popular items not excluded; once a snapshot is served, only items it serves, so that an item the
     * catalog retired (or whose state expired) is not answered as popular either.
     */
    private Result popular(ItemSnapshot snap, int k, Set<String> excluded) {
        Popularity.Ranked ranked = popularity.ranked();
        List<Scored> out = new ArrayList<>(Math.min(k, ranked.items.size()));
        boolean served = snap != null && snap.matrix.size() > 0;
        for (int i = 0; i < ranked.items.size() && out.size() < k; i++) {
            String id = ranked.items.get(i);
            if (!excluded.contains(id) && (!served || snap.matrix.ordinal(id) >= 0)) {
                out.add(new Scored(id, ranked.scores[i]));
            }
        }
        return new Result(POPULAR, snap == null ? null : snap.version, out, excluded.size(), null);
    }

    /** The first (at most) k of a retrieval result. */
    private static List<Scored> toScored(ItemMatrix m, TopKResult r, int k) {
        int n = Math.min(k, r.size());
        List<Scored> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Scored(m.id(r.ordinal(i)), r.score(i)));
        }
        return out;
    }
}
