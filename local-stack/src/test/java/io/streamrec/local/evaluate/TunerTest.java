package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Successive halving on a known objective: who goes on, who wins, and what the budget cuts. */
class TunerTest {
    private static final List<Tuner.Dimension> SPACE = List.of(
            Tuner.Dimension.logUniform("model.learning-rate", 0.01, 0.2),
            Tuner.Dimension.choice("model.negatives", "32", "64", "128"));

    /** Peaks at learning rate 0.07; the defaults (no keys) score 0.5; more data adds the same to everyone. */
    private static double objective(Map<String, String> c, double fraction) {
        double base = c.isEmpty() ? 0.5 : 1 - 50 * Math.pow(Double.parseDouble(c.get("model.learning-rate")) - 0.07, 2);
        return base + fraction;
    }

    @Test
    void samplesTheDefaultsFirstAndStaysInTheRanges() {
        List<Map<String, String>> configs = Tuner.sample(SPACE, 40, 7);
        assertEquals(40, configs.size());
        assertEquals(Map.of(), configs.get(0));
        for (Map<String, String> c : configs.subList(1, 40)) {
            double lr = Double.parseDouble(c.get("model.learning-rate"));
            assertTrue(lr >= 0.00999 && lr <= 0.2001, c.toString());
            assertTrue(List.of("32", "64", "128").contains(c.get("model.negatives")), c.toString());
        }
        assertEquals(configs, Tuner.sample(SPACE, 40, 7), "seeded");
    }

    @Test
    void keepsTheBestThirdAndTheDefaultsAndPicksTheBestOfTheLastRung() throws Exception {
        List<Map<String, String>> configs = Tuner.sample(SPACE, 24, 3);
        Tuner.Result r = new Tuner(List.of(0.25, 0.5, 1.0), 3, 2, Duration.ofMinutes(5))
                .run(configs, TunerTest::objective, (t, rung, rungs, done, inRung) -> {});
        assertEquals(24, r.trials().stream().filter(t -> t.rung() == 0).count());
        assertEquals(8 + 1, r.trials().stream().filter(t -> t.rung() == 1).count(), "8 best, and the defaults");
        assertEquals(3 + 1, r.trials().stream().filter(t -> t.rung() == 2).count());
        assertEquals(2, r.lastRung());
        assertFalse(r.budgetSpent());
        int brute = 0;
        for (int i = 1; i < configs.size(); i++) {
            if (objective(configs.get(i), 1) > objective(configs.get(brute), 1)) {
                brute = i;
            }
        }
        assertEquals(brute, r.best(), "the objective's order is the same at every share, so the best survives");
        assertEquals(configs.get(brute), r.bestSettings());
        assertEquals(1.5, r.finalScore(0), 1e-12);
        assertTrue(r.finalScore(r.best()) >= r.finalScore(0));
    }

    @Test
    void theDefaultsWinWhenNothingBeatsThem() throws Exception {
        List<Map<String, String>> configs = Tuner.sample(SPACE, 6, 3);
        Tuner.Result r = new Tuner(List.of(0.5, 1.0), 3, 1, Duration.ofMinutes(5))
                .run(configs, (c, f) -> c.isEmpty() ? 1.0 : 0.5, (t, rung, rungs, done, inRung) -> {});
        assertEquals(0, r.best());
        assertEquals(Map.of(), r.bestSettings());
    }

    @Test
    void aSpentBudgetStartsNoMoreTrials() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Map<String, String>> configs = Tuner.sample(SPACE, 12, 3);
        Tuner.Result r = new Tuner(List.of(0.25, 0.5, 1.0), 3, 1, Duration.ofMillis(150))
                .run(configs, (c, f) -> {
                    calls.incrementAndGet();
                    Thread.sleep(60);
                    return objective(c, f);
                }, (t, rung, rungs, done, inRung) -> {});
        assertTrue(r.budgetSpent());
        assertTrue(calls.get() < 12, "stopped within the first rung: " + calls.get());
        assertEquals(0, r.lastRung());
        assertEquals(calls.get(), r.trials().size());
    }
}
