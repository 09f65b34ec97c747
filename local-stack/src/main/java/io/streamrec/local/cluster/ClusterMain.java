package io.streamrec.local.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.stack.FlinkRest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code streamrec cluster <start|submit|status|taskmanager|kill-taskmanager|serve|stop>}: a real standalone
 * Flink cluster, a Kafka broker and serving nodes as separate processes on this machine (see
 * {@link StandaloneCluster}); each command is one short-lived JVM that finds the processes through their pid files.
 */
public final class ClusterMain {

    static final String USAGE = String.join("\n",
            "usage: ./streamrec cluster <command> [--dir DIR] [options]",
            "",
            "  start              start Kafka, a Flink JobManager and TaskManager (separate JVMs) and a serving node",
            "                     --kafka-port 9092 (controller: +1)  --rest-port 8081  --jobmanager-port 6123",
            "                     --serving-port 8080  --no-serving  --slots 2  --jobmanager-memory 1024m",
            "                     --taskmanager-memory 1600m  --managed-memory 256m",
            "  submit [ARGS]      upload the shaded trainer jar over REST and run it; ARGS are trainer flags",
            "                     (--key value, README's configuration table); --resume: from the newest",
            "                     savepoint/retained checkpoint under DIR; --from PATH: from that one",
            "  status             processes, TaskManagers and slots, jobs, checkpoints, serving health",
            "  taskmanager        start one more TaskManager (e.g. to replace a killed one)",
            "  kill-taskmanager   kill -9 a TaskManager (default: the newest), to see the job recover",
            "  serve [ARGS]       start another serving node: --port P (its own RocksDB under DIR/serving-P);",
            "                     ARGS are serving flags (serving/README.md)",
            "  stop               stop everything; --savepoint: stop the trainer with a savepoint first",
            "                     (else it is cancelled; its last checkpoint is kept)",
            "",
            "DIR (default .streamrec/cluster) holds the cluster's config, logs, pid files, Kafka log, checkpoints,",
            "savepoints and serving state. Example:",
            "  ./streamrec cluster start && ./streamrec cluster submit --snapshot.interval 2s",
            "  ./streamrec generate --rate 50 &     # events into localhost:9092",
            "  curl 'localhost:8080/v1/users/u-1/recommendations?k=5'",
            "  ./streamrec cluster stop --savepoint && ./streamrec cluster start && ./streamrec cluster submit --resume");

