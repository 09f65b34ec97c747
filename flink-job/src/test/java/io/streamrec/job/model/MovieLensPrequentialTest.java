package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.InteractionEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tuned defaults on MovieLens 100K, prequentially (timestamp order, recommend then learn, seen items
 * excluded), with the simulator set up like a small deployment: 2 UserTower subtasks, item vectors reaching the
 * caches every 1,000 events, 16-event gradient bundles. References (ARCHITECTURE.md): most popular 0.080 HR@10,
 * streaming sampled softmax + logQ 0.135. Skipped when the data is absent.
 */
class MovieLensPrequentialTest {

    @Test
    void beatsTheReferencesPrequentially() {
        List<InteractionEvent> events = MovieLens100k.loadOrSkip();
        long t0 = System.nanoTime();
        StreamingSimulator.Result r = new StreamingSimulator(ModelParams.defaults(),
                new StreamingSimulator.Options().parallelism(2).refreshEvery(1000).bundleEvents(16)).run(events);
        System.out.printf("MovieLens 100K prequential (%.1f s): %s%n", (System.nanoTime() - t0) / 1e9, r);
        double hr10 = r.model.hitRate(10);
        assertTrue(hr10 >= 0.15, "HR@10 " + hr10 + " below 0.15: " + r);
        assertTrue(hr10 >= 1.5 * r.popularity.hitRate(10), "HR@10 not 1.5x popularity: " + r);
    }
}
