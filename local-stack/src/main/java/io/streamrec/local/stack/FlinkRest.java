package io.streamrec.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a running job's metrics through Flink's REST API, the same numbers the dashboard shows: user metrics of
 * an operator, summed over its subtasks ({@code /jobs/:id/vertices/:v/subtasks/metrics?agg=sum}). Thread-safe.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(URI base) {
        this.base = base;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The job vertex whose name starts with {@code operator} (e.g. "UserTower"), or null. */
    public String vertexId(String jobId, String operator) throws IOException, InterruptedException {
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().startsWith(operator)) {
                return v.path("id").asText();
            }
        }
        return null;
    }

    /**
     * Sums of the named operator metrics (e.g. {@code prequentialHits10}) over the subtasks of the vertex; metrics
     * not registered yet are absent from the result.
     */
    public Map<String, Double> sums(String jobId, String vertexId, String operator, List<String> metrics)
            throws IOException, InterruptedException {
        String ids = metrics.stream().map(m -> operator + "." + m).collect(Collectors.joining(","));
        JsonNode answer = get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?agg=sum&get=" + ids);
        Map<String, Double> out = new HashMap<>();
        for (JsonNode m : answer) {
            String id = m.path("id").asText();
            out.put(id.substring(id.indexOf('.') + 1), m.path("sum").asDouble());
        }
        return out;
    }
}
