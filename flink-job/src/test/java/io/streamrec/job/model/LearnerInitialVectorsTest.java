package io.streamrec.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamrec.schema.features.FeatureKeys;
import io.streamrec.schema.features.QuerySpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every subtask, and the serving node through the query spec, start an unseen entity from the same vector. */
class LearnerInitialVectorsTest {

    @Test
    void instancesAgreeAndUsersDifferFromItems() {
        Learner l1 = new Learner(ModelParams.defaults());
        Learner l2 = new Learner(ModelParams.defaults());
        assertArrayEquals(l1.newItem("x").vector, l2.newItem("x").vector);
        assertArrayEquals(l1.newUser("x").vector, l2.newUser("x").vector);
        float[] user = Arrays.copyOf(l1.newUser("7").vector, 64);
        float[] item = Arrays.copyOf(l1.newItem("7").vector, 64);
        assertFalse(Arrays.equals(user, item), "user 7 and item 7 must not start at the same point");
    }

    @Test
    void theQuerySpecKnowsTheItemsInitialVectorsAndFeaturesStartAtZero() {
        Learner l = new Learner(ModelParams.defaults().set("model.seed", "77"));
        QuerySpec spec = QuerySpec.fromJson(l.querySpec().toJson());
        assertArrayEquals(l.initialItemVector("sku-1"), spec.initialItemVector("sku-1"));
        String feature = FeatureKeys.item("brand", "acme");
        assertArrayEquals(new float[l.vectorLength()], l.initialItemVector(feature));
    }
}
