package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamingSimulatorTest {

    /**
     * 200 users and 300 items in 5 taste clusters of 60 items: each user clicks 40 distinct items, 90% from their
     * own cluster; item popularity is Zipf-like inside each cluster, so most-popular is a fair baseline. Users
     * arrive in random interleaving (a stream, not user by user).
     */
    static List<InteractionEvent> clusteredClicks(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int users = 200;
        int clusters = 5;
        int perCluster = 60;
        int perUser = 40;
        List<List<InteractionEvent>> byUser = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int cluster = u % clusters;
            Set<Integer> chosen = new HashSet<>();
            List<InteractionEvent> events = new ArrayList<>();
            while (chosen.size() < perUser) {
                int c = rnd.nextInt(10) < 9 ? cluster : rnd.nextInt(clusters);
                // Zipf-ish inside the cluster: rank r with probability ~ 1/(r+5).
                int r = (int) Math.floor(Math.exp(rnd.nextDouble() * Math.log(perCluster + 5.0))) - 5;
                if (r < 0 || r >= perCluster) {
                    continue;
                }
                int item = c * perCluster + r;
                if (chosen.add(item)) {
                    events.add(new InteractionEvent("u" + u, "i" + item, EventType.CLICK, 0L));
                }
            }
            byUser.add(events);
        }
        // Interleave: repeatedly pick a random user with events left.
        List<InteractionEvent> stream = new ArrayList<>();
        List<Integer> pointers = new ArrayList<>(Collections.nCopies(users, 0));
        List<Integer> live = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            live.add(u);
        }
        long t = 0;
        while (!live.isEmpty()) {
            int pick = rnd.nextInt(live.size());
            int u = live.get(pick);
            InteractionEvent e = byUser.get(u).get(pointers.get(u));
            e.timestamp = t++;
            stream.add(e);
            pointers.set(u, pointers.get(u) + 1);
            if (pointers.get(u) == perUser) {
                live.remove(pick);
            }
        }
        return stream;
    }

    @Test
    void learnsTasteClustersFarBeyondPopularity() {
        List<InteractionEvent> events = clusteredClicks(1);
        StreamingSimulator.Result r = new StreamingSimulator(ModelParams.defaults(),
                new StreamingSimulator.Options().parallelism(2).refreshEvery(200).bundleEvents(8)).run(events);
        System.out.println("clustered synthetic: " + r);
        assertEquals(8000, r.model.count());
        // Popularity cannot tell the clusters apart; the model, after a few events per user, can.
        assertTrue(r.model.hitRate(10) >= 2.0 * r.popularity.hitRate(10), r.toString());
        assertTrue(r.model.hitRate(10) >= 0.2, r.toString());
    }

    @Test
    void runsAreDeterministic() {
        List<InteractionEvent> events = clusteredClicks(2).subList(0, 3000);
        StreamingSimulator.Options o = new StreamingSimulator.Options().parallelism(3).refreshEvery(100);
        StreamingSimulator.Result a = new StreamingSimulator(ModelParams.defaults(), o).run(events);
        StreamingSimulator.Result b = new StreamingSimulator(ModelParams.defaults(), o).run(events);
        assertEquals(a.toString(), b.toString());
    }

    @Test
    void bundlingCutsItemRecordsWithoutLosingAppearances() {
        List<InteractionEvent> events = clusteredClicks(3).subList(0, 4000);
        StreamingSimulator unbundled = new StreamingSimulator(ModelParams.defaults(),
                new StreamingSimulator.Options().parallelism(1).bundleEvents(1).evaluate(false));
        StreamingSimulator bundled = new StreamingSimulator(ModelParams.defaults(),
                new StreamingSimulator.Options().parallelism(1).bundleEvents(64).evaluate(false));
        StreamingSimulator.Result u = unbundled.run(events);
        StreamingSimulator.Result b = bundled.run(events);
        // Without bundling each event sends one record per distinct touched item; 64-event bundles send far fewer.
        assertTrue(b.itemRecords * 3 < u.itemRecords, b.itemRecords + " vs " + u.itemRecords);
    }
}
