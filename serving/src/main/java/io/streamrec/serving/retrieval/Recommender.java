package io.streamrec.serving.retrieval;

import io.streamrec.schema.EventType;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.UserVectorStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers the three questions the HTTP API asks, from the served snapshot, the user vectors, the seen items and
 * popularity: top-k for a known user, top-k for an anonymous history, and items similar to an item. Each call
 * reads the served snapshot exactly once, so its answer uses exactly one version.
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

    /** One recommended item. */
    public static final class Scored {
        public final String itemId;
        public final double score;

        public Scored(String itemId, double score) {
            this.itemId = itemId;
            this.score = score;
        }
    }

    /** A response: strategy ("model" or "popular"), the snapshot it used (null if none yet), the items. */
    public static final class Result {
        public final String strategy;
        public final SnapshotVersion snapshot;
        public final List<Scored> items;
        /** Distinct item ids excluded for this request (seen + explicit). */
        public final int excluded;

        Result(String strategy, SnapshotVersion snapshot, List<Scored> items, int excluded) {
            this.strategy = strategy;
            this.snapshot = snapshot;
            this.items = items;
            this.excluded = excluded;
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

    private final SnapshotHolder snapshots;
    private final UserVectorStore users;
    private final SeenItemsStore seen;
    private final Popularity popularity;
    private final TopK topK;

    public Recommender(SnapshotHolder snapshots, UserVectorStore users, SeenItemsStore seen, Popularity popularity,
                       TopK topK) {
        this.snapshots = snapshots;
        this.users = users;
        this.seen = seen;
        this.popularity = popularity;
        this.topK = topK;
    }

    /** Top-k for a user: the model if the user has a vector of the served dimension, else popular items. */
    public Result forUser(String userId, int k, ExcludePolicy policy, Collection<String> excludeItems) {
        ItemSnapshot snap = snapshots.get();
        Set<String> excluded = new HashSet<>(excludeItems);
        if (policy != ExcludePolicy.NONE) {
            seen.forEach(userId, (item, mask, ts) -> {
                if (policy == ExcludePolicy.SEEN || SeenItemsStore.has(mask, EventType.PURCHASE)) {
                    excluded.add(item);
                }
            });
        }
        UserVectorStore.UserVector uv = snap == null ? null : users.get(userId);
        if (uv != null && uv.vector.length == snap.matrix.dim() && snap.matrix.size() > 0) {
            return model(snap, uv.vector, k, excluded);
        }
        return popular(snap, k, excluded);
    }

    /**
     * Top-k for an anonymous session: the query is the mean of the known history items' vectors; history items
     * and {@code excludeItems} are excluded. Unknown history ids are ignored; with none known, popular items.
     */
    public Result forHistory(List<String> history, int k, Collection<String> excludeItems) {
        ItemSnapshot snap = snapshots.get();
        Set<String> excluded = new HashSet<>(excludeItems);
        excluded.addAll(history);
        if (snap != null && snap.matrix.size() > 0) {
            ItemMatrix m = snap.matrix;
            float[] q = new float[m.dim()];
            int known = 0;
            for (String id : new HashSet<>(history)) {
                int o = m.ordinal(id);
                if (o >= 0) {
                    float[] v = m.vector(o);
                    for (int j = 0; j < q.length; j++) {
                        q[j] += v[j];
                    }
                    known++;
                }
            }
            if (known > 0) {
                for (int j = 0; j < q.length; j++) {
                    q[j] /= known;
                }
                return model(snap, q, k, excluded);
            }
        }
        return popular(snap, k, excluded);
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
        return new Result(MODEL, snap.version, toScored(snap.matrix, r), 1);
    }

    private Result model(ItemSnapshot snap, float[] query, int k, Set<String> excluded) {
        ItemMatrix m = snap.matrix;
        Exclusion.Builder b = Exclusion.builder(m.size());
        for (String id : excluded) {
            b.add(m.ordinal(id));
        }
        TopKResult r = topK.search(m, query, k, b.build(), Similarity.DOT);
        return new Result(MODEL, snap.version, toScored(m, r), excluded.size());
    }

    private Result popular(ItemSnapshot snap, int k, Set<String> excluded) {
        Popularity.Ranked ranked = popularity.ranked();
        List<Scored> out = new ArrayList<>(Math.min(k, ranked.items.size()));
        for (int i = 0; i < ranked.items.size() && out.size() < k; i++) {
            String id = ranked.items.get(i);
            if (!excluded.contains(id)) {
                out.add(new Scored(id, ranked.scores[i]));
            }
        }
        return new Result(POPULAR, snap == null ? null : snap.version, out, excluded.size());
    }

    private static List<Scored> toScored(ItemMatrix m, TopKResult r) {
        List<Scored> out = new ArrayList<>(r.size());
        for (int i = 0; i < r.size(); i++) {
            out.add(new Scored(m.id(r.ordinal(i)), r.score(i)));
        }
        return out;
    }
}
