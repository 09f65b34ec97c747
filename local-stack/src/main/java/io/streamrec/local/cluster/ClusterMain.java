package io.streamrec.local.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.ConfigArgs;
import io.streamrec.config.ConfigException;
import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.job.config.JobConfig;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.CliGroup;
import io.streamrec.local.cli.ParsedArgs;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code streamrec cluster <start|submit|status|taskmanager|kill-taskmanager|serve|stop>}: a real standalone
 * Flink cluster, a Kafka broker and serving nodes as separate processes on this machine (see
 * {@link StandaloneCluster}); each command is one short-lived JVM that finds the processes through their pid files.
 */
public final class ClusterMain {

    static final Option<Path> DIR = Option.named("--dir", ValueTypes.PATH).label("DIR")
            .defaultText(".streamrec/cluster")
            .description("the cluster's config, logs, pid files, Kafka log, checkpoints, savepoints and serving "
                    + "state").build();

    private static Option<Integer> port(String name, int def, String description) {
        return Option.named(name, ValueTypes.INTEGER).label("PORT").defaultText(Integer.toString(def))
                .check(Option.between(1, 65535), "must be a port in 1..65535")
                .description(description + " (a restarted cluster keeps its last)").build();
    }

    private static Option<Long> size(String name, String def, String description) {
        return Option.named(name, ValueTypes.SIZE).defaultText(def)
                .check(v -> v >= (1L << 20), "must be at least 1m")
                .description(description + " (a restarted cluster keeps its last)").build();
    }

    static final Option<Integer> KAFKA_PORT = port("--kafka-port", 9092, "Kafka (its KRaft controller: +1)");
    static final Option<Integer> REST_PORT = port("--rest-port", 8081, "Flink dashboard and REST API");
    static final Option<Integer> JOBMANAGER_PORT = port("--jobmanager-port", 6123, "JobManager RPC");
    static final Option<Integer> SERVING_PORT = port("--serving-port", 8080, "the serving node's HTTP port");
    static final Option<Boolean> NO_SERVING = Option.flag("--no-serving").description("start no serving node")
            .build();
    static final Option<Integer> SLOTS = Option.named("--slots", ValueTypes.INTEGER).defaultText("2")
            .check(v -> v >= 1, "must be at least 1")
            .description("task slots per TaskManager (a restarted cluster keeps its last)").build();
    static final Option<Long> JOBMANAGER_MEMORY = size("--jobmanager-memory", "1g", "JobManager process size");
    static final Option<Long> TASKMANAGER_MEMORY = size("--taskmanager-memory", "1600m",
            "TaskManager process size");
    static final Option<Long> MANAGED_MEMORY = size("--managed-memory", "256m",
            "managed memory (RocksDB) per TaskManager");
    static final Option<Boolean> RESUME = Option.flag("--resume")
            .description("start from the newest savepoint or retained checkpoint under DIR").build();
    static final Option<String> FROM = Option.named("--from", ValueTypes.STRING).label("PATH")
            .description("start from this savepoint or checkpoint").build();
    static final Option<Boolean> NO_WAIT = Option.flag("--no-wait")
            .description("return once submitted, without waiting for every task to run").build();
    static final Option<Integer> SERVE_PORT = SERVING_PORT.toBuilder().defaultText("").deprecatedName("--port")
            .description("the new node's HTTP port (its own RocksDB under DIR/serving-PORT); required").build();
    static final Option<Boolean> SAVEPOINT = Option.flag("--savepoint")
            .description("stop the trainer with a savepoint first (else it is cancelled; its last checkpoint is "
                    + "kept)").build();

    private static final String EXAMPLE = "DIR (default .streamrec/cluster) holds the cluster's config, logs, pid "
            + "files, Kafka log, checkpoints,\nsavepoints and serving state. Example:\n"
            + "  ./streamrec cluster start && ./streamrec cluster submit --snapshot.interval 2s\n"
            + "  ./streamrec generate --rate 50 &     # events into localhost:9092\n"
            + "  curl 'localhost:8080/v1/users/u-1/recommendations?k=5'\n"
            + "  ./streamrec cluster stop --savepoint && ./streamrec cluster start && ./streamrec cluster submit "
            + "--resume";

