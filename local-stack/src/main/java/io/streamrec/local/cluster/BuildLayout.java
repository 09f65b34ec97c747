package io.streamrec.local.cluster;

import io.streamrec.local.stack.ServingProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * What the cluster's processes are started from, found in the repository's build (no flink-dist, no Kafka
 * download): the Flink and Kafka classpaths written by {@code cluster/flink} and {@code cluster/kafka}, the shaded
 * trainer jar, the serving node's classes, this JVM's {@code java}, and Flink's {@code --add-opens} list from the
 * pom. Immutable.
 */
public final class BuildLayout {
    private static final Properties BUILD = loadBuildProperties();

    private final Path home;

    public BuildLayout(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    /** The repository root: {@code -Dstreamrec.home} (set by ./streamrec and the tests), else the working dir. */
    public static BuildLayout fromSystemProperty() {
        return new BuildLayout(Path.of(System.getProperty("streamrec.home", ".")));
    }

    public Path home() {
        return home;
    }

    public static String projectVersion() {
        return BUILD.getProperty("project.version");
    }

    public static String flinkVersion() {
        return BUILD.getProperty("flink.version");
    }

    public static String kafkaVersion() {
        return BUILD.getProperty("kafka.version");
    }

    /** Flink's {@code --add-opens/--add-exports} flags (pom property {@code flink.jvm.opens}). */
    public static List<String> flinkJvmOpens() {
        return Arrays.asList(BUILD.getProperty("flink.jvm.opens").trim().split("\\s+"));
    }

    public String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The classpath of the JobManager and TaskManager processes: what flink-dist's lib/ would hold. */
    public String flinkClasspath() {
        return classpathFile("cluster/flink/target/classpath.txt");
    }

    /** The classpath of the Kafka broker process (kafka_2.13 and its dependencies, log4j 2). */
    public String kafkaClasspath() {
        return classpathFile("cluster/kafka/target/classpath.txt");
    }

    public String servingClasspath() {
        return ServingProcess.classpath(home);
    }

    /** The shaded trainer jar, as submitted to the cluster. */
    public Path jobJar() {
        Path jar = home.resolve("flink-job/target/streamrec-flink-job-" + projectVersion() + "-job.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the shaded trainer jar " + jar + " is not built; run ./mvnw -B "
                    + "-DskipTests package (./streamrec builds it on first use)");
        }
        return jar;
    }

    private String classpathFile(String relative) {
        Path file = home.resolve(relative);
        if (!Files.isReadable(file)) {
            throw new IllegalStateException(file + " is missing; run ./mvnw -B -DskipTests package in " + home
                    + " (./streamrec builds it on first use)");
        }
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties loadBuildProperties() {
        Properties p = new Properties();
        try (InputStream in = BuildLayout.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties is missing from the classpath; rebuild local-stack");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
