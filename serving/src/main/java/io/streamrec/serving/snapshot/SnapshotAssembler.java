package io.streamrec.serving.snapshot;

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

    /** A record waiting for its snapshot to complete. */
    static final class Pending {
        final long version;
        final float[] vector;

        Pending(long version, float[] vector) {
            this.version = version;
            this.vector = vector;
        }
    }

    /** What a swap applies to the served matrix. */
    public static final class Swap {
        public final long version;
        public final long publishedAtMs;
        /** Item id -> new vector, in a deterministic order. */
        public final Map<String, float[]> updates;
        /** False when the record-wait ran out before every record the markers counted had arrived. */
        public final boolean verified;

        Swap(long version, long publishedAtMs, Map<String, float[]> updates, boolean verified) {
            this.version = version;
            this.publishedAtMs = publishedAtMs;
            this.updates = updates;
            this.verified = verified;
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
        String problem = VectorChecks.problem(itemId, vector, dim);
        if (problem != null) {
            return problem;
        }
        if (dim == 0) {
            dim = vector.length; // the first vector fixes the dimension (before the first snapshot)
        }
        ArrayDeque<Pending> q = pending.computeIfAbsent(itemId, k -> new ArrayDeque<>(2));
        // Keep versions strictly increasing per item: an equal or lower version supersedes what came before it.
        while (!q.isEmpty() && q.peekLast().version >= version) {
            q.pollLast();
        }
        q.addLast(new Pending(version, vector));
        if (q.size() > MAX_PENDING_VERSIONS) {
            // Markers have stopped coming (a stuck subtask): bound memory. Dropping the oldest only means a swap to
            // one of those old versions would keep the item's previous vector; newer versions are unaffected.
            q.pollFirst();
        }
        dirty.add(itemId);
        if (version > servedVersion) {
            counts.computeIfAbsent(countKey(subtask, version), k -> new long[] {0, -1})[0]++;
        }
        return null;
    }

    /** Takes one completion marker. */
    public void onMarker(long version, int subtask, int subtasks, long recordCount, long publishedAtMs) {
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
        Map<String, float[]> updates = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, ArrayDeque<Pending>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Pending>> e = it.next();
            ArrayDeque<Pending> q = e.getValue();
            Pending apply = null;
            while (!q.isEmpty() && q.peekFirst().version <= n) {
                apply = q.pollFirst();
            }
            if (apply != null) {
                updates.put(e.getKey(), apply.vector);
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
        return new Swap(n, published, sortedById(updates), verified);
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

    private static Map<String, float[]> sortedById(Map<String, float[]> m) {
        // Deterministic ordinals for new items (tests and restarts see the same order).
        Map<String, float[]> out = new LinkedHashMap<>();
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

    /** The item's pending entries serialized, or null if it has none. */
    public byte[] pendingBytes(String itemId) {
        ArrayDeque<Pending> q = pending.get(itemId);
        if (q == null || q.isEmpty()) {
            return null;
        }
        int size = 4;
        for (Pending p : q) {
            size += 8 + 4 + p.vector.length * 4;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(q.size());
        for (Pending p : q) {
            b.putLong(p.version).putInt(p.vector.length);
            for (float f : p.vector) {
                b.putFloat(f);
            }
        }
        return b.array();
    }

    /** Restores one item's pending entries written by {@link #pendingBytes}. */
    public void restorePending(String itemId, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.getInt();
        ArrayDeque<Pending> q = new ArrayDeque<>(n);
        for (int i = 0; i < n; i++) {
            long v = b.getLong();
            float[] vec = new float[b.getInt()];
            for (int j = 0; j < vec.length; j++) {
                vec[j] = b.getFloat();
            }
            q.add(new Pending(v, vec));
            if (dim == 0) {
                dim = vec.length;
            }
        }
        pending.put(itemId, q);
    }

    /** Marker and count state (small), for the same batch as the offsets. */
    public byte[] stateBytes() {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + 8 + subtasks * 16 + 4 + counts.size() * 24);
        b.putLong(servedVersion).putInt(dim).putInt(subtasks).putLong(completeSinceMs);
        for (int i = 0; i < subtasks; i++) {
            b.putLong(latest[i]).putLong(latestPublishedAt[i]);
        }
        b.putInt(counts.size());
        counts.forEach((k, c) -> b.putLong(k).putLong(c[0]).putLong(c[1]));
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
        return a;
    }
}
