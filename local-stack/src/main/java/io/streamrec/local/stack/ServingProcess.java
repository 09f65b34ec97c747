package io.streamrec.local.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The serving node as a child JVM. It must be its own process: it uses rocksdbjni, which cannot share a classpath
 * with Flink's frocksdbjni. Started from the repository's build ({@code serving/target/classes} plus
 * {@code serving/target/runtime-classpath.txt}); output goes to a log file. {@link #close()} sends SIGTERM, so the
 * node flushes and closes RocksDB, and kills it only if it does not exit in time.
 */
public final class ServingProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ServingProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The serving node's classpath from the build under {@code home} (the repository root). */
    public static String classpath(Path home) {
        Path classes = home.resolve("serving/target/classes");
        Path cpFile = home.resolve("serving/target/runtime-classpath.txt");
        if (!Files.isDirectory(classes) || !Files.isReadable(cpFile)) {
            throw new IllegalStateException("the serving node is not built under " + home
                    + " (expected serving/target/classes and serving/target/runtime-classpath.txt); run ./mvnw -B "
                    + "-DskipTests package, or start through ./streamrec, which builds what it needs");
        }
        try {
            return classes + File.pathSeparator + Files.readString(cpFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code io.streamrec.serving.ServingMain} with the given arguments ({@code --http.port} among them).
     */
    public static ServingProcess start(Path home, int port, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Dsun.net.httpserver.nodelay=true");
        cmd.add("-cp");
        cmd.add(classpath(home));
        cmd.add("io.streamrec.serving.ServingMain");
        cmd.add("--http.port");
        cmd.add(Integer.toString(port));
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServingProcess(p, port, log);
    }

    public URI baseUri() {
        return URI.create("http://localhost:" + port);
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The OS process, e.g. to record its pid for a later command that stops it. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** The log's last {@code n} lines, each on a new line after a colon ("" when there is no log). */
    private String lastLines(int n) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "" : ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - n),
                    lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    /** Waits until {@code path} answers 200; false on timeout. Throws if the process dies meanwhile. */
    public boolean awaitOk(String path, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the serving node exited with code " + process.exitValue()
                        + "; see " + log + lastLines(5));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(baseUri().resolve(path))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** SIGTERM, then up to 30 s for a clean exit; returns the exit code (or -1 if it had to be killed). */
    public int stop() throws InterruptedException {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        process.destroy();
        if (process.waitFor(30, TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
