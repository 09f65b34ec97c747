package io.streamrec.local.evaluate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Successive halving (Jamieson and Talwalkar 2016; the synchronous form of Hyperband's inner loop) over trainer
 * configurations: every configuration is tried on a small share of the training data, the best third goes on to
 * twice or three times the data, and so on up to all of it; the best configuration of the last rung wins. The
 * configuration of the trainer's defaults is always trial 0 and always goes on, so the winner is at least as good as
 * the defaults by the tuning metric, measured at the same fidelity.
 *
 * <p>The objective is given ({@link Objective}); trials run on a fixed pool of threads. A time budget bounds the
 * search: once it is spent no new trial starts (those running finish), and the winner is the best of the highest
 * rung that has results. Pure logic, no I/O.
 */
final class Tuner {

    /** Scores one configuration (trainer keys, over the defaults) on a share of the training data; higher is better. */
    interface Objective {
        double score(Map<String, String> config, double fraction) throws Exception;
    }

    /** Told of each finished trial. */
    interface Listener {
        void onTrial(Trial trial, int rung, int rungs, int done, int inRung);
    }

    /** One run of one configuration at one rung. */
    record Trial(int config, Map<String, String> settings, int rung, double fraction, double score, double seconds) {}

    /** The search's outcome: every trial, the winning configuration and its trials, and whether the budget cut it. */
    record Result(List<Trial> trials, int best, Map<String, String> bestSettings, int lastRung, boolean budgetSpent) {
        /** The score of configuration {@code config} at the last rung (NaN when it did not get there). */
        double finalScore(int config) {
            for (Trial t : trials) {
                if (t.config() == config && t.rung() == lastRung) {
                    return t.score();
                }
            }
            return Double.NaN;
        }
    }

    /** One hyperparameter's range. */
    static final class Dimension {
        final String key;
        private final double low;
        private final double high;
        private final boolean log;
        private final List<String> choices;

        private Dimension(String key, double low, double high, boolean log, List<String> choices) {
            this.key = key;
            this.low = low;
            this.high = high;
            this.log = log;
            this.choices = choices;
        }

        /** Uniform on a log scale between low and high (learning rates). */
        static Dimension logUniform(String key, double low, double high) {
            return new Dimension(key, low, high, true, null);
        }

        static Dimension uniform(String key, double low, double high) {
            return new Dimension(key, low, high, false, null);
        }

        static Dimension choice(String key, String... values) {
            return new Dimension(key, 0, 0, false, List.of(values));
        }

        String sample(Random r) {
            if (choices != null) {
                return choices.get(r.nextInt(choices.size()));
            }
            double u = r.nextDouble();
            double v = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }

        @Override
        public String toString() {
            return choices != null ? key + " in " + choices
                    : String.format(Locale.ROOT, "%s in [%s, %s]%s", key, low, high, log ? " (log)" : "");
        }
    }

    private final List<Double> fractions;
    private final int keep;
    private final int threads;
    private final Duration budget;

    /**
     * @param fractions the share of the training data at each rung, increasing, the last 1
     * @param keep each rung keeps the best {@code 1 / keep} of its configurations (at least one, and the defaults)
     * @param threads trials run at once
     * @param budget no trial starts after this long
     */
    Tuner(List<Double> fractions, int keep, int threads, Duration budget) {
        if (fractions.isEmpty() || fractions.get(fractions.size() - 1) != 1.0) {
            throw new IllegalArgumentException("fractions must end with 1, got " + fractions);
        }
        this.fractions = List.copyOf(fractions);
        this.keep = keep;
        this.threads = threads;
        this.budget = budget;
    }

    /** {@code n} configurations: the defaults (empty), then {@code n - 1} random draws from the space. */
    static List<Map<String, String>> sample(List<Dimension> space, int n, long seed) {
        Random r = new Random(seed);
        List<Map<String, String>> configs = new ArrayList<>();
        configs.add(Map.of());
        while (configs.size() < n) {
            Map<String, String> c = new LinkedHashMap<>();
            for (Dimension d : space) {
                c.put(d.key, d.sample(r));
            }
            configs.add(Collections.unmodifiableMap(c));
        }
        return configs;
    }

    Result run(List<Map<String, String>> configs, Objective objective, Listener listener) throws Exception {
        long deadline = System.nanoTime() + budget.toNanos();
        List<Trial> all = new ArrayList<>();
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            alive.add(i);
        }
        int lastRung = -1;
        boolean spent = false;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tune-trial");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int rung = 0; rung < fractions.size() && !spent; rung++) {
                double fraction = fractions.get(rung);
                List<Future<Trial>> running = new ArrayList<>();
                for (int c : alive) {
                    Map<String, String> settings = configs.get(c);
                    int rungNo = rung;
                    running.add(pool.submit(() -> {
                        if (System.nanoTime() > deadline) {
                            return null; // the budget is spent: this trial does not start
                        }
                        long t0 = System.nanoTime();
                        double score = objective.score(settings, fraction);
                        return new Trial(c, settings, rungNo, fraction, score, (System.nanoTime() - t0) / 1e9);
                    }));
                }
                List<Trial> done = new ArrayList<>();
                for (Future<Trial> f : running) {
                    Trial t;
                    try {
                        t = f.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                    }
                    if (t == null) {
                        spent = true;
                        continue;
                    }
                    done.add(t);
                    all.add(t);
                    listener.onTrial(t, rung, fractions.size(), done.size(), alive.size());
                }
                if (done.isEmpty()) {
                    break;
                }
                lastRung = rung;
                done.sort(Comparator.comparingDouble(Trial::score).reversed()
                        .thenComparingInt(Trial::config)); // ties: the earlier (the defaults first)
                int n = Math.max(1, (int) Math.ceil(done.size() / (double) keep));
                List<Integer> next = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    next.add(done.get(i).config());
                }
                if (!next.contains(0) && done.stream().anyMatch(t -> t.config() == 0)) {
                    next.add(0); // the defaults always go on: the final comparison is at the same fidelity
                }
                alive = next;
                spent |= System.nanoTime() > deadline;
            }
        } finally {
            pool.shutdownNow();
        }
        if (lastRung < 0) {
            throw new IllegalStateException("no trial finished within the budget of " + budget);
        }
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Trial t : all) {
            if (t.rung() == lastRung && (t.score() > bestScore || t.score() == bestScore && t.config() < best)) {
                best = t.config();
                bestScore = t.score();
            }
        }
        return new Result(List.copyOf(all), best, configs.get(best), lastRung, spent);
    }
}
