package io.streamrec.job.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.snapshot.EmbeddingUpdate;
import io.streamrec.schema.features.ItemFeatures;
import io.streamrec.schema.features.QuerySpec;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** What a UserTower's item feed makes of the records it reads back: vectors, the popularity prior, removals. */
class ItemFeedTest {

    @Test
    void itemsArriveWithTheirPopularityPriorAndLeaveOnRemoval() {
        Learner l = new Learner(ModelParams.defaults().set("model.dim", "4"));
        QuerySpec spec = l.querySpec();
        int len = l.vectorLength();
        ItemVectorCache cache = new ItemVectorCache(100, len);
        ItemFeed feed = new ItemFeed(cache, len, spec, new UnregisteredMetricsGroup());

        float[] v = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
        EmbeddingUpdate a = EmbeddingUpdate.item("a", v, ItemFeatures.NONE, 1, 0, 1, 7, 0);
        a.popularity = 99;
        feed.accept(a);
        feed.accept(EmbeddingUpdate.item("b", v, ItemFeatures.NONE, 1, 0, 1, 7, 0));
        assertEquals(spec.prior(99), cache.priorOf("a"));
        assertEquals((float) (spec.popularityPrior() * Math.log(100)), cache.priorOf("a"), 1e-6f);
        assertEquals(0f, cache.priorOf("b"), "no events as positive, no prior");
        assertArrayEquals(v, cache.get("a"), "the vector training reads has no prior in it");

        feed.accept(EmbeddingUpdate.removal("a", 2, 0, 1, 0));
        assertFalse(cache.contains("a"));
        assertEquals(0f, cache.priorOf("a"));
    }
}
