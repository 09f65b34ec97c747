package io.streamrec.local.cluster;

import io.streamrec.config.ConfigArgs;
import io.streamrec.job.config.JobConfig;
import io.streamrec.local.demo.Demo;
import io.streamrec.local.stack.FlinkRest;
import io.streamrec.local.stack.ServingProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, multi-process streamrec deployment on this machine, started from the repository's build: a KRaft Kafka
 * broker ({@code kafka.Kafka}), a Flink JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers
 * ({@code TaskManagerRunner}) as separate JVMs on Maven-resolved jars (flink-dist is not on Maven Central), the
 * trainer submitted as the shaded job jar through Flink's REST API, and serving nodes.
 *
 * <p>All state lives under the cluster directory: {@code conf/} (generated configs), {@code logs/},
 * {@code run/*.pid}, {@code kafka/data}, {@code checkpoints/}, {@code savepoints/}, {@code serving-<port>/}.
 * Processes are found through their pid files, so any JVM (a later {@code ./streamrec cluster} command, a test)
 * can stop or kill what another one started. Not thread-safe.
 */
public final class StandaloneCluster {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);

    public static final String KAFKA = "kafka";
    public static final String JOBMANAGER = "jobmanager";
    public static final String TASKMANAGER_PREFIX = "taskmanager-";
    public static final String SERVING_PREFIX = "serving-";

    private static final String BASH_JAVA_UTILS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final ClusterSettings settings;
    private final BuildLayout build;
    private final FlinkRest rest;

    public StandaloneCluster(ClusterSettings settings, BuildLayout build) {
        this.settings = settings;
        this.build = build;
        this.rest = new FlinkRest(URI.create("http://localhost:" + settings.restPort()));
    }

    /** The cluster whose settings {@code cluster start} saved under {@code dir}. */
    public static StandaloneCluster open(Path dir, BuildLayout build) {
        return new StandaloneCluster(ClusterSettings.load(dir), build);
    }

    public ClusterSettings settings() {
        return settings;
    }

    public FlinkRest rest() {
        return rest;
    }

    public URI dashboard() {
        return rest.base();
    }

    /**
     * Starts Kafka, the JobManager and one TaskManager (each only if not running already) and, if
     * {@code servingPort > 0}, a serving node; saves the settings for later commands.
     */
    public void start(boolean withServing) throws IOException, InterruptedException {
        settings.save();
        if (process(KAFKA).isEmpty()) {
            startKafka();
        }
        if (process(JOBMANAGER).isEmpty()) {
            startJobManager();
        }
        if (taskManagers().isEmpty()) {
            startTaskManager();
        }
        if (withServing && process(SERVING_PREFIX + settings.servingPort()).isEmpty()) {
            startServing(settings.servingPort(), List.of());
        }
    }

    // ---------------------------------------------------------------- Kafka

    /** Formats the KRaft log directory on first use, starts the broker and waits until it answers. */
    public ManagedProcess startKafka() throws IOException, InterruptedException {
        requireFreePort(settings.kafkaPort(), "Kafka (--kafka-port)");
        requireFreePort(settings.kafkaControllerPort(), "Kafka's controller (--kafka-port + 1)");
        ClusterConfigFiles.writeKafka(settings);
        Path props = settings.confDir().resolve(ClusterConfigFiles.KAFKA_PROPERTIES);
        Path log = settings.logDir().resolve("kafka.log");
        List<String> jvm = new ArrayList<>(List.of(build.java(), "-Xms128m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + settings.confDir().resolve(ClusterConfigFiles.KAFKA_LOG4J),
                "-cp", build.kafkaClasspath()));
        if (!Files.exists(settings.dir().resolve("kafka/data/meta.properties"))) {
            List<String> format = new ArrayList<>(jvm);
            format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                    "-c", props.toString(), "--standalone"));
            runToCompletion(format, log, Duration.ofMinutes(1), "formatting Kafka's log directory");
        }
        List<String> cmd = new ArrayList<>(jvm);
        cmd.addAll(List.of("kafka.Kafka", props.toString()));
        ManagedProcess p = ManagedProcess.start(KAFKA, cmd, settings.dir(), log, log, pidFile(KAFKA));
        awaitKafka(p, Duration.ofSeconds(60));
        LOG.info("Kafka broker up on {} ({})", settings.bootstrapServers(), p);
        return p;
    }

    private void awaitKafka(ManagedProcess p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
            while (System.nanoTime() < deadline) {
                requireAlive(p);
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not up yet
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer within " + timeout + "; see " + p.log());
    }

    // ---------------------------------------------------------------- Flink

    /** Writes Flink's configuration, starts the JobManager and waits for its REST API. */
    public ManagedProcess startJobManager() throws IOException, InterruptedException {
        requireFreePort(settings.restPort(), "Flink's REST API (--rest-port)");
        requireFreePort(settings.jobManagerRpcPort(), "the JobManager's RPC (--jobmanager-port)");
        ClusterConfigFiles.writeFlink(settings);
        ManagedProcess p = startFlinkProcess(JOBMANAGER, "GET_JM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!rest.isUp()) {
            requireAlive(p);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the JobManager's REST API did not answer on " + rest.base()
                        + " within 90 s; see " + p.log());
            }
            Thread.sleep(250);
        }
        LOG.info("Flink JobManager up, dashboard at {} ({})", rest.base(), p);
        return p;
    }

    /**
     * Starts one more TaskManager (e.g. to replace a killed one) and waits until it has registered with the
     * JobManager.
     */
    public ManagedProcess startTaskManager() throws IOException, InterruptedException {
        if (!rest.isUp()) {
            throw new IllegalStateException("no JobManager answers on " + rest.base()
                    + "; start the cluster first (./streamrec cluster start)");
        }
        List<String> before = rest.taskManagerIds();
        // A fresh number, also after a kill: each TaskManager keeps its own log file.
        int n = 1;
        while (Files.exists(pidFile(TASKMANAGER_PREFIX + n))) {
            n++;
        }
        String name = TASKMANAGER_PREFIX + n;
        ClusterConfigFiles.writeFlink(settings);
        ManagedProcess p = startFlinkProcess(name, "GET_TM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            requireAlive(p);
            List<String> now = rest.taskManagerIds();
            now.removeAll(before);
            if (!now.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not register with the JobManager within 90 s; see "
                        + p.log());
            }
            Thread.sleep(250);
        }
        LOG.info("Flink TaskManager {} registered ({})", name, p);
        return p;
    }

    /**
     * A JobManager or TaskManager JVM, the way flink-dist's scripts start one: memory flags computed by
     * BashJavaUtils from config.yaml, Flink's --add-opens list, the log file named by {@code -Dlog.file}.
     */
    private ManagedProcess startFlinkProcess(String name, String resourceCommand, String mainClass)
            throws IOException, InterruptedException {
        Path conf = settings.confDir();
        List<String> params = bashJavaUtils(resourceCommand);
        List<String> cmd = new ArrayList<>();
        cmd.add(build.java());
        cmd.addAll(splitArgs(params.get(0)));
        cmd.addAll(BuildLayout.flinkJvmOpens());
        cmd.add("-Dlog.file=" + settings.logDir().resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve(ClusterConfigFiles.FLINK_LOG4J).toUri());
        cmd.add("-cp");
        cmd.add(build.flinkClasspath());
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(splitArgs(params.get(1)));
        return ManagedProcess.start(name, cmd, settings.dir().resolve("flink").resolve(name),
                settings.logDir().resolve(name + ".out"), settings.logDir().resolve(name + ".log"), pidFile(name));
    }

    /**
     * Runs Flink's BashJavaUtils (what flink-dist's jobmanager.sh and taskmanager.sh do): two result lines, the
     * JVM memory flags (-Xmx, -Xms, -XX:MaxDirectMemorySize, -XX:MaxMetaspaceSize) and the dynamic properties
     * (-D key=value) that pin the derived memory sizes for the process.
     */
    private List<String> bashJavaUtils(String command) throws IOException, InterruptedException {
        Path out = settings.logDir().resolve("bash-java-utils.log");
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(out);
        List<String> cmd = List.of(build.java(), "-Xmx128m", "-cp", build.flinkClasspath(),
                "-Dlog4j2.level=WARN", "org.apache.flink.runtime.util.bash.BashJavaUtils", command,
                "--configDir", settings.confDir().toString());
        runToCompletion(cmd, out, Duration.ofMinutes(1), "computing Flink's memory settings (" + command + ")");
        List<String> results = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith(BASH_JAVA_UTILS_PREFIX)) {
                results.add(line.substring(BASH_JAVA_UTILS_PREFIX.length()).trim());
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " gave " + results.size()
                    + " result lines instead of 2; see " + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    // ---------------------------------------------------------------- serving

    /**
     * Starts a serving node on {@code port} against the cluster's Kafka, with its own RocksDB under
     * {@code serving-<port>/}, and waits for {@code /health}. Every node consumes the topics on its own (no
     * consumer group), so more nodes on more ports are independent replicas.
     */
    public ManagedProcess startServing(int port, List<String> extraArgs) throws IOException, InterruptedException {
        requireFreePort(port, "the serving node (--serving-port)");
        String name = SERVING_PREFIX + port;
        List<String> args = new ArrayList<>(List.of(
                "--kafka.bootstrap.servers", settings.bootstrapServers(),
                "--state.dir", settings.dir().resolve(name).toString()));
        args.addAll(extraArgs);
        ServingProcess node = ServingProcess.start(build.home(), port, args, settings.logDir().resolve(name + ".log"));
        ManagedProcess p = ManagedProcess.adopt(name, node.handle(), node.log(), pidFile(name));
        if (!node.awaitOk("/health", Duration.ofSeconds(90))) {
            throw new IllegalStateException("the serving node did not answer /health within 90 s; see " + node.log());
        }
        LOG.info("serving node up on http://localhost:{} ({})", port, p);
        return p;
    }

    // ---------------------------------------------------------------- the trainer job

    /**
     * Uploads the shaded trainer jar and runs it. The trainer's configuration is checked here first (an unknown
     * key or bad value fails before anything reaches the JobManager); the cluster's Kafka and checkpoint
     * directory are the defaults, {@code trainerArgs} ({@code --key value}) override them.
     *
     * @param restoreFrom savepoint or retained checkpoint path, or null for a fresh start
     * @return the job id
     */
    public String submit(List<String> trainerArgs, String restoreFrom) throws IOException, InterruptedException {
        return submit(ConfigArgs.parse(trainerArgs.toArray(String[]::new)), restoreFrom);
    }

    /** As {@link #submit(List, String)}, with the trainer's keys as a map. */
    public String submit(Map<String, String> trainerKeys, String restoreFrom) throws IOException, InterruptedException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", settings.bootstrapServers());
        config.put("checkpoint.dir", settings.checkpointDir().toUri().toString());
        config.putAll(trainerKeys);
        JobConfig.fromMap(config); // throws IllegalArgumentException naming the bad key
        List<String> programArgs = new ArrayList<>();
        config.forEach((k, v) -> {
            programArgs.add("--" + k);
            programArgs.add(v);
        });
        String jarId = rest.uploadJar(build.jobJar());
        try {
            return rest.runJar(jarId, programArgs, restoreFrom);
        } finally {
            rest.deleteJar(jarId); // the submitted job keeps its own copy in the blob store
        }
    }

    /** Waits until every task of the job runs; throws if it ends or the time runs out. */
    public void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            if (rest.allTasksRunning(jobId)) {
                return;
            }
            state = rest.jobState(jobId);
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + state + "; see "
                        + settings.logDir().resolve("jobmanager.log"));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("job " + jobId + " is " + state + ", not running all tasks, after " + timeout);
    }

    /** Jobs that are neither finished, cancelled nor failed. */
    public List<FlinkRest.JobSummary> activeJobs() throws IOException, InterruptedException {
        List<FlinkRest.JobSummary> out = new ArrayList<>();
        for (FlinkRest.JobSummary j : rest.jobs()) {
            if (!List.of("FINISHED", "CANCELED", "FAILED").contains(j.state())) {
                out.add(j);
            }
        }
        return out;
    }

    /** The newest savepoint or retained checkpoint under the cluster directory (what {@code submit --resume} uses). */
    public Optional<Path> newestRestorePoint() throws IOException {
        return Demo.newestRestorePoint(settings.dir());
    }

    // ---------------------------------------------------------------- processes

    public Path pidFile(String name) {
        return settings.runDir().resolve(name + ".pid");
    }

    /** The live process of that name, if any. */
    public Optional<ManagedProcess> process(String name) {
        return ManagedProcess.find(name, pidFile(name), settings.logDir().resolve(name + ".log"));
    }

    /** Every live process of the cluster, by name. */
    public List<ManagedProcess> processes() throws IOException {
        List<ManagedProcess> out = new ArrayList<>();
        if (!Files.isDirectory(settings.runDir())) {
            return out;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.runDir(), "*.pid")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                names.add(n.substring(0, n.length() - ".pid".length()));
            }
        }
        names.sort(Comparator.comparingInt(StandaloneCluster::startOrder).thenComparing(Comparator.naturalOrder()));
        for (String n : names) {
            process(n).ifPresent(out::add);
        }
        return out;
    }

    public List<ManagedProcess> taskManagers() throws IOException {
        return processes().stream().filter(p -> p.name().startsWith(TASKMANAGER_PREFIX)).toList();
    }

    public List<ManagedProcess> servingNodes() throws IOException {
        return processes().stream().filter(p -> p.name().startsWith(SERVING_PREFIX)).toList();
    }

    private static int startOrder(String name) {
        if (name.equals(KAFKA)) {
            return 0;
        }
        if (name.equals(JOBMANAGER)) {
            return 1;
        }
        return name.startsWith(TASKMANAGER_PREFIX) ? 2 : 3;
    }

    /**
     * Stops everything: active jobs first (with a savepoint under {@code savepoints/} when {@code savepoint},
     * else cancelled, which keeps their last checkpoint), then serving nodes, TaskManagers, the JobManager and
     * Kafka, each with SIGTERM (SIGKILL after a grace period).
     *
     * @return the savepoints taken
     */
    public List<String> stop(boolean savepoint) throws IOException, InterruptedException {
        List<String> savepoints = new ArrayList<>();
        if (process(JOBMANAGER).isPresent() && rest.isUp()) {
            for (FlinkRest.JobSummary j : activeJobs()) {
                if (savepoint && j.state().equals("RUNNING")) {
                    String path = rest.stopWithSavepoint(j.id(), settings.savepointDir().toUri().toString(),
                            Duration.ofMinutes(3));
                    LOG.info("stopped job {} with savepoint {}", j.id(), path);
                    savepoints.add(path);
                } else {
                    rest.cancel(j.id());
                    LOG.info("cancelled job {} (its last checkpoint is retained)", j.id());
                }
            }
        }
        List<ManagedProcess> all = new ArrayList<>(processes());
        all.sort(Comparator.comparingInt((ManagedProcess p) -> -startOrder(p.name())));
        for (ManagedProcess p : all) {
            boolean clean = p.stop(Duration.ofSeconds(30));
            LOG.info("{} {}", p, clean ? "stopped" : "killed after 30 s");
            Files.deleteIfExists(pidFile(p.name()));
        }
        // Pid files of processes that died earlier (a killed TaskManager) name nothing any more.
        if (Files.isDirectory(settings.runDir())) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.runDir(), "*.pid")) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
        }
        return savepoints;
    }

    /** SIGKILL for every process of the cluster, for emergency clean-up (a test's JVM exiting); no savepoint. */
    public void killAll() throws IOException, InterruptedException {
        for (ManagedProcess p : processes()) {
            p.kill();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void requireAlive(ManagedProcess p) {
        if (!p.isAlive()) {
            throw new IllegalStateException(p.name() + " exited during start-up; see " + p.log()
                    + lastLines(p.log(), 15));
        }
    }

    private static String lastLines(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void requireFreePort(int port, String what) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " for " + what + " is in use; choose another port or "
                    + "stop what uses it");
        }
    }

    private static void runToCompletion(List<String> cmd, Path log, Duration timeout, String what)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(what + " took longer than " + timeout + "; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "); see " + log
                    + lastLines(log, 15));
        }
    }

    /** BashJavaUtils prints space-separated arguments; none of them contains a space itself. */
    private static List<String> splitArgs(String line) {
        return Stream.of(line.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
