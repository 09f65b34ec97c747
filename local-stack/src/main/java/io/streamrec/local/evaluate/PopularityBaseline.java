package io.streamrec.local.evaluate;

import io.streamrec.schema.InteractionEvent;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The exact most-popular-so-far baseline of the prequential protocol, over the whole stream: events in stream order
 * go in; for each, before it is counted, the rank of its item among every item seen so far by count, with the
 * user's recent history left out, comes out. It is the same protocol the trainer applies to its model (the user's
 * {@code historyMax} most recent distinct items excluded, the target itself never; an item never seen before is not
 * rankable, -1), but with exact global counts, whereas the trainer's live baseline ({@code PopularityTracker})
 * counts approximately (Space-Saving), weighted by event type and per UserTower subtask, and serving's
 * ({@code ingest.Popularity}) decays counts by a half-life to answer users without a vector. A reference number
 * must be exact and reproducible, hence a third counter rather than either of those.
 *
 * <p>Equal counts rank the item seen first first (as a stable sort of the items by count would). Items are kept
 * in an array sorted by count with the start and size of every count's block, so an increment is one swap (the
 * item moves to the front of its block and so becomes the last of the next one up), and a rank is the number of
 * items with a higher count, plus those of equal count seen earlier, less the user's history items among them:
 * O(history + items of the same count) per event, not O(items) (a popular item shares its count with few).
 * Not thread-safe.
 */
final class PopularityBaseline {
    private final int historyMax;
    private final Map<String, Integer> index = new HashMap<>();
    /** Item indices by position, most counted first. */
    private int[] order = new int[1024];
    /** Position of each item index. */
    private int[] position = new int[1024];
    private int[] count = new int[1024];
    /** blockStart[c]: the first position of the items counted c times (valid while such items exist). */
    private int[] blockStart = new int[1024];
    /** blockSize[c]: how many items are counted c times. */
    private int[] blockSize = new int[1024];
    private int items;
    private final Map<String, LinkedHashSet<Integer>> histories = new HashMap<>();

    /** @param historyMax the user's most recent distinct items excluded from the ranking (model.history.max) */
    PopularityBaseline(int historyMax) {
        this.historyMax = historyMax;
    }

    /** The rank of every event's item, in stream order (see the class comment). */
    static int[] ranks(List<InteractionEvent> stream, int historyMax) {
        PopularityBaseline b = new PopularityBaseline(historyMax);
        int[] ranks = new int[stream.size()];
        for (int i = 0; i < ranks.length; i++) {
            InteractionEvent e = stream.get(i);
            ranks[i] = b.rankThenCount(e.userId, e.itemId);
        }
        return ranks;
    }

    /** The item's rank for the user before this event (-1 for a new item), then counts the event. */
    int rankThenCount(String userId, String itemId) {
        Integer known = index.get(itemId);
        LinkedHashSet<Integer> history = histories.computeIfAbsent(userId, u -> new LinkedHashSet<>());
        int rank = -1;
        int item;
        if (known == null) {
            item = add(itemId);
        } else {
            item = known;
            int c = count[item];
            rank = blockStart[c]; // every item with a higher count
            for (int p = blockStart[c], end = p + blockSize[c]; p < end; p++) {
                if (order[p] < item) { // item indices are in order of first sight
                    rank++;
                }
            }
            for (int h : history) {
                if (h != item && (count[h] > c || (count[h] == c && h < item))) {
                    rank--;
                }
            }
        }
        increment(item);
        // As the trainer's UserState.remember: a re-interaction refreshes the item, the oldest drop out.
        history.remove(item);
        history.add(item);
        Iterator<Integer> it = history.iterator();
        while (history.size() > historyMax && it.hasNext()) {
            it.next();
            it.remove();
        }
        return rank;
    }

    private int add(String itemId) {
        int i = items++;
        if (i == order.length) {
            int n = order.length * 2;
            order = java.util.Arrays.copyOf(order, n);
            position = java.util.Arrays.copyOf(position, n);
            count = java.util.Arrays.copyOf(count, n);
        }
        index.put(itemId, i);
        order[i] = i;
        position[i] = i;
        count[i] = 0;
        // Every other item has been counted at least once (an item is counted right after it is added), so the
        // block of zero counts is this item alone, at the end.
        setBlockStart(0, i);
        blockSize[0] = 1;
        return i;
    }

    private void increment(int item) {
        int c = count[item];
        int p = position[item];
        int front = blockStart[c];
        // Swap with the front of its block; the front position then belongs to the block of c + 1.
        int other = order[front];
        order[front] = item;
        order[p] = other;
        position[item] = front;
        position[other] = p;
        if (blockSize(c + 1) == 0) {
            setBlockStart(c + 1, front);
        }
        setBlockStart(c, front + 1);
        blockSize[c]--;
        blockSize[c + 1]++;
        count[item] = c + 1;
    }

    private int blockSize(int c) {
        return c < blockSize.length ? blockSize[c] : 0;
    }

    private void setBlockStart(int c, int pos) {
        if (c >= blockStart.length) {
            int n = Math.max(c + 1, blockStart.length * 2);
            blockStart = java.util.Arrays.copyOf(blockStart, n);
            blockSize = java.util.Arrays.copyOf(blockSize, n);
        }
        blockStart[c] = pos;
    }
}
