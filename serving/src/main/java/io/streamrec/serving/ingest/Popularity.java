package io.streamrec.serving.ingest;

import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Time-decayed item popularity from the interactions topic: each event adds {@code 2^(-(now - t)/halfLife)}, with
 * {@code now} the newest event time seen (event time, so a replay of old data ranks as it did then). It is kept as
 * {@code a_i = sum 2^((t - ref)/halfLife)} for a fixed reference time, which decays every item alike and so needs
 * no per-event rescaling; the reference moves forward (rescaling every item once) before the exponent can overflow.
 *
 * <p>Bounded: at most {@code maxItems} items are tracked; beyond it the least popular tenth is dropped. The state
 * goes to RocksDB in the interactions batch, so it survives restarts with the offsets it covers. The ranked list
 * queries read is recomputed at most once a second and published as an immutable snapshot.
 *
 * <p>Not the trainer's {@code PopularityTracker} (its live metric's baseline: per subtask, weighted by event type,
 * Space-Saving, in Flink state) nor evaluate's {@code PopularityBaseline} (exact, undecayed counts for the offline
 * report): this one serves answers, so it sees every partition of the topic, forgets old popularity and persists
 * with the node's offsets.
 *
 * <p>Thread-safety: {@link #add}, {@link #beforeWrite} and {@link #publish} run on the interactions thread only;
 * {@link #ranked} may be called from any thread.
 */
public final class Popularity {
    private static final String META_REF = "popularity.ref";
    private static final double MAX_EXPONENT = 60; // 2^60: far from double overflow, far above float noise

    /** The popular items in rank order, with their decayed scores as of {@code nowMs}. Immutable. */
    public static final class Ranked {
        public final List<String> items;
        public final double[] scores;
        public final long nowMs;

        Ranked(List<String> items, double[] scores, long nowMs) {
            this.items = items;
            this.scores = scores;
            this.nowMs = nowMs;
        }
    }

    private final StateStore store;
    private final ColumnFamilyHandle cf;
    private final double halfLifeMs;
    private final int maxItems;
    private final int rankedSize;
    private final Map<String, Double> acc = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> deleted = new HashSet<>();
    private long refMs = Long.MIN_VALUE;
    private boolean rebased;
    private long newestMs = Long.MIN_VALUE;
    private long lastRankMs;
    private boolean changedSinceRank;
    private volatile Ranked ranked = new Ranked(List.of(), new double[0], 0);

    /**
     * @param rankedSize how many items the published ranking keeps: at least the largest k plus the most items a
     *                   request can exclude, so that exclusion never leaves fewer than k when more exist
     */
    public Popularity(StateStore store, Duration halfLife, int maxItems, int rankedSize) {
        this.store = store;
        this.cf = store.cf(StateStore.CF_POPULARITY);
        this.halfLifeMs = halfLife.toMillis();
        this.maxItems = maxItems;
        this.rankedSize = rankedSize;
        load();
    }

    private void load() {
        byte[] ref = store.meta(META_REF);
        if (ref != null) {
            ByteBuffer b = ByteBuffer.wrap(ref);
            refMs = b.getLong();
            newestMs = b.getLong();
        }
        try (RocksIterator it = store.db().newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                acc.put(new String(it.key(), StandardCharsets.UTF_8), ByteBuffer.wrap(it.value()).getDouble());
            }
        }
        changedSinceRank = true;
        publish(true);
    }

    /** Counts one interaction with the item at event time {@code tsMs}. */
    public void add(String itemId, long tsMs, double weight) {
        if (refMs == Long.MIN_VALUE) {
            refMs = tsMs;
            rebased = true;
        }
        newestMs = Math.max(newestMs, tsMs);
        if ((newestMs - refMs) / halfLifeMs > MAX_EXPONENT) {
            rebase(newestMs);
        }
        double inc = weight * Math.pow(2, (tsMs - refMs) / halfLifeMs);
        acc.merge(itemId, inc, Double::sum);
        dirty.add(itemId);
        deleted.remove(itemId);
        changedSinceRank = true;
    }

    private void rebase(long newRef) {
        double f = Math.pow(2, (refMs - newRef) / halfLifeMs);
        acc.replaceAll((k, v) -> v * f);
        dirty.addAll(acc.keySet());
        refMs = newRef;
        rebased = true;
    }

    /** Adds this poll's changes to the interactions batch (bounded size enforced here). */
    public void beforeWrite(WriteBatchWithIndex batch) {
        if (acc.size() > maxItems) {
            evictLeastPopular();
        }
        try {
            for (String id : dirty) {
                Double v = acc.get(id);
                if (v != null) {
                    batch.put(cf, id.getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(8).putDouble(v).array());
                }
            }
            for (String id : deleted) {
                batch.delete(cf, id.getBytes(StandardCharsets.UTF_8));
            }
        } catch (RocksDBException e) {
            throw new StoreException("RocksDB batch failed: " + e.getMessage(), e);
        }
        if (!dirty.isEmpty() || rebased) {
            store.putMeta(batch, META_REF, ByteBuffer.allocate(16).putLong(refMs).putLong(newestMs).array());
        }
        dirty.clear();
        deleted.clear();
        rebased = false;
    }

    private void evictLeastPopular() {
        double[] values = acc.values().stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(values);
        double cut = values[acc.size() - (int) (maxItems * 0.9)];
        acc.entrySet().removeIf(e -> {
            if (e.getValue() < cut) {
                deleted.add(e.getKey());
                dirty.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    /** Recomputes the ranking if it changed and a second has passed (or {@code force}). */
    public void publish(boolean force) {
        long now = System.currentTimeMillis();
        // The first ranking goes out at once (a cold-start user should not wait a second for any answer).
        if (!changedSinceRank || (!force && now - lastRankMs < 1000 && !ranked.items.isEmpty())) {
            return;
        }
        lastRankMs = now;
        changedSinceRank = false;
        // Bounded selection: a min-heap of rankedSize over all tracked items, O(n log rankedSize).
        PriorityQueue<Map.Entry<String, Double>> heap =
                new PriorityQueue<>(Map.Entry.comparingByValue());
        for (Map.Entry<String, Double> e : acc.entrySet()) {
            if (heap.size() < rankedSize) {
                heap.add(Map.entry(e.getKey(), e.getValue()));
            } else if (e.getValue() > heap.peek().getValue()) {
                heap.poll();
                heap.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        List<Map.Entry<String, Double>> top = new ArrayList<>(heap);
        top.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        double scale = refMs == Long.MIN_VALUE ? 1 : Math.pow(2, (refMs - newestMs) / halfLifeMs);
        List<String> ids = new ArrayList<>(top.size());
        double[] scores = new double[top.size()];
        for (int i = 0; i < top.size(); i++) {
            ids.add(top.get(i).getKey());
            scores[i] = top.get(i).getValue() * scale;
        }
        ranked = new Ranked(Collections.unmodifiableList(ids), scores, newestMs);
    }

    /** The latest published ranking; never null. */
    public Ranked ranked() {
        return ranked;
    }

    /** Number of tracked items. */
    public int trackedItems() {
        return acc.size();
    }
}
