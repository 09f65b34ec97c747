package io.streamrec.serving.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmarks' HTTP load: {@code threads} clients, each sending {@code GET /v1/users/user-N/recommendations?k=K}
 * for random users back to back for {@code seconds}, and their latencies; plus the percentile arithmetic both
 * benchmarks report with.
 */
final class HttpLoad {
    /** What a run measured: every request's latency (sorted, ns), the wall time and the failed requests. */
    record Result(int clients, long[] sortedNanos, double elapsedSeconds, long errors) {
        double rps() {
            return sortedNanos.length / elapsedSeconds;
        }

        double ms(int percentile) {
            return HttpLoad.ms(pct(sortedNanos, percentile));
        }

        double maxMs() {
            return sortedNanos.length == 0 ? 0 : HttpLoad.ms(sortedNanos[sortedNanos.length - 1]);
        }
    }

    private HttpLoad() {
    }

    static Result run(int port, int users, int k, int threads, int seconds) throws InterruptedException {
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
        long[] all = new long[Arrays.stream(counts).sum()];
        int pos = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread.get(t), 0, all, pos, counts[t]);
            pos += counts[t];
        }
        Arrays.sort(all);
        return new Result(threads, all, elapsed, errors.get());
    }

    /** The {@code p}-th percentile of sorted values (nearest rank), 0 for none. */
    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
