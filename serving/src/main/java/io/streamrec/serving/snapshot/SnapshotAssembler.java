package io.streamrec.serving.snapshot;

import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.serving.ingest.VectorChecks;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides when an item snapshot is complete and what it contains, from the records of the {@code item-embeddings}
 * topic in arrival order. Pure logic (no Kafka, no RocksDB): the {@link SnapshotLoader} feeds it and persists its
 * state.
 *
 * <p>Rules (the contract in {@code embedding_record.avsc}):
 * <ul>
 *   <li>Embedding records are held per item as pending entries tagged with their version. A swap to version N
 *       applies, per item, the latest-arrived entry with version &le; N and keeps entries &gt; N pending, so a
 *       fast subtask already publishing N+1 never leaks into N.</li>
 *   <li>Each subtask's latest marker (by arrival, not by maximum: after a trainer restore an older version can be
 *       republished, and what follows it is newer) is tracked; N = the minimum over subtasks 0..subtasks-1. When N
 *       exceeds the served version the snapshot is complete.</li>
 *   <li>Markers count their subtask's records. Records travel on other partitions than the marker, so a marker
 *       can be read first: the swap waits until every counted record has arrived, or until {@code recordWaitMs}
 *       after completion (then it swaps anyway, reported as unverified; e.g. compaction removed superseded
 *       records, so the count can never be reached).</li>
 *   <li>An entry arriving for an item with pending entries of the same or higher version replaces them: those
 *       came from a timeline the trainer abandoned when it restored.</li>
 *   <li>If markers announce a different number of subtasks (the trainer's parallelism changed), marker tracking
 *       restarts with the new count.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the loader thread.
 */
public final class SnapshotAssembler {

    /** A record waiting for its snapshot to complete: an entity's new vector (and features), or its removal. */
    static final class Pending {
        final long version;
        final Update update;

        Pending(long version, Update update) {
            this.version = version;
            this.update = update;
        }
    }

    /**
     * What a snapshot says of one entity (an item, or a feature or context key): its new vector and, for an item,
     * the features its served vector is composed of; or that it is removed (retired, or its state expired).
     */
    public static final class Update {
        /** Null for a removal. */
        public final float[] vector;
        public final ItemFeatures features;
        /** An item's popularity (events that had it as positive), for the query spec's prior; 0 otherwise. */
        public final float popularity;

        private Update(float[] vector, ItemFeatures features, float popularity) {
            this.vector = vector;
            this.features = features;
            this.popularity = popularity;
        }

        public static Update of(float[] vector, ItemFeatures features) {
            return new Update(vector, features, 0f);
        }

        public static Update of(float[] vector, ItemFeatures features, float popularity) {
            return new Update(vector, features, popularity);
        }

        public static Update of(float[] vector) {
            return new Update(vector, ItemFeatures.NONE, 0f);
        }

        public static Update removal() {
            return new Update(null, ItemFeatures.NONE, 0f);
        }

        public boolean removed() {
            return vector == null;
        }
    }

    /** What a swap applies to the served model. */
    public static final class Swap {
        public final long version;
        public final long publishedAtMs;
        /** Entity id -> update, in a deterministic order (sorted by id). */
        public final Map<String, Update> updates;
        /** False when the record-wait ran out before every record the markers counted had arrived. */
        public final boolean verified;
        /** The query spec the markers of this version carried (JSON), "" when they carried none. */
        public final String querySpec;

        Swap(long version, long publishedAtMs, Map<String, Update> updates, boolean verified, String querySpec) {
            this.version = version;
            this.publishedAtMs = publishedAtMs;
            this.updates = updates;
            this.verified = verified;
            this.querySpec = querySpec;
        }
    }

    /** Pending versions kept per item; normally 1-2 (one snapshot interval ahead at most). */
    static final int MAX_PENDING_VERSIONS = 16;

    private final Map<String, ArrayDeque<Pending>> pending = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    /** (subtask, version) -> {received, expected or -1}. */
    private final Map<Long, long[]> counts = new HashMap<>();
    private long servedVersion;
    private int dim;
    private int subtasks;
    private long[] latest = new long[0];
    private long[] latestPublishedAt = new long[0];
    private long completeSinceMs = -1;
    /** The newest query spec a marker carried. */
    private String querySpec = "";

    /**
     * @param servedVersion the version already served, -1 if none
     * @param dim           the served dimension, 0 if none yet
     */
    public SnapshotAssembler(long servedVersion, int dim) {
        this.servedVersion = servedVersion;
        this.dim = dim;
    }

    /** Takes one embedding record; returns null if held, else the metric reason it was skipped. */
    public String onEmbedding(String itemId, float[] vector, long version, int subtask) {
        return onEmbedding(itemId, vector, ItemFeatures.NONE, version, subtask);
    }

    /** Takes one embedding record of an item with features (or of a feature); null if held, else why it was skipped. */
    public String onEmbedding(String itemId, float[] vector, ItemFeatures features, long version, int subtask) {
        return onEmbedding(itemId, vector, features, 0f, version, subtask);
    }

    /** {@link #onEmbedding(String, float[], ItemFeatures, long, int)} of an item with its popularity. */
    public String onEmbedding(String itemId, float[] vector, ItemFeatures features, float popularity, long version,
                              int subtask) {
        String problem = VectorChecks.problem(itemId, vector, dim);
        if (problem != null) {
            return problem;
        }
        if (dim == 0) {
            dim = vector.length; // the first vector fixes the dimension (before the first snapshot)
        }
        hold(itemId, Update.of(vector, features, popularity), version, subtask);
        return null;
    }

    /** Takes one removal record (a retired item, or an entity whose state expired). */
    public void onRemoval(String entityId, long version, int subtask) {
        hold(entityId, Update.removal(), version, subtask);
    }

    private void hold(String itemId, Update update, long version, int subtask) {
        ArrayDeque<Pending> q = pending.computeIfAbsent(itemId, k -> new ArrayDeque<>(2));
        // Keep versions strictly increasing per item: an equal or lower version supersedes what came before it.
        while (!q.isEmpty() && q.peekLast().version >= version) {
            q.pollLast();
        }
        q.addLast(new Pending(version, update));
        if (q.size() > MAX_PENDING_VERSIONS) {
            // Markers have stopped coming (a stuck subtask): bound memory. Dropping the oldest only means a swap to
            // one of those old versions would keep the item's previous vector; newer versions are unaffected.
            q.pollFirst();
        }
        dirty.add(itemId);
        if (version > servedVersion) {
            counts.computeIfAbsent(countKey(subtask, version), k -> new long[] {0, -1})[0]++;
        }
    }

    /** Takes one completion marker. */
    public void onMarker(long version, int subtask, int subtasks, long recordCount, long publishedAtMs) {
        onMarker(version, subtask, subtasks, recordCount, publishedAtMs, "");
    }

    /** Takes one completion marker carrying the trainer's query spec (JSON; "" when it carries none). */
    public void onMarker(long version, int subtask, int subtasks, long recordCount, long publishedAtMs,
                         String querySpecJson) {
        if (querySpecJson != null && !querySpecJson.isEmpty()) {
            querySpec = querySpecJson;
        }
        if (subtasks <= 0 || subtask < 0 || subtask >= subtasks) {
            return; // not a marker this contract can interpret
        }
        if (subtasks != this.subtasks) {
            this.subtasks = subtasks;
            latest = new long[subtasks];
            latestPublishedAt = new long[subtasks];
            Arrays.fill(latest, -1);
        }
        latest[subtask] = version;
        latestPublishedAt[subtask] = publishedAtMs;
        if (version > servedVersion) {
            counts.computeIfAbsent(countKey(subtask, version), k -> new long[] {0, -1})[1] = recordCount;
        }
    }

    /** The version every subtask's latest marker has reached, or -1 if some subtask has none yet. */
    public long completeVersion() {
        if (subtasks == 0) {
            return -1;
        }
        long min = Long.MAX_VALUE;
        for (long v : latest) {
            min = Math.min(min, v);
        }
        return min;
    }

    /** A swap if a snapshot newer than the served one is complete (and verified or waited for), else null. */
    public Swap trySwap(long nowMs, long recordWaitMs) {
        long n = completeVersion();
        if (n <= servedVersion) {
            return null;
        }
        boolean verified = countsVerified(n);
        if (!verified) {
            if (completeSinceMs < 0) {
                completeSinceMs = nowMs;
            }
            if (nowMs - completeSinceMs < recordWaitMs) {
                return null;
            }
        }
        Map<String, Update> updates = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, ArrayDeque<Pending>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Pending>> e = it.next();
            ArrayDeque<Pending> q = e.getValue();
            Pending apply = null;
            while (!q.isEmpty() && q.peekFirst().version <= n) {
                apply = q.pollFirst();
            }
            if (apply != null) {
                updates.put(e.getKey(), apply.update);
                dirty.add(e.getKey());
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
        long published = 0;
        for (long p : latestPublishedAt) {
            published = Math.max(published, p);
        }
        servedVersion = n;
        completeSinceMs = -1;
        counts.keySet().removeIf(k -> versionOf(k) <= n);
        return new Swap(n, published, sortedById(updates), verified, querySpec);
    }

    private boolean countsVerified(long n) {
        for (Map.Entry<Long, long[]> e : counts.entrySet()) {
            long[] c = e.getValue();
            if (versionOf(e.getKey()) <= n && c[1] >= 0 && c[0] < c[1]) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Update> sortedById(Map<String, Update> m) {
        // Deterministic ordinals for new items (tests and restarts see the same order).
        Map<String, Update> out = new LinkedHashMap<>();
        m.keySet().stream().sorted().forEach(k -> out.put(k, m.get(k)));
        return out;
    }

    // 20 bits of subtask, 44 bits of version: parallelism stays far below 2^20 and versions below 2^44.
    private static long countKey(int subtask, long version) {
        return ((long) subtask << 44) | (version & ((1L << 44) - 1));
    }

    private static long versionOf(long key) {
        return key & ((1L << 44) - 1);
    }

    public long servedVersion() {
        return servedVersion;
    }

    public int pendingItems() {
        return pending.size();
    }

    /** Item ids whose pending entries changed since the last call (to persist them); clears the set. */
    public Set<String> drainDirty() {
        Set<String> out = new HashSet<>(dirty);
        dirty.clear();
        return out;
    }

    // ---- persistence of the pending entries and the marker state ----

    /** Format tag of {@link #pendingBytes} (a negative first int; the first format began with the count). */
    private static final int PENDING_FORMAT = -3;
    /** The format before items carried a popularity (still read). */
    private static final int PENDING_FORMAT_WITHOUT_POPULARITY = -2;

    /** The item's pending entries serialized, or null if it has none. */
    public byte[] pendingBytes(String itemId) {
        ArrayDeque<Pending> q = pending.get(itemId);
        if (q == null || q.isEmpty()) {
            return null;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(PENDING_FORMAT);
            out.writeInt(q.size());
            for (Pending p : q) {
                out.writeLong(p.version);
                Update u = p.update;
                out.writeInt(u.removed() ? -1 : u.vector.length);
                if (!u.removed()) {
                    for (float f : u.vector) {
                        out.writeFloat(f);
                    }
                }
                out.writeInt(u.features.size());
                for (int i = 0; i < u.features.size(); i++) {
                    out.writeUTF(u.features.key(i));
                    out.writeFloat(u.features.weight(i));
                }
                out.writeFloat(u.popularity);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores one item's pending entries written by {@link #pendingBytes} (or by the first format). */
    public void restorePending(String itemId, byte[] bytes) {
        ArrayDeque<Pending> q = new ArrayDeque<>();
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            int first = in.readInt();
            boolean withPopularity = first == PENDING_FORMAT;
            boolean withFeatures = withPopularity || first == PENDING_FORMAT_WITHOUT_POPULARITY;
            int n = withFeatures ? in.readInt() : first;
            for (int i = 0; i < n; i++) {
                long v = in.readLong();
                int len = in.readInt();
                float[] vec = len < 0 ? null : new float[len];
                for (int j = 0; j < len; j++) {
                    vec[j] = in.readFloat();
                }
                ItemFeatures features = ItemFeatures.NONE;
                if (withFeatures) {
                    int nf = in.readInt();
                    String[] keys = new String[nf];
                    float[] weights = new float[nf];
                    for (int j = 0; j < nf; j++) {
                        keys[j] = in.readUTF();
                        weights[j] = in.readFloat();
                    }
                    features = ItemFeatures.of(keys, weights);
                }
                float popularity = withPopularity ? in.readFloat() : 0f;
                q.add(new Pending(v, vec == null ? Update.removal() : Update.of(vec, features, popularity)));
                if (dim == 0 && vec != null) {
                    dim = vec.length;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("unreadable pending entries of " + itemId, e);
        }
        pending.put(itemId, q);
    }

    /** The newest query spec the markers carried (JSON), "" if none yet. */
    public String querySpec() {
        return querySpec;
    }

    /** Marker and count state (small), for the same batch as the offsets. */
    public byte[] stateBytes() {
        byte[] spec = querySpec.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + 8 + subtasks * 16 + 4 + counts.size() * 24 + 4 + spec.length);
        b.putLong(servedVersion).putInt(dim).putInt(subtasks).putLong(completeSinceMs);
        for (int i = 0; i < subtasks; i++) {
            b.putLong(latest[i]).putLong(latestPublishedAt[i]);
        }
        b.putInt(counts.size());
        counts.forEach((k, c) -> b.putLong(k).putLong(c[0]).putLong(c[1]));
        b.putInt(spec.length).put(spec);
        return b.array();
    }

    /** Restores what {@link #stateBytes} wrote. */
    public static SnapshotAssembler fromStateBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        SnapshotAssembler a = new SnapshotAssembler(b.getLong(), b.getInt());
        a.subtasks = b.getInt();
        // The wait restarts after a restart: the clock of the old process means nothing here.
        b.getLong();
        a.latest = new long[a.subtasks];
        a.latestPublishedAt = new long[a.subtasks];
        for (int i = 0; i < a.subtasks; i++) {
            a.latest[i] = b.getLong();
            a.latestPublishedAt[i] = b.getLong();
        }
        int nc = b.getInt();
        for (int i = 0; i < nc; i++) {
            a.counts.put(b.getLong(), new long[] {b.getLong(), b.getLong()});
        }
        if (b.remaining() >= 4) { // written with the query spec
            byte[] spec = new byte[b.getInt()];
            b.get(spec);
            a.querySpec = new String(spec, java.nio.charset.StandardCharsets.UTF_8);
        }
        return a;
    }
}
