package io.streamrec.serving.bench;

import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.http.HttpApi;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.AnnIndexer;
import io.streamrec.serving.retrieval.BatchingTopK;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.IndexedTopK;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.IvfIndex;
import io.streamrec.serving.retrieval.LearnedLikeVectors;
import io.streamrec.serving.retrieval.ParallelTopK;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopK;
import io.streamrec.serving.retrieval.TopKResult;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotLoader;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The serving benchmark with named options and a JSON result (run by {@code serving/bench.sh --items ...}, not by
 * the test suite; BENCHMARKS.md). Steps:
 * <ol>
 *   <li>items: {@link LearnedLikeVectors} (clustered, log-normal norms, a bias coordinate), or with
 *       {@code --kafka BOOTSTRAP} the item snapshot a trainer run left in the {@code item-embeddings} topic;</li>
 *   <li>the index ({@code --index exact|ann|auto}, as {@code topk.index}) is built; its build time and memory;</li>
 *   <li>in process, one query at a time with {@code --excluded} random items excluded: recall@k of the served
 *       top-k against the exact scan, latency p50/p99 of the served top-k and of the exact scan (the serving
 *       default, bf16 split over two threads), interleaved;</li>
 *   <li>a snapshot that changes 10% of the items: time until it is serving (matrix update + index rebuild, on
 *       another thread) and the query p99 while that runs, against the steady p99 just before;</li>
 *   <li>over HTTP: the real {@link HttpApi} on loopback (exact queries batched, {@code --batch} per pass), user vectors and {@code --excluded} seen items per user in
 *       RocksDB, {@code --clients} (comma list) java.net.http client threads for {@code --http-seconds} each.</li>
 * </ol>
 */
