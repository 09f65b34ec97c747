package io.streamrec.serving.bench;

import io.streamrec.schema.EventType;
import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.http.HttpApi;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.ParallelTopK;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopKResult;
import io.streamrec.serving.retrieval.VectorTopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The serving benchmark (run by {@code serving/bench.sh}, not by the test suite):
 * <ol>
 *   <li>in process: exact top-k with exclusions over items x dim random vectors, one query at a time on one
 *       thread, timing each query including building its exclusion bitset from item ids;</li>
 *   <li>over HTTP: the real {@link HttpApi} on a loopback port with the same matrix, user vectors and seen items
 *       in RocksDB, under N concurrent java.net.http clients on the same machine; QPS, p50, p99.</li>
 * </ol>
 * Arguments (all optional): items dim k excluded queries httpSeconds clientThreads(comma list).
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
        inProcess("vector", new VectorTopK(), matrix, new Random(11), k, excluded, queries);
        try (ParallelTopK split = new ParallelTopK(2, 25_000)) {
            // Serving's default: one query's scan over two threads (thread CPU below is the caller's share only).
            inProcess("vector, split over 2 threads,", split, matrix, new Random(11), k, excluded, queries);
        }
        inProcess("scalar", new io.streamrec.serving.retrieval.ScalarTopK(), matrix, new Random(11), k, excluded,
                queries);
        overHttp(matrix, rnd, k, excluded, httpSeconds, clients);
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static void inProcess(String name, io.streamrec.serving.retrieval.TopK topK, ItemMatrix m, Random rnd,
                                  int k, int excluded, int queries) {
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
        long sink = 0;
        for (int i = 0; i < 2000; i++) { // warm-up: let C2 compile the scan
            sink += query(topK, m, qs[i % qs.length], ex[i % ex.length], k);
        }
        // Wall time is what a caller waits; thread CPU time is the query's own cost, which a shared machine's
        // preemption does not inflate (it still pays for shared caches and memory bandwidth).
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] lat = new long[queries];
        long[] cpuLat = new long[queries];
        for (int i = 0; i < queries; i++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            sink += query(topK, m, qs[i % qs.length], ex[i % ex.length], k);
            lat[i] = System.nanoTime() - t0;
            cpuLat[i] = cpu.getCurrentThreadCpuTime() - c0;
        }
        Arrays.sort(lat);
        Arrays.sort(cpuLat);
        System.out.printf("in-process %s top-%d, %d excluded, %d x %d, 1 thread, %d queries:%n"
                        + "    wall p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms%n"
                        + "    cpu  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  (checksum %d)%n",
                name, k, excluded, n, m.dim(), queries, ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)),
                ms(lat[lat.length - 1]), ms(pct(cpuLat, 50)), ms(pct(cpuLat, 90)), ms(pct(cpuLat, 99)), sink % 10);
    }

    private static int query(io.streamrec.serving.retrieval.TopK topK, ItemMatrix m, float[] q, String[] excludedIds, int k) {
        Exclusion.Builder b = Exclusion.builder(m.size());
        for (String id : excludedIds) {
            b.add(m.ordinal(id));
        }
        TopKResult r = topK.search(m, q, k, b.build(), Similarity.DOT);
        return r.ordinal(0);
    }

    private static void overHttp(ItemMatrix m, Random rnd, int k, int excluded, int seconds, int[] clientCounts)
            throws Exception {
        Path dir = Files.createTempDirectory("streamrec-bench-");
        int users = 1000;
        ServingConfig config = ServingConfig.defaults().with(ServingConfig.HTTP_PORT, 0)
                .with(ServingConfig.HTTP_HOST, "127.0.0.1").with(ServingConfig.STATE_DIR, dir);
        try (StateStore store = StateStore.open(dir, false)) {
            SeenItemsStore seen = new SeenItemsStore(store, 10_000);
            UserVectorStore uv = new UserVectorStore(store);
            for (int u = 0; u < users; u++) {
                try (WriteBatchWithIndex b = store.newBatch()) {
                    uv.put(b, "user-" + u, randomVector(rnd, m.dim()), 1, 0);
                    for (int j = 0; j < excluded; j++) {
                        seen.record(b, "user-" + u, m.id(rnd.nextInt(m.size())), EventType.CLICK, 1000 + j);
                    }
                    store.write(b);
                }
            }
            Popularity pop = new Popularity(store, Duration.ofDays(1), 1000, 100);
            SnapshotHolder holder = new SnapshotHolder();
            holder.set(new ItemSnapshot(m, new SnapshotVersion(1, System.currentTimeMillis(), 0)));
            // As ServingNode builds it with the default topk.* settings.
            Recommender rec = new Recommender(holder, uv, seen, pop, new ParallelTopK(2, 25_000));
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
            HttpApi api = new HttpApi(config, rec, holder, new ServingMetrics(), () -> null);
            api.start();
            try {
                for (int c : clientCounts) {
                    load(api.port(), users, k, c, 3, false);
                    load(api.port(), users, k, c, seconds, true);
                }
            } finally {
                api.close();
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void load(int port, int users, int k, int threads, int seconds, boolean report)
            throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        int[] counts = new int[threads];
        for (int t = 0; t < threads; t++) {
            long[] lat = new long[2_000_000];
            perThread.add(lat);
            int ti = t;
            Thread th = new Thread(() -> {
                Random r = new Random(ti);
                int i = 0;
                while (!stop.get() && i < lat.length) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/users/user-"
                            + r.nextInt(users) + "/recommendations?k=" + k)).GET().build();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        if (resp.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    lat[i++] = System.nanoTime() - t0;
                }
                counts[ti] = i;
            });
            th.start();
            ts.add(th);
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread th : ts) {
            th.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int pos = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread.get(t), 0, all, pos, counts[t]);
            pos += counts[t];
        }
        Arrays.sort(all);
        if (report) {
            System.out.printf("HTTP GET /v1/users/{id}/recommendations?k=%d (%d seen excluded, RocksDB), %d client "
                            + "threads, %d s: %.0f req/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %d%n",
                    k, 200, threads, seconds, total / elapsed, ms(pct(all, 50)), ms(pct(all, 99)),
                    ms(all[all.length - 1]), errors.get());
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static float[] randomVector(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
