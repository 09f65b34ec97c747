package io.streamrec.serving.snapshot;

import io.streamrec.serving.retrieval.ItemMatrix;

/**
 * One complete item snapshot as served: the matrix and its version. A request reads the current instance once
 * and uses only it, so a response can never mix two versions. Immutable, thread-safe.
 */
public final class ItemSnapshot {
    public final ItemMatrix matrix;
    public final SnapshotVersion version;

    public ItemSnapshot(ItemMatrix matrix, SnapshotVersion version) {
        this.matrix = matrix;
        this.version = version;
    }
}
