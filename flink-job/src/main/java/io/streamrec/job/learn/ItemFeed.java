package io.streamrec.job.learn;

import io.streamrec.schema.features.QuerySpec;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.schema.features.FeatureKeys;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Keeps a UserTower subtask's item cache in step with the item snapshots it reads back (the job's own
 * {@code item-embeddings} topic, broadcast): puts and removes item and feature vectors, composes the cached items
 * again with their features' new vectors once a snapshot is complete, and tracks which snapshot that is (the
 * version the published user vectors are tagged with).
 *
 * <p>Not thread-safe; one per UserTower subtask. Not checkpointed: after a restore the ItemTower republishes every
 * item, which refills the cache.
 */
final class ItemFeed {
    private final ItemVectorCache cache;
    private final int vectorLength;
    private final SnapshotProgress snapshots = new SnapshotProgress();
    private final Counter mismatched;
    /** Turns an item's published popularity into the prior the cache ranks it with. */
    private final QuerySpec querySpec;
    /** Feature vectors arrived since the cache's items were last composed. */
    private boolean featuresChanged;

    /**
     * @param cache the subtask's item cache, filled here
     * @param vectorLength floats per vector of this job's model; records of another length are skipped
     * @param querySpec this job's, for the items' popularity prior
     * @param metrics where the counter and the cache's gauges are registered
     */
    ItemFeed(ItemVectorCache cache, int vectorLength, QuerySpec querySpec, MetricGroup metrics) {
        this.cache = cache;
        this.querySpec = querySpec;
        this.vectorLength = vectorLength;
        mismatched = metrics.counter("itemFeedDimensionMismatch");
        metrics.gauge("itemCacheSize", () -> cache.size());
        metrics.gauge("featureCacheSize", () -> cache.features().size());
        metrics.gauge("itemsWithFeatures", () -> cache.composedItems());
        metrics.gauge("latestCompleteSnapshot", () -> snapshots.latestComplete());
    }

    /** A snapshot's item vector, feature vector, removal or completion marker. */
    void accept(EmbeddingUpdate u) {
        if (u.marker) {
            long before = snapshots.latestComplete();
            snapshots.onMarker(u.subtask, u.subtasks, u.version);
            if (featuresChanged && snapshots.latestComplete() > before) {
                // A snapshot is complete: compose items again with their features' new vectors (once per snapshot,
                // not per feature record).
                cache.recomposeAll();
                featuresChanged = false;
            }
            return;
        }
        boolean feature = FeatureKeys.isFeature(u.entityId);
        if (u.removed) {
            if (feature) {
                featuresChanged |= cache.features().remove(u.entityId);
            } else {
                cache.remove(u.entityId);
            }
            return;
        }
        if (u.vector.length != vectorLength) {
            mismatched.inc(); // published by a job with another dimension: keep the initial vector instead
            return;
        }
        if (feature) {
            cache.putFeature(u.entityId, u.vector);
            featuresChanged = true;
        } else {
            cache.putItem(u.entityId, u.vector, u.features(), querySpec.prior(u.popularity));
        }
    }

    /** The newest snapshot version every publishing subtask has completed; 0 before the first complete snapshot. */
    long latestCompleteSnapshot() {
        return snapshots.latestComplete();
    }

    /** Tracks the completion markers of the item snapshots this subtask has read back. */
    static final class SnapshotProgress {
        private long[] lastMarker = new long[0];

        void onMarker(int subtask, int subtasks, long version) {
            if (lastMarker.length != subtasks) {
                lastMarker = new long[subtasks];
            }
            if (subtask >= 0 && subtask < subtasks) {
                lastMarker[subtask] = Math.max(lastMarker[subtask], version);
            }
        }

        /** The newest version every publishing subtask has completed; 0 before the first complete snapshot. */
        long latestComplete() {
            if (lastMarker.length == 0) {
                return 0;
            }
            long min = Long.MAX_VALUE;
            for (long v : lastMarker) {
                min = Math.min(min, v);
            }
            return min;
        }
    }
}
