package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.features.Featurizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tuned defaults on MovieLens 100K, prequentially (timestamp order, recommend then learn, seen items
 * excluded), with the simulator set up like a small deployment: 2 UserTower subtasks, item vectors reaching the
 * caches every 1,000 events, 16-event gradient bundles, own updates applied locally as the UserTower does.
 * References (docs/architecture.md, "Reference numbers"): most popular 0.080 HR@10, streaming sampled softmax +
 * logQ 0.135. Skipped when the data is absent.
 */
class MovieLensPrequentialTest {

    @Test
    void beatsTheReferencesPrequentially() {
        List<InteractionEvent> events = MovieLens100k.loadOrSkip();
        long t0 = System.nanoTime();
        StreamingSimulator sim = new StreamingSimulator(ModelParams.defaults(),
                new StreamingSimulator.Options().parallelism(2).refreshEvery(1000).bundleEvents(16));
        // With the catalog (genres, title words, year of u.item), as evaluate runs it by default.
        Featurizer featurizer = new Featurizer(sim.learner().params().featureSpec());
        MovieLens100k.loadCatalog(MovieLens100k.locate().resolveSibling("u.item"))
                .forEach((id, record) -> sim.catalog(id, featurizer.features(record)));
        StreamingSimulator.Result r = sim.run(events);
        System.out.printf("MovieLens 100K prequential (%.1f s): %s%n", (System.nanoTime() - t0) / 1e9, r);
        double hr10 = r.model.hitRate(10);
        // The goal was 0.15 and 1.5x popularity. The defaults with the catalog reach 0.199 and 2.6x (0.196 without
        // it), and the run is deterministic, so the bounds sit just below that to catch regressions.
        assertTrue(hr10 >= 0.195, "HR@10 " + hr10 + " below 0.195: " + r);
        assertTrue(hr10 >= 2.5 * r.popularity.hitRate(10), "HR@10 not 2.5x popularity: " + r);
        assertTrue(r.model.hitRate(100) >= 0.65, "HR@100 below 0.65: " + r);
    }
}
