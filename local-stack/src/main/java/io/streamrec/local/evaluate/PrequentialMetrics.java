package io.streamrec.local.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prequential (test-then-train) metrics: the rank of each event's item under the model and under a baseline,
 * scored before the event was learned from, go in (in stream order); HR@10, HR@100 and NDCG@10 of both come out,
 * over the whole stream and per window.
 *
 * <p>Each event has one relevant item, so HR@k is recall@k and NDCG@10 is {@code 1 / log2(rank + 2)} for a rank
 * below 10, else 0. An unrankable event (rank -1: an item never seen before, or not yet in the trainer's item
 * cache) is a miss, never skipped. Windows cut the stream by event order into equal counts, which keeps every
 * window equally noisy even when the log's time density varies. Immutable.
 */
public final class PrequentialMetrics {

    /** HR@10, HR@100 and NDCG@10 of one ranking over some events. */
    public record Stats(long events, long unrankable, double hr10, double hr100, double ndcg10) {
        /** {@code hr_10, hr_100, ndcg_10}: the report's keys. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("hr_10", hr10);
            m.put("hr_100", hr100);
            m.put("ndcg_10", ndcg10);
            return m;
        }
    }

    /** A stretch of the stream: events {@code [firstEvent, firstEvent + events)} in timestamp order. */
    public record Window(int index, long firstEvent, long events, long fromTime, long toTime, Stats model,
                         Stats popularity) {}

    private final Stats model;
    private final Stats popularity;
    private final List<Window> windows;

    private PrequentialMetrics(Stats model, Stats popularity, List<Window> windows) {
        this.model = model;
        this.popularity = popularity;
        this.windows = List.copyOf(windows);
    }

    /**
     * @param eventTimes the events' times, in stream order
     * @param modelRanks the model's rank of each event's item (0 = top, -1 = not rankable), same order
     * @param popularityRanks the baseline's ranks, same order
     * @param windowCount how many equal-count windows to cut the stream into (fewer when there are fewer events)
     */
    public static PrequentialMetrics compute(long[] eventTimes, int[] modelRanks, int[] popularityRanks,
                                             int windowCount) {
        if (windowCount < 1) {
            throw new IllegalArgumentException("windows must be at least 1, got " + windowCount);
        }
        int n = eventTimes.length;
        if (modelRanks.length != n || popularityRanks.length != n) {
            throw new IllegalArgumentException("one rank per event expected: " + n + " events, "
                    + modelRanks.length + " model ranks, " + popularityRanks.length + " popularity ranks");
        }
        List<Window> windows = new ArrayList<>();
        int w = Math.min(windowCount, Math.max(n, 1));
        for (int i = 0; i < w; i++) {
            int from = (int) ((long) n * i / w);
            int to = (int) ((long) n * (i + 1) / w);
            if (to > from) {
                windows.add(new Window(i, from, to - from, eventTimes[from], eventTimes[to - 1],
                        stats(modelRanks, from, to), stats(popularityRanks, from, to)));
            }
        }
        return new PrequentialMetrics(stats(modelRanks, 0, n), stats(popularityRanks, 0, n), windows);
    }

    /** The metrics of all the given ranks. */
    public static Stats stats(int[] ranks) {
        return stats(ranks, 0, ranks.length);
    }

    private static Stats stats(int[] ranks, int from, int to) {
        Acc a = new Acc();
        for (int i = from; i < to; i++) {
            a.add(ranks[i]);
        }
        return a.stats();
    }

    public Stats model() {
        return model;
    }

    public Stats popularity() {
        return popularity;
    }

    public List<Window> windows() {
        return windows;
    }

    /** Sums of one ranking's hits. */
    private static final class Acc {
        long events;
        long unrankable;
        long hits10;
        long hits100;
        double ndcg10;

        void add(int rank) {
            events++;
            if (rank < 0) {
                unrankable++;
                return;
            }
            if (rank < 10) {
                hits10++;
                ndcg10 += 1.0 / (Math.log(rank + 2) / Math.log(2));
            }
            if (rank < 100) {
                hits100++;
            }
        }

        Stats stats() {
            return events == 0 ? new Stats(0, 0, 0, 0, 0)
                    : new Stats(events, unrankable, (double) hits10 / events, (double) hits100 / events,
                            ndcg10 / events);
        }
    }
}
