package io.streamrec.serving;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.FreePorts;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A serving node in its own JVM ({@link ServingMain}), for tests that kill it or start it without the Vector API. */
final class ChildServingNode {
    final Process process;
    final int port;
    final Path log;

    private ChildServingNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** With {@code --add-modules jdk.incubator.vector}, as the launcher starts it. */
    static ChildServingNode start(ServingTestSupport.Topics topics, EmbeddedKafkaBroker broker, Path state, Path log)
            throws IOException {
        return start(topics, broker, state, log, true, List.of());
    }

    /**
     * @param vectorApi whether the JVM gets {@code --add-modules jdk.incubator.vector}
     * @param extraArgs more node options ({@code --key value})
     */
    static ChildServingNode start(ServingTestSupport.Topics topics, EmbeddedKafkaBroker broker, Path state, Path log,
                                  boolean vectorApi, List<String> extraArgs) throws IOException {
        int port = FreePorts.pick();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorApi) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ServingMain.class.getName()));
        cmd.addAll(topics.args(broker, state, port));
        cmd.addAll(extraArgs);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildServingNode(p, port, log);
    }

    /** The first HTTP answer the node gives on this path (connection refused until it listens). */
    HttpResponse<String> firstAnswer(String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the node exited with " + process.exitValue() + "; its log:\n"
                        + Files.readString(log));
            }
            try {
                return ServingTestSupport.get(port, path);
            } catch (IOException e) {
                Thread.sleep(20); // polling a port that is not open yet: nothing to wait on but time
            }
        }
        throw new AssertionError("the node did not answer in 60 s");
    }

    /** SIGKILL: no shutdown hook runs, RocksDB is not closed. */
    void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