    static final CliCommand START = CliCommand.builder("cluster start", "streamrec cluster start [options]")
            .description("Starts Kafka, a Flink JobManager and TaskManager (separate JVMs) and a serving node.")
            .options(DIR, KAFKA_PORT, REST_PORT, JOBMANAGER_PORT, SERVING_PORT, NO_SERVING, SLOTS, JOBMANAGER_MEMORY,
                    TASKMANAGER_MEMORY, MANAGED_MEMORY)
            .epilogue("Sizes are written 512m, 1600m, 1g.")
            .build();
    static final CliCommand SUBMIT = CliCommand.builder("cluster submit",
                    "streamrec cluster submit [options] [--KEY VALUE ...]")
            .description("Uploads the shaded trainer jar over REST and runs it.")
            .options(DIR, RESUME, FROM, NO_WAIT).passThrough()
            .epilogue("--KEY VALUE: any key of the trainer's configuration (README.md, \"Configuration (trainer)\"),\n"
                    + "e.g. --snapshot.interval 2s --model.dim 32, or --config FILE.properties; checked here first.\n"
                    + "The cluster's Kafka and checkpoint directory are the defaults.")
            .build();
    static final CliCommand STATUS = CliCommand.builder("cluster status", "streamrec cluster status [options]")
            .description("Processes, TaskManagers and slots, jobs, checkpoints, serving health.")
            .options(DIR).build();
    static final CliCommand TASKMANAGER = CliCommand.builder("cluster taskmanager",
                    "streamrec cluster taskmanager [options]")
            .description("Starts one more TaskManager (e.g. to replace a killed one).")
            .options(DIR).build();
    static final CliCommand KILL_TASKMANAGER = CliCommand.builder("cluster kill-taskmanager",
                    "streamrec cluster kill-taskmanager [options] [NAME]")
            .description("Kills a TaskManager with SIGKILL (default: the newest), to see the job recover.")
            .options(DIR).positionals("NAME").build();
    static final CliCommand SERVE = CliCommand.builder("cluster serve",
                    "streamrec cluster serve --serving-port PORT [options] [--KEY VALUE ...]")
            .description("Starts another serving node against the cluster's Kafka.")
            .options(DIR, SERVE_PORT).passThrough()
            .epilogue("--KEY VALUE: the serving node's configuration keys (serving/README.md).")
            .build();
    static final CliCommand STOP = CliCommand.builder("cluster stop", "streamrec cluster stop [options]")
            .description("Stops everything.")
            .options(DIR, SAVEPOINT).build();

