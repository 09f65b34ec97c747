package io.streamrec.serving.retrieval;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, per served matrix, whether top-k uses the exact scan or an approximate {@link IvfIndex}
 * ({@code topk.index}: {@code exact}, {@code ann}, or {@code auto} = ann from {@code topk.ann.min-items} items), and
 * builds the index. Called by the snapshot loader's thread before it swaps a snapshot in, so queries keep using the
 * previous snapshot and its index until the new one is complete: the swap stays one volatile write and no query waits
 * for a build. A rebuild starts from the previous matrix's index (centroids, unchanged rows' lists).
 *
 * <p>Not thread-safe: one loader thread calls it.
 */
public final class AnnIndexer {
    private static final Logger LOG = LoggerFactory.getLogger(AnnIndexer.class);

    /** Which top-k a matrix is searched with. */
    public enum Mode {
        EXACT, ANN, AUTO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Mode mode;
    private final int minItems;
    private final int lists;
    private final int probes;

    public AnnIndexer(Mode mode, int minItems, int lists, int probes) {
        this.mode = mode;
        this.minItems = minItems;
        this.lists = lists;
        this.probes = probes;
    }

    /** Never builds an index: every query is exact. */
    public static AnnIndexer exact() {
        return new AnnIndexer(Mode.EXACT, Integer.MAX_VALUE, 0, 1);
    }

    /** Whether a matrix of {@code n} items gets an index. */
    public boolean indexes(int n) {
        return n > 0 && (mode == Mode.ANN || mode == Mode.AUTO && n >= minItems);
    }

    /**
     * Builds and attaches the index of {@code next} if it should have one; {@code previous} is the matrix served so
     * far (null for none). Returns {@code next}.
     */
    public ItemMatrix prepare(ItemMatrix next, ItemMatrix previous) {
        if (next == null || !indexes(next.size()) || next.annIndex() != null) {
            return next;
        }
        long t = System.nanoTime();
        IvfIndex prev = previous == null ? null : previous.annIndex();
        IvfIndex index = IvfIndex.build(next, lists, probes, prev, prev == null ? null : previous, 42);
        next.attach(index);
        LOG.info("built the ann index of {} items ({} lists, {} probed, {} MiB{}) in {} ms", next.size(),
                index.lists(), index.probes(), index.memoryBytes() >> 20, prev == null ? "" : ", incremental",
                (System.nanoTime() - t) / 1_000_000);
        return next;
    }
}
