package io.streamrec.local.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streamrec.job.config.JobConfig;
import io.streamrec.job.config.TrainerOptions;
import io.streamrec.local.generator.GeneratorMain;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.replay.ReplayMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks the docker compose deployment as far as it can be checked without a Docker engine: the YAML parses,
 * every file it and its Dockerfiles reference exists (or is what the build produces), image tags follow the pom's
 * Flink and Kafka versions, ports, topics and flags agree with the defaults in the code and are valid
 * configuration for the trainer, the serving node and the tools, health checks exist, and no secrets are written
 * down.
 */
class DockerComposeTest {
    private static final Path HOME = Path.of(System.getProperty("streamrec.home", "..")).toAbsolutePath().normalize();
    private static final Path DOCKER = HOME.resolve("docker");
    private static final String VERSION = BuildLayout.projectVersion();

    private static Map<String, Object> compose;
    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        // SnakeYAML resolves the anchors and merge keys the file uses, like docker compose does.
        compose = new Yaml().load(Files.readString(DOCKER.resolve("docker-compose.yaml")));
        services = (Map<String, Object>) compose.get("services");
    }

    @Test
    void composeFileHasEveryService() {
        assertEquals("streamrec", compose.get("name"));
        assertEquals(Set.of("kafka", "flink-data-init", "jobmanager", "taskmanager", "job-submitter", "serving",
                "generator", "replay"), services.keySet());
        assertTrue(((Map<?, ?>) compose.get("volumes")).keySet().containsAll(
                List.of("kafka-data", "flink-data", "serving-data")));
        assertEquals(List.of("replay"), service("replay").get("profiles"), "replay runs only on demand");
    }

    @Test
    void imageTagsFollowThePom() throws IOException {
        assertEquals("apache/kafka:" + BuildLayout.kafkaVersion(), service("kafka").get("image"));
        String flinkImage = (String) service("jobmanager").get("image");
        assertTrue(flinkImage.startsWith("flink:" + BuildLayout.flinkVersion() + "-"), flinkImage);
        assertTrue(flinkImage.endsWith("-java17"), "the job is built for Java 17: " + flinkImage);
        for (String s : List.of("taskmanager", "job-submitter", "flink-data-init")) {
            assertEquals(flinkImage, service(s).get("image"), s + " runs the same Flink as the JobManager");
        }
        assertEquals("streamrec-serving:" + VERSION, service("serving").get("image"));
        assertEquals("streamrec-tools:" + VERSION, service("generator").get("image"));
        assertEquals("streamrec-tools:" + VERSION, service("replay").get("image"));
        for (String dockerfile : List.of("docker/serving/Dockerfile", "docker/tools/Dockerfile")) {
            String text = Files.readString(HOME.resolve(dockerfile));
            assertTrue(text.contains("FROM eclipse-temurin:17-jre\n"), dockerfile);
            assertTrue(text.contains("ARG STREAMREC_VERSION=" + VERSION + "\n"), dockerfile + " version");
        }
    }

    @Test
    void portsAgreeWithTheDefaultsInTheCode() throws Exception {
        // Kafka: the host reaches localhost:9092 (the tools' and the trainer's default), containers kafka:9092.
        int defaultKafkaPort = port(TrainerOptions.BOOTSTRAP_SERVERS.defaultValue());
        assertEquals(defaultKafkaPort, port(KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS));
        assertEquals(List.of(defaultKafkaPort + ":9094"), service("kafka").get("ports"));
        Map<String, Object> kafkaEnv = env("kafka");
        assertTrue(kafkaEnv.get("KAFKA_LISTENERS").toString().contains("HOST://:9094"));
        assertTrue(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").toString()
                .contains("HOST://localhost:" + defaultKafkaPort));
        assertTrue(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").toString().contains("PLAINTEXT://kafka:9092"));

        int restPort = RestOptions.PORT.defaultValue();
        assertEquals(List.of(restPort + ":" + restPort), service("jobmanager").get("ports"));
        assertTrue(healthcheck("jobmanager").contains("/dev/tcp/localhost/" + restPort));
        assertTrue(submitterScript().contains("--jobmanager jobmanager:" + restPort));

        int servingPort = Integer.parseInt(servingDefaults().get("http.port"));
        assertEquals(List.of(servingPort + ":" + servingPort), service("serving").get("ports"));
        assertEquals(Integer.toString(servingPort), flags(command("serving")).get("http.port"));
        assertTrue(healthcheck("serving").contains("/dev/tcp/localhost/" + servingPort));
        assertTrue(Files.readString(DOCKER.resolve("serving/Dockerfile")).contains("EXPOSE " + servingPort + "\n"));
    }

    @Test
    void trainerFlagsAreValidAndTopicsAreTheDefaults() {
        Map<String, String> trainer = trainerFlags();
        JobConfig config = assertDoesNotThrow(() -> JobConfig.fromMap(trainer), "the submitter's trainer flags");
        assertEquals("kafka:9092", config.bootstrapServers);
        assertEquals(TrainerOptions.TOPIC_INTERACTIONS.defaultValue(), config.interactionsTopic);
        assertEquals(TrainerOptions.TOPIC_DLQ.defaultValue(), config.dlqTopic);
        assertEquals(TrainerOptions.TOPIC_ITEM_EMBEDDINGS.defaultValue(), config.itemEmbeddingsTopic);
        assertEquals(TrainerOptions.TOPIC_USER_EMBEDDINGS.defaultValue(), config.userEmbeddingsTopic);
        // The job name is what the submitter looks for to avoid submitting twice.
        assertTrue(submitterScript().contains("grep -q '" + config.jobName + "'"));
        int slots = Integer.parseInt(flinkProperties("taskmanager").get("taskmanager.numberOfTaskSlots"));
        assertTrue(config.parallelism <= slots, "one TaskManager has slots for the job");
        assertTrue(config.parallelism <= config.topicPartitions, "no idle source subtask: partitions >= parallelism");
    }

    @Test
    void servingFlagsAreValidAndReadTheTrainersTopics() throws Exception {
        Map<String, String> serving = flags(command("serving"));
        validateServingConfig(serving);
        Map<String, String> defaults = servingDefaults();
        Map<String, String> trainer = trainerFlags();
        // The ranker's topic is left to both defaults, which agree.
        assertEquals(null, trainer.get("topics.ranker-model"));
        assertEquals(null, serving.get("topics.ranker-model"));
        assertEquals(io.streamrec.job.config.RankerOptions.TOPIC.defaultText(), defaults.get("topics.ranker-model"));
        for (String topic : List.of("topics.interactions", "topics.item-embeddings", "topics.user-embeddings")) {
            assertEquals(trainer.get(topic), serving.get(topic), topic);
            assertEquals(defaults.get(topic), serving.get(topic), topic + " is the serving node's default");
        }
        assertEquals("kafka:9092", serving.get("kafka.bootstrap.servers"));
        assertTrue(((List<?>) service("serving").get("volumes")).contains(
                "serving-data:" + serving.get("state.dir")), "the serving RocksDB is on a volume");
    }

    @Test
    void toolCommandsParse() {
        List<String> generator = new ArrayList<>(command("generator"));
        assertEquals(GeneratorMain.class.getName(), generator.remove(0));
        assertEquals(TrainerOptions.TOPIC_INTERACTIONS.defaultValue(), flags(generator).get("topics.interactions"));
        assertEquals("kafka:9092", flags(generator).get("kafka.bootstrap.servers"));
        // --stdout --limit 1: the options are parsed and one event is generated, without Kafka.
        generator.addAll(List.of("--stdout", "--limit", "1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GeneratorMain.run(generator.toArray(String[]::new), new PrintStream(out), new PrintStream(err),
                p -> { });
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"user_id\""));

        List<String> replay = new ArrayList<>(command("replay"));
        assertEquals(ReplayMain.class.getName(), replay.remove(0));
        assertEquals(TrainerOptions.TOPIC_INTERACTIONS.defaultValue(), flags(replay).get("topics.interactions"));
        assertDoesNotThrow(() -> ReplayMain.parse(replay.toArray(String[]::new)));
        assertTrue(((List<?>) service("replay").get("volumes")).contains("./data:/data:ro"));
    }

    @Test
    void flinkUsesRocksDbWithCheckpointsOnTheSharedVolume() {
        Map<String, String> jm = flinkProperties("jobmanager");
        assertEquals(jm, flinkProperties("taskmanager"), "JobManager and TaskManager share one configuration");
        assertEquals("rocksdb", jm.get("state.backend.type"));
        assertEquals("true", jm.get("state.backend.rocksdb.memory.managed"));
        assertEquals("true", jm.get("execution.checkpointing.incremental"));
        assertEquals("RETAIN_ON_CANCELLATION", jm.get("execution.checkpointing.externalized-checkpoint-retention"));
        assertEquals("jobmanager", jm.get("jobmanager.rpc.address"));
        String checkpoints = jm.get("execution.checkpointing.dir");
        assertTrue(checkpoints.startsWith("file:///flink-data/"), checkpoints);
        assertTrue(jm.get("execution.checkpointing.savepoint-dir").startsWith("file:///flink-data/"));
        assertEquals(checkpoints, trainerFlags().get("checkpoint.dir"), "the trainer checkpoints to the volume");
        for (String s : List.of("jobmanager", "taskmanager", "flink-data-init")) {
            assertTrue(((List<?>) service(s).get("volumes")).contains("flink-data:/flink-data"), s);
        }
    }

    @Test
    void referencedFilesExistOrAreBuilt() throws IOException {
        for (String s : List.of("serving", "generator", "replay")) {
            Map<?, ?> build = (Map<?, ?>) service(s).get("build");
            Path context = DOCKER.resolve((String) build.get("context")).normalize();
            assertEquals(HOME, context, s + " builds from the repository root");
            assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))), s + " Dockerfile");
        }
        // Bind mounts: relative to the compose file.
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Object volumes = ((Map<?, ?>) e.getValue()).get("volumes");
            if (volumes == null) {
                continue;
            }
            for (Object v : (List<?>) volumes) {
                String source = v.toString().split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertBuiltOrPresent(DOCKER.resolve(source).normalize(), e.getKey() + " mounts " + source);
                }
            }
        }
        for (String dockerfile : List.of("serving", "tools")) {
            String text = Files.readString(DOCKER.resolve(dockerfile).resolve("Dockerfile"));
            List<String> ignore = Files.readAllLines(DOCKER.resolve(dockerfile).resolve("Dockerfile.dockerignore"));
            Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(text);
            int copies = 0;
            while (copy.find()) {
                copies++;
                String source = copy.group(1).replace("${STREAMREC_VERSION}", VERSION);
                assertBuiltOrPresent(HOME.resolve(source).normalize(), dockerfile + "/Dockerfile copies " + source);
                assertTrue(ignore.stream().filter(l -> l.startsWith("!"))
                        .anyMatch(l -> Pattern.matches(l.substring(1).replace(".", "\\.").replace("*", "[^/]*"),
                                copy.group(1).replace("${STREAMREC_VERSION}", VERSION))),
                        source + " is sent to the build (Dockerfile.dockerignore)");
            }
            assertTrue(copies > 0, dockerfile);
        }
    }

    @Test
    void entrypointClassesExistAndTheServingJvmHasItsFlags() throws Exception {
        String serving = Files.readString(DOCKER.resolve("serving/Dockerfile"));
        assertTrue(serving.contains("\"--add-modules\", \"jdk.incubator.vector\""), "the Vector API module");
        assertTrue(serving.contains("\"-Dsun.net.httpserver.nodelay=true\""), "nodelay");
        Matcher main = Pattern.compile("\"(io\\.streamrec\\.[\\w.]+)\"\\]").matcher(serving);
        assertTrue(main.find(), "the ENTRYPOINT names a main class");
        try (URLClassLoader loader = servingClassLoader()) {
            Method m = loader.loadClass(main.group(1)).getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(m.getModifiers()), main.group(1) + ".main");
        }
        for (String s : List.of("generator", "replay")) {
            String mainClass = command(s).get(0);
            Method m = Class.forName(mainClass).getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(m.getModifiers()), mainClass + ".main");
        }
        String tools = Files.readString(DOCKER.resolve("tools/Dockerfile"));
        assertNotNull(getClass().getClassLoader().getResource(
                tools.replaceAll("(?s).*-Dlog4j2\\.configurationFile=([\\w.-]+).*", "$1")), "the tools' log4j config");
    }

    @Test
    void healthChecksGateTheDependentServices() {
        for (String s : List.of("kafka", "jobmanager", "serving")) {
            assertFalse(healthcheck(s).isEmpty(), s + " has a health check");
        }
        assertTrue(healthcheck("kafka").contains("kafka-broker-api-versions.sh --bootstrap-server localhost:9092"));
        assertTrue(healthcheck("jobmanager").contains("GET /overview"));
        assertTrue(healthcheck("serving").contains("GET /health"));
        assertEquals("service_healthy", dependsOn("job-submitter", "jobmanager"));
        assertEquals("service_healthy", dependsOn("job-submitter", "kafka"));
        assertEquals("service_healthy", dependsOn("taskmanager", "jobmanager"));
        assertEquals("service_healthy", dependsOn("serving", "kafka"));
        assertEquals("service_healthy", dependsOn("generator", "kafka"));
        assertEquals("service_completed_successfully", dependsOn("jobmanager", "flink-data-init"));
    }

    @Test
    void noSecretsInTheDeployment() throws IOException {
        Pattern secret = Pattern.compile("(?i)(password|passwd|secret|token|api[_-]?key|credential)[\\w.]*\\s*[:=]");
        try (Stream<Path> files = Files.walk(DOCKER)) {
            // The deployment's files (compose, Dockerfiles, ignore files, pom), not the prose of the READMEs.
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.startsWith(DOCKER.resolve("target")))
                    .filter(p -> !p.getFileName().toString().endsWith(".md")).toList()) {
                Matcher m = secret.matcher(Files.readString(f));
                if (m.find()) {
                    fail(f + " looks like it holds a secret: " + m.group());
                }
            }
        }
        for (Object s : services.values()) {
            assertFalse(((Map<?, ?>) s).containsKey("env_file"), "no env files");
            assertFalse(((Map<?, ?>) s).containsKey("secrets"), "no secrets");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        Map<String, Object> s = (Map<String, Object>) services.get(name);
        assertNotNull(s, "service " + name);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(String name) {
        return (Map<String, Object>) service(name).get("environment");
    }

    private static String healthcheck(String name) {
        Map<?, ?> h = (Map<?, ?>) service(name).get("healthcheck");
        return h == null ? "" : String.join(" ", ((List<?>) h.get("test")).stream().map(Object::toString).toList());
    }

    private static String dependsOn(String service, String on) {
        Map<?, ?> deps = (Map<?, ?>) service(service).get("depends_on");
        return deps == null || deps.get(on) == null ? null : (String) ((Map<?, ?>) deps.get(on)).get("condition");
    }

    /** The service's command, with compose's interpolation applied as with an empty environment. */
    private static List<String> command(String name) {
        return ((List<?>) service(name).get("command")).stream().map(o -> interpolate(o.toString())).toList();
    }

    /** {@code $$} is a literal {@code $} for the container; {@code ${VAR:-default}} is the default here. */
    private static String interpolate(String s) {
        String out = Pattern.compile("(?<!\\$)\\$\\{(\\w+)(:-([^}]*))?}").matcher(s)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(3) == null ? "" : m.group(3)));
        return out.replace("$$", "$");
    }

    private static String submitterScript() {
        return command("job-submitter").get(0);
    }

    /** The trainer flags: everything after the job jar in the submitter's flink run. */
    private static Map<String, String> trainerFlags() {
        String script = submitterScript().replace("\\\n", " ");
        String afterJar = script.substring(script.indexOf("streamrec-flink-job.jar") + "streamrec-flink-job.jar".length());
        return flags(List.of(afterJar.trim().split("\\s+")));
    }

    /** {@code --key value} pairs (keys without the dashes); value-less flags map to "true". */
    private static Map<String, String> flags(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                continue;
            }
            boolean hasValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
            out.put(a.substring(2), hasValue ? args.get(++i) : "true");
        }
        return out;
    }

    private static Map<String, String> flinkProperties(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : env(service).get("FLINK_PROPERTIES").toString().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(": ");
            assertTrue(colon > 0, "FLINK_PROPERTIES line 'key: value': " + line);
            out.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
        }
        return out;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /**
     * Present now, or an output the build makes later in the same run: local-stack's own jar (packaged after its
     * tests) and the image contents of the docker module (packaged before local-stack in a full build; absent
     * after {@code mvn test}, which stops before package).
     */
    private static void assertBuiltOrPresent(Path p, String what) throws IOException {
        if (Files.exists(p)) {
            return;
        }
        String rel = HOME.relativize(p).toString();
        if (rel.equals("local-stack/target/streamrec-local-stack-" + VERSION + ".jar")) {
            assertTrue(Files.isDirectory(HOME.resolve("local-stack/target/classes")), what);
        } else if (rel.startsWith("docker/target/")) {
            String dir = rel.substring("docker/target/".length()).replaceAll("/$", "");
            assertTrue(Files.readString(DOCKER.resolve("pom.xml"))
                    .contains("<outputDirectory>${project.build.directory}/" + dir + "</outputDirectory>"), what);
        } else if (rel.equals("flink-job/target/streamrec-flink-job-" + VERSION + "-job.jar")) {
            assertTrue(Files.readString(HOME.resolve("flink-job/pom.xml"))
                    .contains("<shadedClassifierName>job</shadedClassifierName>"), what);
        } else {
            fail(what + ": " + p + " does not exist and no module builds it");
        }
    }

    /** The serving node's classes and its runtime classpath (the shared config facility is in schemas). */
    private static URLClassLoader servingClassLoader() throws IOException {
        Path classes = HOME.resolve("serving/target/classes");
        assertTrue(Files.isDirectory(classes), "the serving node is built before local-stack");
        List<URL> urls = new ArrayList<>(List.of(classes.toUri().toURL()));
        for (String entry : Files.readString(HOME.resolve("serving/target/runtime-classpath.txt")).trim()
                .split(java.io.File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** The serving node's config keys and defaults, from its own ServingConfig (serving/target/classes). */
    private static Map<String, String> servingDefaults() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (URLClassLoader loader = servingClassLoader()) {
            Class<?> config = loader.loadClass("io.streamrec.serving.ServingConfig");
            for (Object key : (List<?>) config.getMethod("keys").invoke(null)) {
                out.put((String) key.getClass().getMethod("key").invoke(key),
                        (String) key.getClass().getMethod("defaultText").invoke(key));
            }
        }
        return out;
    }

    private static void validateServingConfig(Map<String, String> values) throws Exception {
        try (URLClassLoader loader = servingClassLoader()) {
            loader.loadClass("io.streamrec.serving.ServingConfig").getMethod("of", Map.class).invoke(null, values);
        } catch (InvocationTargetException e) {
            fail("the serving command's flags are not valid serving configuration: " + e.getCause().getMessage());
        }
    }
}
