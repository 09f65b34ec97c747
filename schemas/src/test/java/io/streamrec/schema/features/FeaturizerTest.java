package io.streamrec.schema.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.schema.catalog.CatalogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeaturizerTest {
    private static final CatalogRecord MOVIE = new CatalogRecord("1", true,
            Map.of("genre", List.of("Animation", "Children's", " Comedy ")),
            Map.of("title", "Toy Story: the Return of the Toys"), Map.of("year", 1995.0), null);

    private static List<String> keys(ItemFeatures f) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            out.add(FeatureKeys.display(f.key(i)));
        }
        return out;
    }

    @Test
    void everyAttributeByDefaultWithSharesSplitAmongValues() {
        Featurizer f = new Featurizer(FeatureSpec.parse(1.0, "*", 3, ""));
        ItemFeatures x = f.features(MOVIE);
        // Categorical (name order), then text tokens (no stop words, first 3), then the numeric bucket.
        assertEquals(List.of("genre=animation", "genre=children's", "genre=comedy", "title=toy", "title=story",
                "title=return", "year=~q43"), keys(x));
        // Three attributes of weight 1: a third each, split equally among an attribute's values.
        for (int i = 0; i < 3; i++) {
            assertEquals(1f / 3 / 3, x.weight(i), 1e-7);
            assertEquals(1f / 3 / 3, x.weight(3 + i), 1e-7);
        }
        assertEquals(1f / 3, x.weight(6), 1e-7);
        float sum = 0;
        for (int i = 0; i < x.size(); i++) {
            sum += x.weight(i);
        }
        assertEquals(1f, sum, 1e-6, "the feature part is a weighted mean");
    }

    @Test
    void attributeWeightsScaleTheirShareAndZeroLeavesOneOut() {
        Featurizer f = new Featurizer(FeatureSpec.parse(2.0, "*,title:0,genre:3", 3, "year:5"));
        ItemFeatures x = f.features(MOVIE);
        assertEquals(List.of("genre=animation", "genre=children's", "genre=comedy", "year=~1995"), keys(x));
        assertEquals(2f * 3 / 4 / 3, x.weight(0), 1e-6);
        assertEquals(2f * 1 / 4, x.weight(3), 1e-6);
        ItemFeatures onlyGenre = new Featurizer(FeatureSpec.parse(1.0, "genre", 3, "")).features(MOVIE);
        assertEquals(3, onlyGenre.size());
    }

    @Test
    void retiredItemsAndDisabledSpecsHaveNoFeatures() {
        assertSame(ItemFeatures.NONE, new Featurizer(FeatureSpec.parse(1, "*", 3, ""))
                .features(CatalogRecord.retired("1")));
        assertSame(ItemFeatures.NONE, new Featurizer(FeatureSpec.parse(0, "*", 3, "")).features(MOVIE));
        assertSame(ItemFeatures.NONE, new Featurizer(FeatureSpec.NONE).features(MOVIE));
    }

    @Test
    void numericBuckets() {
        assertEquals("~q17", Featurizer.bucket(19.99, Double.NaN)); // floor(4 * log2(19.99)) = 17
        assertEquals("~q16", Featurizer.bucket(16.0, Double.NaN));
        assertEquals("~q15", Featurizer.bucket(15.99, Double.NaN));
        assertEquals("~0", Featurizer.bucket(0, Double.NaN));
        assertEquals("~-q4", Featurizer.bucket(-2, Double.NaN));
        assertEquals("~1990", Featurizer.bucket(1994.9, 5));
        assertEquals("~2.5", Featurizer.bucket(2.9, 0.5));
    }

    @Test
    void textTokens() {
        assertEquals(List.of("running", "shoe", "waterproof"),
                Featurizer.tokens("The running shoe, waterproof!! (shoe)", 8));
        assertEquals(List.of("éclair", "crème"), Featurizer.tokens("Éclair à la crème", 8));
        assertEquals(List.of("a1"), Featurizer.tokens("x a1", 1));
    }

    @Test
    void specErrorsNameWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse(1, "gen re", 3, ""))
                .getMessage().contains("gen re"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse(1, "genre:x", 3, ""))
                .getMessage().contains("genre"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse(1, "*", 3, "year"))
                .getMessage().contains("year"));
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse(-1, "*", 3, ""));
        assertThrows(IllegalArgumentException.class, () -> ContextSpec.parse(1, "hour,minute", "", "UTC"));
        assertThrows(IllegalArgumentException.class, () -> ContextSpec.parse(1, "hour", "", "Mars/Olympus"));
    }
}
