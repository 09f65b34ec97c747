package io.streamrec.serving.bench;

import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.http.HttpApi;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.Bf16TopK;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.ParallelTopK;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.ScalarTopK;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopK;
import io.streamrec.serving.retrieval.TopKResult;
import io.streamrec.serving.retrieval.VectorTopK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The serving benchmark (run by {@code serving/bench.sh}, not by the test suite):
 * <ol>
 *   <li>in process: exact top-k with exclusions over items x dim random vectors, one query at a time, timing
 *       each query including building its exclusion bitset from item ids; the float scan, the bf16 two-pass
 *       search and the scalar loop, each on one thread and (the first two) split over two, interleaved;</li>
 *   <li>over HTTP: the real {@link HttpApi} on a loopback port with the same matrix, user vectors and seen items
 *       in RocksDB, under N concurrent java.net.http clients on the same machine; QPS, p50, p99.</li>
 * </ol>
 * Arguments (all optional): items dim k excluded queries httpSeconds clientThreads(comma list); httpSeconds 0
 * skips the HTTP part.
 */
public final class TopKBenchmark {
    private TopKBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int excluded = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int queries = args.length > 4 ? Integer.parseInt(args[4]) : 5000;
        int httpSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        int[] clients = Arrays.stream((args.length > 6 ? args[6] : "2,4").split(",")).mapToInt(Integer::parseInt)
                .toArray();

        Random rnd = new Random(7);
        String[] ids = new String[items];
        float[][] vectors = new float[items][];
        for (int i = 0; i < items; i++) {
            ids[i] = "item-" + i;
            vectors[i] = randomVector(rnd, dim);
        }
        ItemMatrix matrix = ItemMatrix.of(ids, vectors);
        System.out.printf("items=%d dim=%d k=%d excluded=%d, %s %s, %d cores%n", items, dim, k, excluded,
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());

        System.out.println("load average at start (other processes share these cores): "
                + Files.readString(Path.of("/proc/loadavg")).trim());
        try (ParallelTopK floatSplit = new ParallelTopK(2, 25_000, ParallelTopK.Kernel.FLOAT);
             ParallelTopK bf16Split = new ParallelTopK(2, 25_000, ParallelTopK.Kernel.BF16)) {
            // Serving splits one query's scan over two threads (thread CPU below is the caller's share only).
            List<Variant> variants = List.of(
                    new Variant("float (VectorTopK), 1 thread", new VectorTopK()),
                    new Variant("float, split over 2 threads", floatSplit),
                    new Variant("bf16 pass + exact re-score (Bf16TopK), 1 thread", new Bf16TopK()),
                    new Variant("bf16, split over 2 threads", bf16Split),
                    new Variant("scalar (ScalarTopK), 1 thread", new ScalarTopK(), false));
            inProcess(variants, matrix, new Random(11), k, excluded, queries);
        }
        if (httpSeconds > 0) {
            overHttp(matrix, rnd, k, excluded, httpSeconds, clients);
        }
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** One top-k implementation under test, with its latencies. */
    private static final class Variant {
        final String name;
        final TopK topK;
        /** False for the scalar loop: it sums in another order, so its scores differ in the last bits. */
        final boolean sameArithmetic;
        long[] wall;
        long[] cpu;

        Variant(String name, TopK topK) {
            this(name, topK, true);
        }

        Variant(String name, TopK topK, boolean sameArithmetic) {
            this.name = name;
            this.topK = topK;
            this.sameArithmetic = sameArithmetic;
        }
    }

