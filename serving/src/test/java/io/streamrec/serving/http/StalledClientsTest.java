package io.streamrec.serving.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.VectorTopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients (issue 18): 100 connections that stall, half in the middle of a request head and half with a body
 * shorter than its Content-Length, must neither delay a well-behaved client nor stay open past the configured
 * timeouts. With the JDK HttpServer, 8 such clients took all 8 handler threads and every other request timed out.
 */
class StalledClientsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void stalledConnectionsDoNotDelayOthersAndAreClosedAfterTheTimeout() throws Exception {
        ServingConfig config = ServingConfig.of(Map.of("http.port", "0", "http.host", "127.0.0.1",
                "http.header-timeout", "2s", "http.body-timeout", "2s", "http.idle-timeout", "2s",
                "http.threads", "8", "state.dir", dir.toString()));
        try (StateStore store = StateStore.open(dir, false)) {
            SnapshotHolder holder = new SnapshotHolder();
            String[] ids = new String[1000];
            float[][] v = new float[1000][];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = "i" + i;
                v[i] = new float[] {i % 17, i % 5, 1, 0};
            }
            holder.set(new ItemSnapshot(ItemMatrix.of(ids, v), new SnapshotVersion(1, System.currentTimeMillis(), 0)));
            Recommender rec = new Recommender(holder, new UserVectorStore(store), new SeenItemsStore(store, 100),
                    new Popularity(store, Duration.ofHours(1), 1000, 3000), new VectorTopK());
            HttpApi api = new HttpApi(config, rec, holder, new ServingMetrics(), () -> null);
            api.start();
            List<Socket> stalled = new ArrayList<>();
            try {
                long opened = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    Socket s = new Socket("127.0.0.1", api.port());
                    s.setSoTimeout(10_000);
                    String partial = i % 2 == 0
                            ? "GET /v1/users/alice/recommendations HTTP/1.1\r\nHost: x\r\nX-Slow: " // no end of head
                            : "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 100\r\n\r\n{\"k\": "; // 6 of 100 bytes
                    s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    stalled.add(s);
                }
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (api.openConnections() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(100, api.openConnections(), "every stalled connection is open");

                // A well-behaved client, on its own connections, while all 100 are stalled.
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                long worst = 0;
                int requests = 0;
                List<Long> latencies = new ArrayList<>();
                while (System.nanoTime() - opened < TIMEOUT.toNanos() - 500_000_000L || requests < 20) {
                    long t = System.nanoTime();
                    HttpRequest req = requests % 2 == 0
                            ? HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                                    + "/v1/users/u" + requests + "/recommendations?k=10")).timeout(Duration.ofSeconds(5))
                                    .build()
                            : HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                                    + "/v1/recommendations")).timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"i3\"], \"k\": 5}"))
                                    .build();
                    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), r.body());
                    worst = Math.max(worst, System.nanoTime() - t);
                    latencies.add(System.nanoTime() - t);
                    requests++;
                }
                assertTrue(worst < 1_000_000_000L, "slowest normal request took " + worst / 1e6 + " ms");
                long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("StalledClientsTest: %d normal requests beside 100 stalled connections: p50 %.2f ms, "
                        + "p99 %.2f ms, max %.2f ms%n", sorted.length, sorted[sorted.length / 2] / 1e6,
                        sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                        sorted[sorted.length - 1] / 1e6);

                // Every stalled connection gets a 408 (or is simply closed) after the timeout, not before.
                for (Socket s : stalled) {
                    String answer = readToEnd(s.getInputStream());
                    long after = System.nanoTime() - opened;
                    assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408")
                            && answer.contains("\"error\":\"request_timeout\""), answer);
                    assertTrue(after < TIMEOUT.toNanos() + 3_000_000_000L, "closed after " + after / 1e6 + " ms");
                }
                assertTrue(System.nanoTime() - opened >= TIMEOUT.toNanos() - 100_000_000L, "not closed before the timeout");
                deadline = System.nanoTime() + 2_000_000_000L;
                while (api.openConnections() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(api.openConnections() <= 1, api.openConnections() + " connections still open");
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
                api.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosed() throws Exception {
        ServingConfig config = ServingConfig.of(Map.of("http.port", "0", "http.host", "127.0.0.1",
                "http.max-connections", "3", "state.dir", dir.toString()));
        try (StateStore store = StateStore.open(dir, false)) {
            SnapshotHolder holder = new SnapshotHolder();
            Recommender rec = new Recommender(holder, new UserVectorStore(store), new SeenItemsStore(store, 100),
                    new Popularity(store, Duration.ofHours(1), 1000, 3000), new VectorTopK());
            HttpApi api = new HttpApi(config, rec, holder, new ServingMetrics(), () -> null);
            api.start();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(new Socket("127.0.0.1", api.port()));
                }
                try (Socket extra = new Socket("127.0.0.1", api.port())) {
                    extra.setSoTimeout(5000);
                    extra.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    String answer;
                    try {
                        answer = readToEnd(extra.getInputStream());
                    } catch (java.net.SocketException reset) {
                        answer = "";
                    }
                    assertEquals("", answer, "the fourth connection is closed unanswered");
                }
                held.get(0).close();
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (api.openConnections() > 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + api.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "room again once one closed");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
                api.close();
            }
        }
    }

    private static String readToEnd(InputStream in) throws Exception {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the stalled connection was not closed", e);
        }
    }
}
