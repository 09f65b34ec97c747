package io.streamrec.local.evaluate;

import io.streamrec.schema.InteractionEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The train/test splits of the offline protocols and the training stream of N passes. Inputs are not modified.
 */
final class Splits {
    private Splits() {}

    /** Training events and test events. */
    record Split(List<InteractionEvent> train, List<InteractionEvent> test) {}

    /** The events in timestamp order (stable: events of equal time keep their order). */
    static List<InteractionEvent> byTime(List<InteractionEvent> events) {
        List<InteractionEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(e -> e.timestamp));
        return sorted;
    }

    /**
     * The seeds' split: the events shuffled with {@code new Random(seed)}, the first {@code trainShare} of them
     * (rounded) for training, the rest for testing. Like TFRS {@code ratings.shuffle(seed=42).take(80_000)}, not
     * bit-for-bit the same permutation.
     */
    static Split random(List<InteractionEvent> events, double trainShare, long seed) {
        List<InteractionEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(seed));
        int cut = cut(shuffled.size(), trainShare);
        return new Split(List.copyOf(shuffled.subList(0, cut)), List.copyOf(shuffled.subList(cut, shuffled.size())));
    }

    /** The earliest {@code trainShare} of the events by time for training, the rest for testing. */
    static Split temporal(List<InteractionEvent> events, double trainShare) {
        List<InteractionEvent> sorted = byTime(events);
        int cut = cut(sorted.size(), trainShare);
        return new Split(List.copyOf(sorted.subList(0, cut)), List.copyOf(sorted.subList(cut, sorted.size())));
    }

    /** The cold-items split: the withheld items, and the events on other items (train) and on them (test). */
    record ColdSplit(List<String> withheld, List<InteractionEvent> train, List<InteractionEvent> test) {}

    /**
     * The items with events, in a fixed (sorted) order, then shuffled with {@code new Random(seed)}: the first
     * {@code share} of them (at least one) are withheld; every event on them is a test event.
     */
    static ColdSplit coldItems(List<InteractionEvent> events, double share, long seed) {
        List<String> items = new ArrayList<>(new TreeSet<>(events.stream().map(e -> e.itemId).toList()));
        Collections.shuffle(items, new Random(seed));
        List<String> withheld = List.copyOf(items.subList(0, Math.max(1, cut(items.size(), share))));
        Set<String> set = new HashSet<>(withheld);
        List<InteractionEvent> train = new ArrayList<>();
        List<InteractionEvent> test = new ArrayList<>();
        for (InteractionEvent e : events) {
            (set.contains(e.itemId) ? test : train).add(e);
        }
        return new ColdSplit(withheld, train, test);
    }

    private static int cut(int n, double share) {
        return (int) Math.round(n * share);
    }

    /**
     * The training stream: {@code passes} passes over {@code train}, one after the other. Within a pass the events
     * are in timestamp order, or shuffled (a fresh permutation per pass from {@code seed}, as a tutorial's
     * reshuffling input pipeline does). Pass p (from 0) carries timestamps p milliseconds later than the originals,
     * so that the trainer, which draws an event's negatives from a hash of (user, item, timestamp), draws fresh
     * ones in every pass.
     */
    static List<InteractionEvent> passes(List<InteractionEvent> train, int passes, boolean shuffle, long seed) {
        List<InteractionEvent> ordered = byTime(train);
        List<InteractionEvent> stream = new ArrayList<>(ordered.size() * passes);
        Random rnd = new Random(seed ^ 0x9E3779B97F4A7C15L);
        for (int p = 0; p < passes; p++) {
            List<InteractionEvent> pass = new ArrayList<>(ordered);
            if (shuffle) {
                Collections.shuffle(pass, rnd);
            }
            for (InteractionEvent e : pass) {
                stream.add(p == 0 ? e : shifted(e, p));
            }
        }
        return stream;
    }

    private static InteractionEvent shifted(InteractionEvent e, long millis) {
        InteractionEvent c = new InteractionEvent(e.userId, e.itemId, e.type, e.timestamp + millis);
        c.value = e.value;
        c.sessionId = e.sessionId;
        c.properties = e.properties;
        return c;
    }
}
