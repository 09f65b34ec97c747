package io.streamrec.serving.snapshot;

import java.nio.ByteBuffer;

/**
 * Which item snapshot is served: the trainer's snapshot version, when the trainer published its completion
 * (newest {@code published_at} among the completing markers) and when this node swapped it in. Immutable.
 */
public final class SnapshotVersion {
    public final long version;
    public final long publishedAtMs;
    public final long swappedAtMs;

    public SnapshotVersion(long version, long publishedAtMs, long swappedAtMs) {
        this.version = version;
        this.publishedAtMs = publishedAtMs;
        this.swappedAtMs = swappedAtMs;
    }

    /** Age relative to the trainer's publication (what "fresh" means to a client), or to the swap if unknown. */
    public long ageMs(long nowMs) {
        long t = publishedAtMs > 0 ? publishedAtMs : swappedAtMs;
        return Math.max(0, nowMs - t);
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(24).putLong(version).putLong(publishedAtMs).putLong(swappedAtMs).array();
    }

    static SnapshotVersion fromBytes(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new SnapshotVersion(buf.getLong(), buf.getLong(), buf.getLong());
    }

    @Override
    public String toString() {
        return "v" + version + " (published " + publishedAtMs + ", swapped " + swappedAtMs + ")";
    }
}