public final class ServingBenchmark {
    private ServingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("items", "100000", "dim", "64", "k", "100",
                "excluded", "1000", "index", "auto", "queries", "2000", "http-seconds", "10", "clients", "4,16",
                "out", "", "kafka", ""));
        o.put("batch", "16");
        o.put("topic", "item-embeddings");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --items N --dim D --k K --excluded E --index exact|ann|auto"
                        + " --queries Q --http-seconds S --clients 4,16 --out FILE [--batch 16] [--kafka BOOTSTRAP --topic T];"
                        + " bad argument: " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        int k = Integer.parseInt(o.get("k"));
        int excluded = Integer.parseInt(o.get("excluded"));
        int queries = Integer.parseInt(o.get("queries"));
        int httpSeconds = Integer.parseInt(o.get("http-seconds"));
        AnnIndexer.Mode mode = AnnIndexer.Mode.valueOf(o.get("index").toUpperCase(Locale.ROOT));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("load_average_start", Files.readString(Path.of("/proc/loadavg")).trim());

        LearnedLikeVectors gen;
        ItemMatrix m;
        if (!o.get("kafka").isEmpty()) {
            m = fromKafka(o.get("kafka"), o.get("topic"));
            gen = null;
            result.put("source", "kafka " + o.get("kafka") + " " + o.get("topic"));
        } else {
            int dim = Integer.parseInt(o.get("dim"));
            gen = new LearnedLikeVectors(dim, 200, 1);
            m = gen.matrix(Integer.parseInt(o.get("items")));
            result.put("source", "synthetic learned-like (200 clusters, log-normal norms, bias coordinate)");
        }
        int n = m.size();
        int dim = m.dim();
        Random rnd = new Random(11);
        result.put("items", n);
        result.put("dim", dim);
        result.put("k", k);
        result.put("excluded", excluded);
        result.put("index", mode.label());
        System.out.printf("items=%d dim=%d k=%d excluded=%d index=%s, %d cores, load %s%n", n, dim, k, excluded,
                mode.label(), Runtime.getRuntime().availableProcessors(), result.get("load_average_start"));

        AnnIndexer indexer = new AnnIndexer(mode, ServingConfig.defaults().get(ServingConfig.TOPK_ANN_MIN_ITEMS), 0, 0);
        long t0 = System.nanoTime();
        indexer.prepare(m, null);
        IvfIndex ix = m.annIndex();
        result.put("index_build_ms", (System.nanoTime() - t0) / 1_000_000);
        result.put("index_used", ix == null ? "exact" : "ivf lists=" + ix.lists() + " probes=" + ix.probes());
        result.put("matrix_bytes", 4L * n * dim);
        result.put("memory_bytes", ix == null ? 0L : ix.memoryBytes());
        System.out.println("index: " + result.get("index_used") + ", built in " + result.get("index_build_ms")
                + " ms, " + result.get("memory_bytes") + " bytes (float matrix " + result.get("matrix_bytes") + ")");

        float[][] qs = new float[256][];
        Exclusion[] ex = new Exclusion[qs.length];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = gen != null ? gen.query() : queryFromItems(m, rnd);
            Exclusion.Builder b = Exclusion.builder(n);
            for (int j = 0; j < excluded; j++) {
                b.add(rnd.nextInt(n));
            }
            ex[i] = b.build();
        }
        try (ParallelTopK exact = new ParallelTopK(2, 25_000, ParallelTopK.Kernel.BF16)) {
            // As ServingNode wires it: the index when the matrix has one, else batched exact scans.
            int batch = Integer.parseInt(o.get("batch"));
            result.put("batch_max_queries", batch);
            TopK served = new IndexedTopK(new BatchingTopK(exact, batch));
            // recall@k against the exact scan (the oracle)
            double recall = 0;
            for (int i = 0; i < qs.length; i++) {
                TopKResult truth = exact.search(m, qs[i], k, ex[i], Similarity.DOT);
                TopKResult got = served.search(m, qs[i], k, ex[i], Similarity.DOT);
                Set<Integer> t = new HashSet<>();
                for (int r = 0; r < truth.size(); r++) {
                    t.add(truth.ordinal(r));
                }
                int hits = 0;
                for (int r = 0; r < got.size(); r++) {
                    hits += t.contains(got.ordinal(r)) && !ex[i].contains(got.ordinal(r)) ? 1 : 0;
                }
                recall += truth.size() == 0 ? 1 : hits / (double) truth.size();
            }
            result.put("recall_at_k", round(recall / qs.length, 4));
            // latency, interleaved in rounds of 100 (a noisy neighbour slows both alike)
            long sink = 0;
            for (int i = 0; i < 500; i++) {
                sink += served.search(m, qs[i % qs.length], k, ex[i % qs.length], Similarity.DOT).size();
                sink += exact.search(m, qs[i % qs.length], k, ex[i % qs.length], Similarity.DOT).size();
            }
            long[] lat = new long[queries];
            long[] latExact = new long[queries];
            for (int start = 0; start < queries; start += 100) {
                for (int i = start; i < Math.min(queries, start + 100); i++) {
                    long s = System.nanoTime();
                    sink += served.search(m, qs[i % qs.length], k, ex[i % qs.length], Similarity.DOT).size();
                    lat[i] = System.nanoTime() - s;
                }
                for (int i = start; i < Math.min(queries, start + 100); i++) {
                    long s = System.nanoTime();
                    sink += exact.search(m, qs[i % qs.length], k, ex[i % qs.length], Similarity.DOT).size();
                    latExact[i] = System.nanoTime() - s;
                }
            }
            Arrays.sort(lat);
            Arrays.sort(latExact);
            result.put("p50_ms", round(ms(pct(lat, 50)), 3));
            result.put("p99_ms", round(ms(pct(lat, 99)), 3));
            result.put("exact_p50_ms", round(ms(pct(latExact, 50)), 3));
            result.put("exact_p99_ms", round(ms(pct(latExact, 99)), 3));
            System.out.printf("in process, one query at a time (checksum %d): recall@%d %.4f; served p50 %.3f p99 %.3f"
                    + " ms; exact (bf16, 2 threads) p50 %.3f p99 %.3f ms%n", sink % 10, k, result.get("recall_at_k"),
                    result.get("p50_ms"), result.get("p99_ms"), result.get("exact_p50_ms"), result.get("exact_p99_ms"));

            if (gen != null) {
                update(m, gen, indexer, served, qs, ex, k, result);
            }
            if (httpSeconds > 0) {
                overHttp(m, gen, rnd, served, k, excluded, httpSeconds,
                        Arrays.stream(o.get("clients").split(",")).mapToInt(Integer::parseInt).toArray(), result);
            }
        }
        result.put("load_average_end", Files.readString(Path.of("/proc/loadavg")).trim());
        String json = toJson(result);
        System.out.println(json);
        if (!o.get("out").isEmpty()) {
            Files.writeString(Path.of(o.get("out")), json + "\n");
        }
        System.exit(0);
    }

    /** A snapshot that changes 10% of the items: time to serving, and query p99 during it against steady. */
    private static void update(ItemMatrix m, LearnedLikeVectors gen, AnnIndexer indexer, TopK served, float[][] qs,
                               Exclusion[] ex, int k, Map<String, Object> result) throws Exception {
        int n = m.size();
        Map<String, float[]> changes = new LinkedHashMap<>();
        Random rnd = new Random(3);
        while (changes.size() < n / 10) {
            changes.put(m.id(rnd.nextInt(n)), gen.item());
        }
        SnapshotHolder holder = new SnapshotHolder();
        holder.set(new ItemSnapshot(m, new SnapshotVersion(1, System.currentTimeMillis(), 0)));
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> steady = new ArrayList<>();
        List<Long> during = new ArrayList<>();
        AtomicBoolean building = new AtomicBoolean();
        Thread q = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                ItemMatrix cur = holder.get().matrix;
                long s = System.nanoTime();
                served.search(cur, qs[i % qs.length], k, ex[i % qs.length], Similarity.DOT);
                long d = System.nanoTime() - s;
                (building.get() ? during : steady).add(d);
                i++;
                try {
                    Thread.sleep(0, 200_000); // ~a few thousand queries per second, not a saturated core
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        q.start();
        Thread.sleep(3000);
        building.set(true);
        long t = System.nanoTime();
        ItemMatrix next = m.withUpdates(changes);
        indexer.prepare(next, m);
        holder.set(new ItemSnapshot(next, new SnapshotVersion(2, System.currentTimeMillis(), 0)));
        long servingMs = (System.nanoTime() - t) / 1_000_000;
        Thread.sleep(200);
        building.set(false);
        stop.set(true);
        q.join();
        long[] a = steady.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] b = during.stream().mapToLong(Long::longValue).sorted().toArray();
        result.put("update_items_changed", changes.size());
        result.put("update_serving_ms", servingMs);
        result.put("steady_p99_ms", round(ms(pct(a, 99)), 3));
        result.put("update_p99_ms", round(ms(pct(b, 99)), 3));
        result.put("update_queries", b.length);
        System.out.printf("10%% of the items changed: serving after %d ms (matrix update + index rebuild); query p99 "
                + "steady %.3f ms, during the update %.3f ms (%d queries)%n", servingMs, result.get("steady_p99_ms"),
                result.get("update_p99_ms"), b.length);
    }

    private static ItemMatrix fromKafka(String bootstrap, String topic) throws Exception {
        Path dir = Files.createTempDirectory("streamrec-bench-kafka-");
        try (StateStore store = StateStore.open(dir, false)) {
            SnapshotHolder holder = new SnapshotHolder();
            SnapshotLoader loader = new SnapshotLoader(bootstrap, topic, store, new ServingMetrics(), holder, 5000,
                    true);
            loader.start();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (holder.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(2000); // a later complete snapshot, if the topic holds several
            loader.close();
            if (holder.get() == null) {
                throw new IllegalStateException("no complete item snapshot in " + topic + " at " + bootstrap);
            }
            return holder.get().matrix;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A user-like query over real items: the mean of a few random items, 1 in the bias (last) coordinate. */
    private static float[] queryFromItems(ItemMatrix m, Random rnd) {
        float[] q = new float[m.dim()];
        for (int i = 0; i < 5; i++) {
            float[] v = m.vector(rnd.nextInt(m.size()));
            for (int j = 0; j < q.length; j++) {
                q[j] += v[j] / 5;
            }
        }
        q[q.length - 1] = 1;
        return q;
    }

    private static void overHttp(ItemMatrix m, LearnedLikeVectors gen, Random rnd, TopK served, int k, int excluded,
                                 int seconds, int[] clientCounts, Map<String, Object> result) throws Exception {
        int users = 1000;
        try (BenchState state = new BenchState(m, users, excluded, rnd,
                () -> gen != null ? gen.query() : queryFromItems(m, rnd))) {
            Recommender rec = state.recommender(served);
            HttpApi api = new HttpApi(state.config, rec, state.snapshot, new ServingMetrics(), () -> null);
            api.start();
            List<Map<String, Object>> runs = new ArrayList<>();
            try {
                for (int c : clientCounts) {
                    load(api.port(), users, k, c, 3); // warm-up
                    Map<String, Object> r = load(api.port(), users, k, c, seconds);
                    runs.add(r);
                    System.out.printf("HTTP GET recommendations k=%d, %d seen excluded, %d clients, %d s: %s%n", k,
                            excluded, c, seconds, r);
                }
            } finally {
                api.close();
            }
            result.put("http", runs);
            Map<String, Object> last = runs.get(runs.size() - 1);
            result.put("http_clients", last.get("clients"));
            result.put("http_rps", last.get("rps"));
            result.put("http_p99_ms", last.get("p99_ms"));
        }
    }

    private static Map<String, Object> load(int port, int users, int k, int threads, int seconds)
            throws InterruptedException {
        HttpLoad.Result load = HttpLoad.run(port, users, k, threads, seconds);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clients", threads);
        r.put("rps", Math.round(load.rps()));
        r.put("p50_ms", round(load.ms(50), 2));
        r.put("p99_ms", round(load.ms(99), 2));
        r.put("errors", load.errors());
        return r;
    }

    private static String toJson(Object v) throws com.fasterxml.jackson.core.JsonProcessingException {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v);
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }

    private static long pct(long[] sorted, int p) {
        return HttpLoad.pct(sorted, p);
    }

    private static double ms(long nanos) {
        return HttpLoad.ms(nanos);
    }
}