    private ClusterMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        BuildLayout build = BuildLayout.fromSystemProperty();
        return new CliGroup("cluster", "streamrec cluster <command> [--dir DIR] [options]   (./streamrec cluster "
                + "<command> --help for its options)", EXAMPLE)
                .command("start", START.description(), (a, o, e) -> run(START, a, o, e, build))
                .command("submit", SUBMIT.description(), (a, o, e) -> run(SUBMIT, a, o, e, build))
                .command("status", STATUS.description(), (a, o, e) -> run(STATUS, a, o, e, build))
                .command("taskmanager", TASKMANAGER.description(), (a, o, e) -> run(TASKMANAGER, a, o, e, build))
                .command("kill-taskmanager", KILL_TASKMANAGER.description(),
                        (a, o, e) -> run(KILL_TASKMANAGER, a, o, e, build))
                .command("serve", SERVE.description(), (a, o, e) -> run(SERVE, a, o, e, build))
                .command("stop", STOP.description(), (a, o, e) -> run(STOP, a, o, e, build))
                .run(args, out, err);
    }

    private static int run(CliCommand command, String[] args, PrintStream out, PrintStream err, BuildLayout build) {
        try {
            ParsedArgs s = command.parse(args);
            if (s.helpRequested()) {
                out.print(command.usage());
                return 0;
            }
            command.warn(err, s.warnings());
            Path dir = s.has(DIR) ? s.get(DIR) : build.home().resolve(".streamrec/cluster");
            if (command == START) {
                requireNone(s);
                return start(build, dir, s, out);
            } else if (command == SUBMIT) {
                Map<String, String> trainer = trainerFlags(s.positionals());
                return submit(StandaloneCluster.open(dir, build), trainer, s, out);
            } else if (command == STATUS) {
                requireNone(s);
                return status(StandaloneCluster.open(dir, build), out);
            } else if (command == TASKMANAGER) {
                requireNone(s);
                ManagedProcess tm = StandaloneCluster.open(dir, build).startTaskManager();
                out.println("started " + tm + ", registered with the JobManager; log " + tm.log());
                return 0;
            } else if (command == KILL_TASKMANAGER) {
                return killTaskManager(StandaloneCluster.open(dir, build), s, out, err);
            } else if (command == SERVE) {
                if (!s.has(SERVE_PORT)) {
                    throw new UsageException("--serving-port: required (each node has its own port and RocksDB)");
                }
                StandaloneCluster cluster = StandaloneCluster.open(dir, build);
                int port = s.get(SERVE_PORT);
                ManagedProcess p = cluster.startServing(port, s.positionals());
                out.println("serving node on http://localhost:" + port + " (" + p + "), consuming "
                        + cluster.settings().bootstrapServers() + "; log " + p.log());
                return 0;
            } else {
                requireNone(s);
                StandaloneCluster cluster = StandaloneCluster.open(dir, build);
                List<String> savepoints = cluster.stop(s.flag(SAVEPOINT));
                savepoints.forEach(p -> out.println("savepoint " + p));
                out.println("stopped; state kept under " + dir.toAbsolutePath()
                        + " (./streamrec cluster start, then submit --resume)");
                return 0;
            }
        } catch (UsageException e) {
            return command.usageError(err, e);
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println(command.name() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(command.name() + ": interrupted");
            return 1;
        }
    }

    private static void requireNone(ParsedArgs s) throws UsageException {
        if (!s.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + s.positionals().get(0) + "'");
        }
    }

    /**
     * The trainer flags of {@code submit}, in the trainer's own grammar ({@code --key value}, {@code --config
     * file}), checked with the trainer's definitions before anything reaches the JobManager.
     */
    static Map<String, String> trainerFlags(List<String> args) throws UsageException {
        try {
            Map<String, String> trainer = ConfigArgs.parse(args.toArray(String[]::new));
            JobConfig.fromMap(trainer);
            return trainer;
        } catch (ConfigException e) {
            throw new UsageException(e.renamed("--" + e.name()).getMessage());
        }
    }

    private static int start(BuildLayout build, Path dir, ParsedArgs s, PrintStream out)
            throws IOException, InterruptedException {
        // A restart of an existing cluster keeps its ports and sizes unless new ones are given.
        ClusterSettings saved = ClusterSettings.exists(dir) ? ClusterSettings.load(dir) : null;
        ClusterSettings.Builder b = saved != null ? saved.toBuilder() : ClusterSettings.builder(dir);
        if (s.has(KAFKA_PORT)) {
            int kafka = s.get(KAFKA_PORT);
            b.kafkaPort(kafka).kafkaControllerPort(kafka + 1);
        }
        if (s.has(REST_PORT)) {
            b.restPort(s.get(REST_PORT));
        }
        if (s.has(JOBMANAGER_PORT)) {
            b.jobManagerRpcPort(s.get(JOBMANAGER_PORT));
        }
        if (s.has(SERVING_PORT)) {
            b.servingPort(s.get(SERVING_PORT));
        }
        if (s.has(SLOTS)) {
            b.slots(s.get(SLOTS));
        }
        if (s.has(JOBMANAGER_MEMORY)) {
            b.jobManagerMemory(ValueTypes.formatSize(s.get(JOBMANAGER_MEMORY)));
        }
        if (s.has(TASKMANAGER_MEMORY)) {
            b.taskManagerMemory(ValueTypes.formatSize(s.get(TASKMANAGER_MEMORY)));
        }
        if (s.has(MANAGED_MEMORY)) {
            b.managedMemory(ValueTypes.formatSize(s.get(MANAGED_MEMORY)));
        }
        StandaloneCluster cluster = new StandaloneCluster(b.build(), build);
        out.println("starting Kafka, the Flink JobManager and a TaskManager"
                + (s.flag(NO_SERVING) ? "" : ", a serving node") + " under " + dir.toAbsolutePath() + " ...");
        long t0 = System.nanoTime();
        cluster.start(!s.flag(NO_SERVING));
        out.printf("up in %d s:%n", (System.nanoTime() - t0) / 1_000_000_000L);
        printProcesses(cluster, out);
        out.println("  Kafka      " + cluster.settings().bootstrapServers());
        out.println("  Flink      " + cluster.dashboard() + "   (dashboard and REST API)");
        if (!s.flag(NO_SERVING)) {
            out.println("  Serving    http://localhost:" + cluster.settings().servingPort());
        }
        out.println("next: ./streamrec cluster submit   (or submit --resume to continue from the last savepoint)");
        return 0;
    }

    private static int submit(StandaloneCluster cluster, Map<String, String> trainer, ParsedArgs s, PrintStream out)
            throws IOException, InterruptedException {
        String from = s.get(FROM);
        if (from == null && s.flag(RESUME)) {
            Optional<Path> newest = cluster.newestRestorePoint();
            if (newest.isEmpty()) {
                throw new IllegalStateException("--resume: no savepoint or retained checkpoint under "
                        + cluster.settings().dir());
            }
            from = newest.get().toUri().toString();
        }
        String job = cluster.submit(trainer, from);
        out.println("submitted job " + job + (from == null ? "" : " restoring " + from));
        if (!s.flag(NO_WAIT)) {
            cluster.awaitRunning(job, Duration.ofMinutes(3));
            out.println("running: " + cluster.dashboard().resolve("/#/job/running/" + job + "/overview"));
        }
        return 0;
    }

    private static int killTaskManager(StandaloneCluster cluster, ParsedArgs s, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        List<ManagedProcess> tms = cluster.taskManagers();
        if (tms.isEmpty()) {
            err.println("no TaskManager is running");
            return 1;
        }
        String wanted = s.positionals().isEmpty() ? null : s.positionals().get(0);
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
}