    /**
     * Times every variant on the same queries, interleaved in rounds of 100 queries per variant, so that a noisy
     * neighbour (another benchmark, a build) slows them all alike and their ratios stay comparable. First checks
     * that every variant returns the float scan's exact result on each query.
     */
    private static void inProcess(List<Variant> vs, ItemMatrix m, Random rnd, int k, int excluded, int queries) {
        int n = m.size();
        float[][] qs = new float[256][];
        String[][] ex = new String[256][];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = randomVector(rnd, m.dim());
            ex[i] = new String[excluded];
            for (int j = 0; j < excluded; j++) {
                ex[i][j] = m.id(rnd.nextInt(n));
            }
        }
        for (Variant v : vs) {
            v.wall = new long[queries];
            v.cpu = new long[queries];
        }
        int mismatches = 0;
        for (int i = 0; i < qs.length; i++) {
            Exclusion e = exclusion(m, ex[i]);
            TopKResult want = vs.get(0).topK.search(m, qs[i], k, e, Similarity.DOT);
            for (Variant v : vs) {
                if (v.sameArithmetic && !identical(want, v.topK.search(m, qs[i], k, e, Similarity.DOT))) {
                    mismatches++;
                    System.out.println("MISMATCH: " + v.name + " differs from " + vs.get(0).name + " on query " + i);
                }
            }
        }
        System.out.printf("every variant but the scalar loop returned the float scan's exact top-%d (ids, order, "
                        + "scores) on %d queries: %s%n", k, qs.length,
                mismatches == 0 ? "yes" : "NO, " + mismatches + " mismatches");
        long sink = 0;
        for (Variant v : vs) {
            for (int i = 0; i < 2000; i++) { // warm-up: let C2 compile the scan
                sink += query(v.topK, m, qs[i % qs.length], ex[i % ex.length], k);
            }
        }
        // Wall time is what a caller waits; thread CPU time is the query's own cost, which a shared machine's
        // preemption does not inflate (it still pays for shared caches and memory bandwidth).
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        int round = 100;
        for (int start = 0; start < queries; start += round) {
            for (Variant v : vs) {
                for (int i = start; i < Math.min(queries, start + round); i++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    sink += query(v.topK, m, qs[i % qs.length], ex[i % ex.length], k);
                    v.wall[i] = System.nanoTime() - t0;
                    v.cpu[i] = cpu.getCurrentThreadCpuTime() - c0;
                }
            }
        }
        System.out.printf("in-process top-%d, %d excluded, %d x %d, %d queries per variant, interleaved in rounds of "
                + "%d (checksum %d); ratio = p50 of the first variant / p50 of this one:%n", k, excluded, n, m.dim(),
                queries, round, sink % 10);
        double base = pct(sorted(vs.get(0).wall), 50);
        for (Variant v : vs) {
            long[] lat = sorted(v.wall);
            long[] cpuLat = sorted(v.cpu);
            System.out.printf("  %-50s wall p50 %.3f  p90 %.3f  p99 %.3f  max %.3f ms  (x%.2f) | cpu p50 %.3f  "
                            + "p99 %.3f ms%n", v.name, ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)),
                    ms(lat[lat.length - 1]), base / pct(lat, 50), ms(pct(cpuLat, 50)), ms(pct(cpuLat, 99)));
        }
    }

    private static long[] sorted(long[] a) {
        long[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    private static boolean identical(TopKResult a, TopKResult b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int r = 0; r < a.size(); r++) {
            if (a.ordinal(r) != b.ordinal(r)
                    || Float.floatToRawIntBits(a.score(r)) != Float.floatToRawIntBits(b.score(r))) {
                return false;
            }
        }
        return true;
    }

    private static Exclusion exclusion(ItemMatrix m, String[] excludedIds) {
        Exclusion.Builder b = Exclusion.builder(m.size());
        for (String id : excludedIds) {
            b.add(m.ordinal(id));
        }
        return b.build();
    }

    private static int query(TopK topK, ItemMatrix m, float[] q, String[] excludedIds, int k) {
        TopKResult r = topK.search(m, q, k, exclusion(m, excludedIds), Similarity.DOT);
        return r.ordinal(0);
    }

    private static void overHttp(ItemMatrix m, Random rnd, int k, int excluded, int seconds, int[] clientCounts)
            throws Exception {
        int users = 1000;
        try (BenchState state = new BenchState(m, users, excluded, rnd, () -> randomVector(rnd, m.dim()))) {
            ServingConfig config = state.config;
            // As ServingNode builds it with the default topk.* settings.
            ParallelTopK topK = new ParallelTopK(config.get(ServingConfig.TOPK_SCAN_THREADS),
                    config.get(ServingConfig.TOPK_MIN_ITEMS_PER_THREAD), config.get(ServingConfig.TOPK_KERNEL));
            System.out.println("Recommender and HTTP with the serving defaults: topk.scan-threads="
                    + config.get(ServingConfig.TOPK_SCAN_THREADS) + ", topk.kernel="
                    + config.get(ServingConfig.TOPK_KERNEL));
            Recommender rec = state.recommender(topK);
            // The whole request path minus HTTP: RocksDB user vector + seen scan, exclusion, top-k.
            for (int i = 0; i < 1000; i++) {
                rec.forUser("user-" + rnd.nextInt(users), k, Recommender.ExcludePolicy.SEEN, List.of());
            }
            long[] lat = new long[2000];
            for (int i = 0; i < lat.length; i++) {
                long t0 = System.nanoTime();
                rec.forUser("user-" + rnd.nextInt(users), k, Recommender.ExcludePolicy.SEEN, List.of());
                lat[i] = System.nanoTime() - t0;
            }
            Arrays.sort(lat);
            System.out.printf("in-process Recommender.forUser (RocksDB vector + %d seen, top-%d), 1 thread: "
                    + "p50 %.3f ms  p99 %.3f ms%n", excluded, k, ms(pct(lat, 50)), ms(pct(lat, 99)));
            HttpApi api = new HttpApi(config, rec, state.snapshot, new ServingMetrics(), () -> null);
            api.start();
            try {
                for (int c : clientCounts) {
                    load(api.port(), users, k, excluded, c, 3, false);
                    load(api.port(), users, k, excluded, c, seconds, true);
                }
            } finally {
                api.close();
                topK.close();
            }
        }
    }

    private static void load(int port, int users, int k, int excluded, int threads, int seconds, boolean report)
            throws InterruptedException {
        HttpLoad.Result r = HttpLoad.run(port, users, k, threads, seconds);
        if (report) {
            System.out.printf("HTTP GET /v1/users/{id}/recommendations?k=%d (%d seen excluded, RocksDB), %d client "
                            + "threads, %d s: %.0f req/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %d%n",
                    k, excluded, threads, seconds, r.rps(), r.ms(50), r.ms(99), r.maxMs(), r.errors());
        }
    }

    private static long pct(long[] sorted, int p) {
        return HttpLoad.pct(sorted, p);
    }

    private static double ms(long nanos) {
        return HttpLoad.ms(nanos);
    }

    private static float[] randomVector(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
