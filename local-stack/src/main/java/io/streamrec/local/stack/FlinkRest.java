package io.streamrec.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one client of Flink's REST API (the dashboard's API, {@code http://localhost:8081}) in the CLI: what the
 * cluster commands and the cluster test use (cluster overview, TaskManagers, jar upload and run, job state,
 * checkpoints, stop-with-savepoint, cancel) and what the demo's status lines read (an operator's metrics summed over
 * its subtasks, the numbers the dashboard shows). Thread-safe.
 *
 * <p>Why not Flink's own {@code RestClusterClient}: the jar endpoints ({@code /jars/upload}, {@code /jars/:id/run})
 * belong to the web submission handlers, which it does not call, and submitting the shaded jar through them is the
 * point (exactly as on a production session cluster); for the rest it would bring its executors and retry threads
 * to a handful of GETs. These few calls on the JDK's HTTP client are the smaller dependency.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** A job as {@code /jobs/overview} lists it. */
    public record JobSummary(String id, String name, String state) {}

    /** A completed checkpoint or savepoint: its id and where it is stored. */
    public record CheckpointRef(long id, String externalPath, boolean savepoint) {}

    /** {@code /overview}: TaskManagers, slots, jobs; throws if the JobManager does not answer. */
    public JsonNode overview() throws IOException, InterruptedException {
        return get("/overview");
    }

    /** True when the REST endpoint answers {@code /overview}. */
    public boolean isUp() {
        try {
            overview();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ids of the TaskManagers registered with the JobManager (a killed one stays until it is detected as lost). */
    public List<String> taskManagerIds() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    public List<JobSummary> jobs() throws IOException, InterruptedException {
        List<JobSummary> out = new ArrayList<>();
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            out.add(new JobSummary(j.path("jid").asText(), j.path("name").asText(), j.path("state").asText()));
        }
        return out;
    }

    /** The job's state: CREATED, RUNNING, RESTARTING, FAILING, FINISHED, CANCELED, FAILED, ... */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** RUNNING with every task of every vertex running (not merely scheduled or deploying). */
    public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            int parallelism = v.path("parallelism").asInt();
            if (v.path("tasks").path("RUNNING").asInt() != parallelism) {
                return false;
            }
        }
        return true;
    }

    /** Uploads a job jar ({@code POST /jars/upload}, multipart); returns its jar id. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----streamrec" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = checked("POST /jars/upload", r);
        String file = answer.path("filename").asText();
        if (file.isEmpty()) {
            throw new IOException("POST /jars/upload answered without a file name: " + r.body());
        }
        return Path.of(file).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/:id/run}): the JobManager runs its main() with {@code args} and
     * submits the job it builds.
     *
     * @param restoreFrom a savepoint or retained checkpoint to start from, or null
     * @return the job id
     */
    public String runJar(String jarId, List<String> args, String restoreFrom) throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        args.forEach(req.putArray("programArgsList")::add);
        if (restoreFrom != null) {
            req.put("savepointPath", restoreFrom);
            req.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", req, Duration.ofMinutes(3));
        String id = answer.path("jobid").asText();
        if (id.isEmpty()) {
            throw new IOException("POST /jars/" + jarId + "/run answered without a job id: " + answer);
        }
        return id;
    }

    /** Deletes an uploaded jar ({@code DELETE /jars/:id}); a job already submitted from it is not affected. */
    public void deleteJar(String jarId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/jars/" + jarId))
                .timeout(Duration.ofSeconds(30)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        checked("DELETE /jars/" + jarId, r);
    }

    /** The newest completed checkpoint (or savepoint) of the job, if any. */
    public Optional<CheckpointRef> latestCompleted(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        if (c.isMissingNode() || c.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new CheckpointRef(c.path("id").asLong(), c.path("external_path").asText(),
                c.path("is_savepoint").asBoolean()));
    }

    /** The checkpoint or savepoint the job's current execution was restored from, if it was restored. */
    public Optional<CheckpointRef> restoredFrom(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        if (c.isMissingNode() || c.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new CheckpointRef(c.path("id").asLong(), c.path("external_path").asText(),
                c.path("is_savepoint").asBoolean()));
    }

    /** Number of completed checkpoints of the job (since it was submitted; restarts do not reset it). */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * Stops the job with a savepoint under {@code targetDirectory} ({@code POST /jobs/:id/stop}, no drain: sources
     * stop where they are, and a restart continues from there) and waits for it; returns the savepoint's path.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        req.put("targetDirectory", targetDirectory);
        req.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", req, Duration.ofSeconds(30)).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException("stop-with-savepoint of " + jobId + " failed: "
                            + op.path("failure-cause").path("stack-trace").asText(op.toString()).lines()
                            .findFirst().orElse(""));
                }
                return op.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IOException("stop-with-savepoint of " + jobId + " did not complete within " + timeout);
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

    /** Cancels the job ({@code PATCH /jobs/:id?mode=cancel}); its checkpoints are retained. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
                .timeout(Duration.ofSeconds(30))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202 && r.statusCode() != 200) {
            throw new IOException("PATCH /jobs/" + jobId + "?mode=cancel -> " + r.statusCode() + ": " + r.body());
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return checked("GET " + path, r);
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        return checked("POST " + path, r);
    }

    private static JsonNode checked(String what, HttpResponse<String> r) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " -> " + r.statusCode() + ": " + errorText(r.body()));
        }
        return JSON.readTree(r.body());
    }

    /** Flink answers errors as {"errors": [...]}, often with a whole stack trace: keep the useful lines. */
    private static String errorText(String body) {
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            if (errors.isArray() && errors.size() > 0) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode e : errors) {
                    e.asText().lines().filter(l -> l.startsWith("Caused by:") || !l.startsWith("\t"))
                            .limit(12).forEach(l -> sb.append(l).append('\n'));
                }
                return sb.toString().trim();
            }
        } catch (IOException e) {
            // not JSON: show it as it is
        }
        return body;
    }
}
