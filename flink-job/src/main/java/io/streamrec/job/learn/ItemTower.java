package io.streamrec.job.learn;

import io.streamrec.job.model.ItemGradient;
import io.streamrec.job.model.ItemState;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.job.state.States;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by item id: owns the authoritative item vectors. Applies the UserTower's summed gradients with Adagrad to
 * the item's vector in RocksDB state, and on every snapshot tick (a broadcast version number) publishes the items
 * it changed since the previous tick, then one completion marker for that version.
 *
 * <p>Changed items are found by iterating a separate "dirty" keyed state, so a tick costs in proportion to the
 * items that changed, not to all items. The tick numbers come from a checkpointed source, so versions are the same
 * on every subtask and continue without gaps after a restore. After a restore the first tick republishes every
 * item: records published after the restored checkpoint (and before the failure) described vectors the restored
 * state no longer has, and readers of the topic must see the state the job continues from.
 */
public final class ItemTower extends KeyedBroadcastProcessFunction<String, ItemGradient, Long, EmbeddingUpdate>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final ModelParams params;
    private final TowerSettings settings;

    private transient Learner learner;
    private transient ValueState<ItemState> item;
    private transient ValueState<Boolean> dirty;
    private transient boolean republishAll;
    /** Newest event time behind the gradients applied so far (the element timestamps carried from the source). */
    private transient long newestEventTime;
    private transient int subtask;
    private transient int subtasks;
    private transient Counter gradientsApplied;
    private transient Counter embeddingsPublished;
    private transient long lastPublishedVersion;

    public ItemTower(ModelParams params, TowerSettings settings) {
        this.params = params.copy().validate();
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        learner = new Learner(params);
        item = getRuntimeContext().getState(States.item(settings.itemTtl));
        dirty = getRuntimeContext().getState(States.ITEM_DIRTY);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        subtasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        gradientsApplied = getRuntimeContext().getMetricGroup().counter("itemGradientsApplied");
        embeddingsPublished = getRuntimeContext().getMetricGroup().counter("itemEmbeddingsPublished");
        getRuntimeContext().getMetricGroup().gauge("snapshotVersion", () -> lastPublishedVersion);
    }

    @Override
    public void processElement(ItemGradient g, ReadOnlyContext ctx, Collector<EmbeddingUpdate> out) throws Exception {
        ItemState s = item.value();
        if (s == null) {
            s = learner.newItem(g.itemId);
        }
        learner.applyItemGradient(s, g.gradient, g.appearances);
        item.update(s);
        Long eventTime = ctx.timestamp();
        if (eventTime != null) {
            newestEventTime = Math.max(newestEventTime, eventTime);
        }
        dirty.update(Boolean.TRUE); // a blind write: cheaper in RocksDB than reading the flag first
        gradientsApplied.inc();
    }

    @Override
    public void processBroadcastElement(Long version, Context ctx, Collector<EmbeddingUpdate> out) throws Exception {
        long[] published = {0};
        if (republishAll) {
            // Every item, whatever its dirty flag; the flags are cleared below.
            ctx.applyToKeyedState(States.item(settings.itemTtl), (itemId, state) -> {
                ItemState s = state.value();
                if (s != null) {
                    out.collect(EmbeddingUpdate.embedding(itemId, learner.servingItemVector(s), version, subtask, subtasks, s.updates,
                            newestEventTime));
                    published[0]++;
                }
            });
            ctx.applyToKeyedState(States.ITEM_DIRTY, (itemId, state) -> state.clear());
            republishAll = false;
        } else {
            ctx.applyToKeyedState(States.ITEM_DIRTY, (itemId, state) -> {
                ItemState s = item.value(); // the backend has set the current key to itemId
                if (s != null) {
                    out.collect(EmbeddingUpdate.embedding(itemId, learner.servingItemVector(s), version, subtask, subtasks, s.updates,
                            newestEventTime));
                    published[0]++;
                }
                state.clear();
            });
        }
        out.collect(EmbeddingUpdate.marker(version, subtask, subtasks, published[0], newestEventTime));
        embeddingsPublished.inc(published[0]);
        lastPublishedVersion = version;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // Nothing of its own: the vectors and dirty flags are keyed state, checkpointed by the backend.
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // Restored from a checkpoint or savepoint: republish every item at the first tick (see class comment).
        republishAll = context.isRestored();
    }
}