    private ClusterMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            out.println(USAGE);
            return args.length == 0 ? 64 : 0;
        }
        String command = args[0];
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        BuildLayout build = BuildLayout.fromSystemProperty();
        try {
            Split s = Split.of(rest, Set.of("--dir", "--kafka-port", "--rest-port", "--jobmanager-port",
                    "--serving-port", "--slots", "--jobmanager-memory", "--taskmanager-memory", "--managed-memory",
                    "--from", "--port"), Set.of("--no-serving", "--resume", "--savepoint", "--no-wait"));
            Path dir = Path.of(s.get("--dir", build.home().resolve(".streamrec/cluster").toString()));
            switch (command) {
                case "start":
                    s.requireNoOthers(command);
                    return start(build, dir, s, out);
                case "submit":
                    return submit(StandaloneCluster.open(dir, build), s, out);
                case "status":
                    s.requireNoOthers(command);
                    return status(StandaloneCluster.open(dir, build), out);
                case "taskmanager": {
                    s.requireNoOthers(command);
                    ManagedProcess tm = StandaloneCluster.open(dir, build).startTaskManager();
                    out.println("started " + tm + ", registered with the JobManager; log " + tm.log());
                    return 0;
                }
                case "kill-taskmanager":
                    return killTaskManager(StandaloneCluster.open(dir, build), s, out, err);
                case "serve": {
                    StandaloneCluster cluster = StandaloneCluster.open(dir, build);
                    if (s.value("--port").isEmpty()) {
                        throw new UsageException("serve needs --port P (each node has its own port and RocksDB)");
                    }
                    int port = s.getInt("--port", 0);
                    ManagedProcess p = cluster.startServing(port, s.others());
                    out.println("serving node on http://localhost:" + port + " (" + p + "), consuming "
                            + cluster.settings().bootstrapServers() + "; log " + p.log());
                    return 0;
                }
                case "stop": {
                    s.requireNoOthers(command);
                    StandaloneCluster cluster = StandaloneCluster.open(dir, build);
                    List<String> savepoints = cluster.stop(s.flag("--savepoint"));
                    savepoints.forEach(p -> out.println("savepoint " + p));
                    out.println("stopped; state kept under " + dir.toAbsolutePath()
                            + " (./streamrec cluster start, then submit --resume)");
                    return 0;
                }
                default:
                    err.println("streamrec cluster: unknown command '" + command + "'\n" + USAGE);
                    return 64;
            }
        } catch (UsageException e) {
            err.println("streamrec cluster " + command + ": " + e.getMessage());
            return 64;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("streamrec cluster " + command + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("streamrec cluster " + command + ": interrupted");
            return 1;
        }
    }

    private static int start(BuildLayout build, Path dir, Split s, PrintStream out)
            throws UsageException, IOException, InterruptedException {
        // A restart of an existing cluster keeps its ports and sizes unless new ones are given.
        ClusterSettings saved = ClusterSettings.exists(dir) ? ClusterSettings.load(dir) : null;
        ClusterSettings.Builder b = saved != null ? saved.toBuilder() : ClusterSettings.builder(dir);
        if (s.value("--kafka-port").isPresent()) {
            int kafka = s.getInt("--kafka-port", 9092);
            b.kafkaPort(kafka).kafkaControllerPort(kafka + 1);
        }
        b.restPort(s.getInt("--rest-port", saved != null ? saved.restPort() : 8081))
                .jobManagerRpcPort(s.getInt("--jobmanager-port", saved != null ? saved.jobManagerRpcPort() : 6123))
                .servingPort(s.getInt("--serving-port", saved != null ? saved.servingPort() : 8080))
                .slots(s.getInt("--slots", saved != null ? saved.slots() : 2));
        s.value("--jobmanager-memory").ifPresent(b::jobManagerMemory);
        s.value("--taskmanager-memory").ifPresent(b::taskManagerMemory);
        s.value("--managed-memory").ifPresent(b::managedMemory);
        StandaloneCluster cluster = new StandaloneCluster(b.build(), build);
        out.println("starting Kafka, the Flink JobManager and a TaskManager"
                + (s.flag("--no-serving") ? "" : ", a serving node") + " under " + dir.toAbsolutePath() + " ...");
        long t0 = System.nanoTime();
        cluster.start(!s.flag("--no-serving"));
        out.printf("up in %d s:%n", (System.nanoTime() - t0) / 1_000_000_000L);
        printProcesses(cluster, out);
        out.println("  Kafka      " + cluster.settings().bootstrapServers());
        out.println("  Flink      " + cluster.dashboard() + "   (dashboard and REST API)");
        if (!s.flag("--no-serving")) {
            out.println("  Serving    http://localhost:" + cluster.settings().servingPort());
        }
        out.println("next: ./streamrec cluster submit   (or submit --resume to continue from the last savepoint)");
        return 0;
    }

    private static int submit(StandaloneCluster cluster, Split s, PrintStream out)
            throws IOException, InterruptedException {
        String from = s.value("--from").orElse(null);
        if (from == null && s.flag("--resume")) {
            Optional<Path> newest = cluster.newestRestorePoint();
            if (newest.isEmpty()) {
                throw new IllegalStateException("--resume: no savepoint or retained checkpoint under "
                        + cluster.settings().dir());
            }
            from = newest.get().toUri().toString();
        }
        String job = cluster.submit(s.others(), from);
        out.println("submitted job " + job + (from == null ? "" : " restoring " + from));
        if (!s.flag("--no-wait")) {
            cluster.awaitRunning(job, Duration.ofMinutes(3));
            out.println("running: " + cluster.dashboard().resolve("/#/job/running/" + job + "/overview"));
        }
        return 0;
    }

    private static int killTaskManager(StandaloneCluster cluster, Split s, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        List<ManagedProcess> tms = cluster.taskManagers();
        if (tms.isEmpty()) {
            err.println("no TaskManager is running");
            return 1;
        }
        String wanted = s.others().isEmpty() ? null : s.others().get(0);
        ManagedProcess victim = wanted == null ? tms.get(tms.size() - 1)
                : tms.stream().filter(p -> p.name().equals(wanted)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no running TaskManager named " + wanted));
        victim.kill();
        out.println("killed " + victim + " with SIGKILL; start a replacement with ./streamrec cluster taskmanager");
        return 0;
    }

    private static int status(StandaloneCluster cluster, PrintStream out) throws IOException, InterruptedException {
        out.println("cluster under " + cluster.settings().dir());
        printProcesses(cluster, out);
        FlinkRest rest = cluster.rest();
        if (!rest.isUp()) {
            out.println("Flink: no JobManager answers on " + rest.base());
            return 1;
        }
        JsonNode o = rest.overview();
        out.printf("Flink %s: %d TaskManager(s), %d/%d slots free%n", rest.base(), o.path("taskmanagers").asInt(),
                o.path("slots-available").asInt(), o.path("slots-total").asInt());
        for (FlinkRest.JobSummary j : rest.jobs()) {
            StringBuilder line = new StringBuilder("  job " + j.id() + "  " + j.state() + "  " + j.name());
            if (!List.of("FINISHED", "CANCELED", "FAILED").contains(j.state())) {
                line.append("  checkpoints completed: ").append(rest.completedCheckpoints(j.id()));
                rest.restoredFrom(j.id()).ifPresent(r -> line.append("  restored from ")
                        .append(r.externalPath()));
            }
            out.println(line);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (ManagedProcess p : cluster.servingNodes()) {
            String port = p.name().substring(StandaloneCluster.SERVING_PREFIX.length());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/ready")).timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                out.println("serving :" + port + "  /ready " + r.statusCode() + " " + r.body());
            } catch (IOException e) {
                out.println("serving :" + port + "  not answering (" + e.getMessage() + ")");
            }
        }
        return 0;
    }

    private static void printProcesses(StandaloneCluster cluster, PrintStream out) throws IOException {
        List<ManagedProcess> ps = cluster.processes();
        if (ps.isEmpty()) {
            out.println("  (no processes running)");
        }
        for (ManagedProcess p : ps) {
            out.printf("  %-16s pid %-8d log %s%n", p.name(), p.pid(), p.log());
        }
    }

    /** The command's own options, and everything else (trainer or serving flags, passed on as they are). */
    static final class Split {
        private final Map<String, String> own;
        private final List<String> others;

        private Split(Map<String, String> own, List<String> others) {
            this.own = own;
            this.others = others;
        }

        static Split of(List<String> args, Set<String> valued, Set<String> flags) throws UsageException {
            Map<String, String> own = new LinkedHashMap<>();
            List<String> others = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                int eq = a.indexOf('=');
                String name = eq > 0 ? a.substring(0, eq) : a;
                if (flags.contains(name)) {
                    own.put(name, "true");
                } else if (valued.contains(name)) {
                    if (eq > 0) {
                        own.put(name, a.substring(eq + 1));
                    } else if (i + 1 < args.size()) {
                        own.put(name, args.get(++i));
                    } else {
                        throw new UsageException(name + " needs a value");
                    }
                } else {
                    others.add(a);
                }
            }
            return new Split(own, others);
        }

        Optional<String> value(String name) {
            return Optional.ofNullable(own.get(name));
        }

        String get(String name, String def) {
            return own.getOrDefault(name, def);
        }

        int getInt(String name, int def) throws UsageException {
            String v = own.get(name);
            if (v == null) {
                return def;
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new UsageException(name + " must be an integer, got '" + v + "'");
            }
        }

        boolean flag(String name) {
            return own.containsKey(name);
        }

        List<String> others() {
            return others;
        }

        void requireNoOthers(String command) throws UsageException {
            if (!others.isEmpty()) {
                throw new UsageException("unexpected argument(s) " + others + " for '" + command
                        + "' (./streamrec cluster --help)");
            }
        }
    }
}
