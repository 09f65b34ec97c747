package io.streamrec.job.model.tuning;

import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.MovieLens100k;
import io.streamrec.job.model.StreamingSimulator;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import io.streamrec.schema.features.Featurizer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sweeps model and simulator settings over MovieLens 100K, prequentially, and prints one line per run.
 *
 * <p>Usage (from the worktree root, after {@code ./mvnw -q -B -pl flink-job -am test-compile}):
 * <pre>
 *   java -cp flink-job/target/test-classes:flink-job/target/classes:schemas/target/classes \
 *       io.streamrec.job.model.tuning.TuneMovieLens [--data DIR] [--threads N] [key=value ...] [key=v1,v2,... (swept)]
 * </pre>
 * Keys are {@code model.*} (see {@link ModelParams}) or {@code sim.parallelism}, {@code sim.refresh-every},
 * {@code sim.bundle-events}. A comma-separated value sweeps that key; several swept keys form a grid.
 */
public final class TuneMovieLens {
    private TuneMovieLens() {}

    public static void main(String[] args) {
        Path data = Paths.get("../shared/data");
        int threads = 1;
        boolean catalog = false;
        Map<String, List<String>> grid = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data")) {
                data = Paths.get(args[++i]);
                continue;
            }
            if (args[i].equals("--catalog")) {
                catalog = true;
                continue;
            }
            if (args[i].equals("--threads")) {
                threads = Integer.parseInt(args[++i]);
                continue;
            }
            int eq = args[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            grid.put(args[i].substring(0, eq), List.of(args[i].substring(eq + 1).split(",")));
        }
        List<InteractionEvent> events = MovieLens100k.load(data.resolve("ml-100k").resolve("u.data"));
        Map<String, CatalogRecord> items = catalog ? MovieLens100k.loadCatalog(data.resolve("ml-100k").resolve("u.item"))
                : Map.of();
        List<Map<String, String>> runs = new ArrayList<>();
        runs.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> e : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> r : runs) {
                for (String v : e.getValue()) {
                    Map<String, String> m = new LinkedHashMap<>(r);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            runs = next;
        }
        // Runs are independent; a small pool uses the second core (results print as they finish).
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (Map<String, String> run : runs) {
            futures.add(pool.submit(() -> System.out.println(runOnce(events, items, run))));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        pool.shutdown();
    }

    /** One prequential run with the given overrides; returns a printable table row. */
    public static String runOnce(List<InteractionEvent> events, Map<String, String> overrides) {
        return runOnce(events, Map.of(), overrides);
    }

    /** With a catalog registered at the start (features per the run's model.features.* keys). */
    public static String runOnce(List<InteractionEvent> events, Map<String, CatalogRecord> catalog,
                                 Map<String, String> overrides) {
        ModelParams p = ModelParams.defaults();
        StreamingSimulator.Options o = new StreamingSimulator.Options();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            switch (e.getKey()) {
                case "sim.parallelism": o.parallelism = Integer.parseInt(e.getValue()); break;
                case "sim.refresh-every": o.refreshEvery = Integer.parseInt(e.getValue()); break;
                case "sim.bundle-events": o.bundleEvents = Integer.parseInt(e.getValue()); break;
                default: p.set(e.getKey(), e.getValue());
            }
        }
        long t0 = System.nanoTime();
        StreamingSimulator sim = new StreamingSimulator(p, o);
        Featurizer featurizer = new Featurizer(p.featureSpec());
        catalog.forEach((id, rec) -> sim.catalog(id, featurizer.features(rec)));
        StreamingSimulator.Result r = sim.run(events);
        double secs = (System.nanoTime() - t0) / 1e9;
        return String.format("HR@10 %.4f HR@100 %.4f NDCG@10 %.4f | pop %.4f %.4f %.4f | loss %.3f %5.1fs"
                        + " | item records %d of %d appearances | %s",
                r.model.hitRate(10), r.model.hitRate(100), r.model.ndcgAt10(),
                r.popularity.hitRate(10), r.popularity.hitRate(100), r.popularity.ndcgAt10(),
                r.meanLoss, secs, r.itemRecords, r.itemAppearances, overrides);
    }
}
