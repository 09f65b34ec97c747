package io.streamrec.local.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One OS process of the standalone cluster (a Kafka broker, a JobManager, a TaskManager, a serving node), known by
 * its pid file, so that a later {@code ./streamrec cluster ...} invocation (another JVM) can find, stop or kill it.
 *
 * <p>The pid file holds the pid and the process's start instant: a pid alone may have been reused by an unrelated
 * process after a reboot or a crash, and signalling that one would be wrong. Output goes to a log file, never to a
 * pipe, so the process outlives the JVM that started it. Immutable; thread-safe.
 */
public final class ManagedProcess {
    private final String name;
    private final ProcessHandle handle;
    private final Path log;

    private ManagedProcess(String name, ProcessHandle handle, Path log) {
        this.name = name;
        this.handle = handle;
        this.log = log;
    }

    /**
     * Starts {@code command} in {@code workDir}, stdout and stderr appended to {@code output}, and writes the pid
     * file; {@code log} is where the process logs (the same file, or one it writes itself).
     */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Path output, Path log,
                                       Path pidFile) throws IOException {
        Files.createDirectories(output.getParent());
        Files.createDirectories(pidFile.getParent());
        Files.createDirectories(workDir);
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        ProcessHandle h = p.toHandle();
        writePidFile(pidFile, h);
        return new ManagedProcess(name, h, log);
    }

    /** Adopts a process started elsewhere (e.g. the serving node) under a pid file. */
    public static ManagedProcess adopt(String name, ProcessHandle handle, Path log, Path pidFile) {
        writePidFile(pidFile, handle);
        return new ManagedProcess(name, handle, log);
    }

    private static void writePidFile(Path pidFile, ProcessHandle h) {
        long started = h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, h.pid() + " " + started + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pid file " + pidFile, e);
        }
    }

    /**
     * The live process the pid file names, or empty when there is none (no file, the process has exited, or the
     * pid now belongs to a process started at another instant).
     */
    public static Optional<ManagedProcess> find(String name, Path pidFile, Path log) {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        String[] parts;
        try {
            parts = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split("\\s+");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pid file " + pidFile, e);
        }
        long pid;
        long started;
        try {
            pid = Long.parseLong(parts[0]);
            started = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
        } catch (NumberFormatException e) {
            return Optional.empty(); // not ours: a damaged file names no process
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty()) {
            return Optional.empty();
        }
        long actual = h.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        // Start instants are reported with clock-tick resolution: allow a little slack, not a different process.
        if (started != 0 && actual != 0 && Math.abs(actual - started) > 2_000) {
            return Optional.empty();
        }
        return Optional.of(new ManagedProcess(name, h.get(), log));
    }

    public String name() {
        return name;
    }

    public long pid() {
        return handle.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return handle.isAlive();
    }

    /**
     * SIGTERM (every process here shuts down cleanly on it: Flink and Kafka run their shutdown hooks, the serving
     * node closes RocksDB), then SIGKILL if it has not exited within {@code grace}.
     *
     * @return true if it exited on SIGTERM
     */
    public boolean stop(Duration grace) throws InterruptedException {
        if (!handle.isAlive()) {
            return true;
        }
        handle.destroy();
        if (await(grace)) {
            return true;
        }
        kill();
        return false;
    }

    /** SIGKILL ({@code kill -9}): no shutdown hook runs; waits until the process is gone. */
    public void kill() throws InterruptedException {
        handle.destroyForcibly();
        if (!await(Duration.ofSeconds(30))) {
            throw new IllegalStateException(name + " (pid " + handle.pid() + ") survived SIGKILL for 30 s");
        }
    }

    private boolean await(Duration timeout) throws InterruptedException {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + handle.pid() + ")";
    }
}
