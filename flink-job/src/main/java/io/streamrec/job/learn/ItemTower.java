package io.streamrec.job.learn;

import io.streamrec.job.catalog.ItemInput;
import io.streamrec.job.model.ItemState;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.job.state.States;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keyed by item id (input 1): owns the authoritative item vectors. Applies the UserTower's summed gradients with
 * Adagrad, and on every snapshot tick (input 2, a version number broadcast to every subtask) publishes the items
 * it changed since the previous tick, then one completion marker for that version.
 *
 * <p>State: the item vectors live in RocksDB (keyed state {@code item}), with the hot ones in a bounded write-back
 * cache on the heap ({@link HotStates}, {@code state.hot-items} entries, least recently updated evicted first). A
 * gradient for a hot item costs no RocksDB access; a cold one costs one read. Changed entries are written to RocksDB
 * when they are evicted and before every checkpoint ({@link #snapshotState}), so every checkpoint holds every
 * applied gradient, and RocksDB sees one write per changed item per checkpoint instead of a read and a write per
 * gradient record. This is why it is an operator and not a process function: writing an evicted entry back needs
 * that entry's key.
 *
 * <p>Changed items are the hot entries marked unpublished, plus the items evicted before they were published,
 * which carry a flag in keyed state {@code item-dirty}; a tick costs in proportion to the hot entries and the
 * flags, not to all items. The tick numbers come from a checkpointed source, so versions are the same on every
 * subtask and continue without gaps after a restore. After a restore the first tick republishes every item:
 * records published after the restored checkpoint (and before the failure) described vectors the restored state
 * no longer has, and readers of the topic must see the state the job continues from.
 *
 * <p>Expiry ({@code state.ttl.items}): RocksDB drops an item whose last write is older than the TTL; a hot entry
 * untouched for the TTL is dropped on its next access and the item read back from RocksDB (which has then usually
 * expired it too). The TTL therefore counts from the item's last write, at most one checkpoint interval after its
 * last gradient.
 */
public final class ItemTower extends AbstractStreamOperator<EmbeddingUpdate>
        implements TwoInputStreamOperator<ItemInput, Long, EmbeddingUpdate> {
    private static final long serialVersionUID = 1L;

    private final ModelParams params;
    private final TowerSettings settings;

    private transient Learner learner;
    private transient ValueState<ItemState> item;
    private transient ValueState<Boolean> dirty;
    private transient ValueState<Boolean> live;
    /** Processing time of the last expiry sweep, and how often to sweep (0: never, items do not expire). */
    private transient long lastSweepMs;
    private transient long sweepIntervalMs;
    private transient Counter expiredPublished;
    private transient HotStates<Hot> hot;
    private transient boolean republishAll;
    /** Newest event time behind the gradients applied so far (the element timestamps carried from the source). */
    private transient long newestEventTime;
    private transient int subtask;
    private transient int subtasks;
    private transient Counter gradientsApplied;
    private transient Counter embeddingsPublished;
    private transient Counter stateReads;
    private transient Counter stateWrites;
    private transient long lastPublishedVersion;
    private transient Counter catalogApplied;
    private transient Counter removalsPublished;
    /** The model's query spec, published with every marker (serving forms queries with it). */
    private transient String querySpec;

    /** A hot item: its state, and whether the topic has seen its latest change. */
    private static final class Hot extends HotStates.Entry {
        final ItemState state;
        boolean unpublished;

        Hot(ItemState state) {
            this.state = state;
        }
    }

    public ItemTower(ModelParams params, TowerSettings settings) {
        this.params = params.copy().validate();
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Restored from a checkpoint or savepoint: republish every item at the first tick (see class comment).
        republishAll = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        learner = new Learner(params);
        item = getRuntimeContext().getState(States.item(settings.itemTtl));
        dirty = getRuntimeContext().getState(States.ITEM_DIRTY);
        live = getRuntimeContext().getState(States.ITEM_LIVE);
        long ttlMs = settings.itemTtl == null ? 0 : settings.itemTtl.toMillis();
        sweepIntervalMs = ttlMs == 0 ? 0 : Math.max(1000, Math.min(ttlMs / 10, 3_600_000));
        lastSweepMs = getProcessingTimeService().getCurrentProcessingTime();
        expiredPublished = getMetricGroup().counter("itemExpiriesPublished");
        hot = new HotStates<>(settings.itemHotCapacity, Long.MAX_VALUE,
                settings.itemTtl == null ? 0 : settings.itemTtl.toMillis(), this::load, this::writeBack);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        gradientsApplied = getMetricGroup().counter("itemGradientsApplied");
        embeddingsPublished = getMetricGroup().counter("itemEmbeddingsPublished");
        stateReads = getMetricGroup().counter("itemStateReads");
        stateWrites = getMetricGroup().counter("itemStateWrites");
        catalogApplied = getMetricGroup().counter("catalogUpdatesApplied");
        removalsPublished = getMetricGroup().counter("itemRemovalsPublished");
        querySpec = learner.querySpec().toJson();
        getMetricGroup().gauge("snapshotVersion", () -> lastPublishedVersion);
        getMetricGroup().gauge("hotItems", () -> hot.size());
    }

    /** A gradient record or a catalog update; the current key is its item (or feature). */
    @Override
    public void processElement1(StreamRecord<ItemInput> record) throws Exception {
        ItemInput in = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Hot h = hot.get(in.key, now);
        if (in.catalog) {
            // A new item starts from its initial id vector; a known one keeps what it learned.
            h.state.featureKeys = in.featureKeys;
            h.state.featureWeights = in.featureWeights;
            h.state.retired = !in.available;
            h.unpersisted = true;
            h.unpublished = true; // published with its features, or as removed, at the next tick
            catalogApplied.inc();
            return;
        }
        learner.applyItemGradient(h.state, in.gradient, in.appearances, in.positives);
        h.unpersisted = true;
        if (!h.state.retired) {
            h.unpublished = true; // a retired item still learns (users still act on it) but is not published
        }
        if (record.hasTimestamp()) {
            newestEventTime = Math.max(newestEventTime, record.getTimestamp());
        }
        gradientsApplied.inc();
    }

    /** A cold item (the current key): from RocksDB, or its initial state (a new key, marked for the expiry sweep). */
    private Hot load(String itemId) throws Exception {
        ItemState s = item.value();
        stateReads.inc();
        if (s == null) {
            s = learner.newItem(itemId);
            live.update(Boolean.TRUE);
        }
        return new Hot(s);
    }

    /** An evicted entry: written back (with its dirty flag if unpublished), then the current key restored. */
    private void writeBack(String itemId, Hot h) throws Exception {
        if (h.unpersisted || h.unpublished) {
            String currentKey = (String) getCurrentKey();
            setCurrentKey(itemId);
            if (h.unpersisted) {
                item.update(h.state);
                stateWrites.inc();
            }
            if (h.unpublished) {
                dirty.update(Boolean.TRUE); // a blind write: cheaper in RocksDB than reading the flag first
            }
            setCurrentKey(currentKey);
        }
    }

    private void persist(String itemId, Hot h) throws Exception {
        setCurrentKey(itemId);
        item.update(h.state);
        stateWrites.inc();
    }

    /** Writes every changed hot entry to RocksDB; they stay hot. */
    private void persistAll() throws Exception {
        hot.forEachUnpersisted(this::persist);
    }

    /**
     * The synchronous part of a checkpoint, before the keyed state backend is snapshotted: RocksDB must hold every
     * applied gradient.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        persistAll();
        super.snapshotState(context);
    }

    /** A snapshot tick: publish what changed, then the marker of this version. */
    @Override
    public void processElement2(StreamRecord<Long> record) throws Exception {
        long version = record.getValue();
        long[] published = {0};
        if (republishAll) {
            // Every item, whatever its flags: RocksDB holds them all once the hot entries are written back.
            persistAll();
            keys().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    States.item(settings.itemTtl), (String itemId, ValueState<ItemState> state) -> {
                        ItemState s = state.value();
                        if (s != null) {
                            emit(itemId, s, version);
                            published[0]++;
                            live.update(Boolean.TRUE); // keys of a state from before the sweep existed
                        }
                    });
            keys().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    States.ITEM_DIRTY, (String itemId, ValueState<Boolean> state) -> state.clear());
            for (Map.Entry<String, Hot> e : hot.entries()) {
                e.getValue().unpublished = false;
            }
            republishAll = false;
        } else {
            // Items evicted before they were published (flagged in RocksDB); a hot copy, if any, is the newer.
            keys().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    States.ITEM_DIRTY, (String itemId, ValueState<Boolean> flag) -> {
                        Hot h = hot.peek(itemId);
                        ItemState s = h != null ? h.state : item.value(); // the backend set the key to itemId
                        if (h != null) {
                            h.unpublished = false;
                        }
                        if (s != null) {
                            emit(itemId, s, version);
                            published[0]++;
                        }
                        flag.clear();
                    });
            for (Map.Entry<String, Hot> e : hot.entries()) {
                Hot h = e.getValue();
                if (h.unpublished) {
                    emit(e.getKey(), h.state, version);
                    published[0]++;
                    h.unpublished = false;
                }
            }
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (sweepIntervalMs > 0 && now - lastSweepMs >= sweepIntervalMs) {
            published[0] += sweepExpired(version, now);
            lastSweepMs = now;
        }
        output.collect(new StreamRecord<>(EmbeddingUpdate.marker(version, subtask, subtasks, published[0],
                newestEventTime, querySpec)));
        embeddingsPublished.inc(published[0]);
        lastPublishedVersion = version;
    }

    /**
     * Publishes the removal of every key whose state has expired ({@code state.ttl.items}: RocksDB no longer returns
     * it, or its hot copy went unused that long), so that readers forget it too; returns how many.
     */
    private long sweepExpired(long version, long now) throws Exception {
        long[] removed = {0};
        List<String> expiredHot = new ArrayList<>();
        keys().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, States.ITEM_LIVE,
                (String key, ValueState<Boolean> flag) -> {
                    Hot h = hot.peek(key);
                    boolean alive = h != null ? !hot.expired(h, now) : item.value() != null;
                    if (!alive) {
                        if (h != null) {
                            expiredHot.add(key);
                        }
                        output.collect(new StreamRecord<>(EmbeddingUpdate.removal(key, version, subtask, subtasks,
                                newestEventTime)));
                        flag.clear();
                        item.clear(); // gone for good: a later gradient starts the key afresh (and marks it again)
                        dirty.clear();
                        removed[0]++;
                    }
                });
        for (String key : expiredHot) {
            hot.remove(key);
        }
        expiredPublished.inc(removed[0]);
        return removed[0];
    }

    private KeyedStateBackend<String> keys() {
        return getKeyedStateBackend();
    }

    /** Publishes an entity as of {@code version}: an item with its features, a feature, or a retired item's removal. */
    private void emit(String itemId, ItemState s, long version) {
        if (s.retired) {
            output.collect(new StreamRecord<>(EmbeddingUpdate.removal(itemId, version, subtask, subtasks,
                    newestEventTime)));
            removalsPublished.inc();
            return;
        }
        EmbeddingUpdate u = EmbeddingUpdate.item(itemId, learner.servingItemVector(s), s.features(), version, subtask,
                subtasks, s.updates, newestEventTime);
        u.popularity = s.positives;
        output.collect(new StreamRecord<>(u));
    }
}
