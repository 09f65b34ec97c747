package io.streamrec.job.testing;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small clustered clickstream for pipeline tests that must not depend on the shared datasets: users and items
 * fall into {@code clusters} taste groups, and a user clicks (sometimes buys) mostly items of their own group.
 */
public final class SyntheticEvents {
    private SyntheticEvents() {}

    public static List<InteractionEvent> clustered(int users, int items, int clusters, int events, long seed,
                                                   long startMs) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<InteractionEvent> out = new ArrayList<>(events);
        int perCluster = items / clusters;
        for (int i = 0; i < events; i++) {
            int u = rnd.nextInt(users);
            int cluster = rnd.nextDouble() < 0.85 ? u % clusters : rnd.nextInt(clusters);
            // Within a cluster, a few items are much more popular than the rest.
            int rank = (int) Math.floor(perCluster * Math.pow(rnd.nextDouble(), 2.5));
            int item = cluster * perCluster + Math.min(rank, perCluster - 1);
            EventType type = rnd.nextDouble() < 0.1 ? EventType.PURCHASE : EventType.CLICK;
            out.add(new InteractionEvent("user-" + u, "item-" + item, type, startMs + i * 100L));
        }
        return out;
    }
}
