package io.streamrec.local.demo;

import io.streamrec.local.stack.ServingProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the demo's serving node running. When its JVM exits while the demo runs (a crash, an OOM, a kill -9), it
 * says so at once (one line with the exit code and the log file) and starts it again with the same arguments, so
 * with the same state directory and RocksDB, after a backoff of 1, 2, 4, 8, 16 s. After {@code maxRestarts}
 * restarts in a row it gives up: the serving node stays down, said clearly, and the rest of the demo (Kafka, the
 * trainer, the feed) keeps running, so the trainer's state and the dashboard stay there to look at; a node that
 * stayed up for {@code stableAfter} starts the count again. {@link #state()} is what the status lines show.
 *
 * <p>{@link #stopRestarting()} (the first thing the demo's stop does) ends all restarting, also a restart in
 * progress; {@link #stop()} then stops the current node with SIGTERM. An exit by SIGINT (Ctrl-C reaches the whole
 * terminal process group, the serving JVM included) while the demo itself is shutting down is not a crash: no line,
 * no restart.
 *
 * <p>Thread-safe: a watcher thread restarts; state and stop may be called from any thread.
 */
final class ServingSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ServingSupervisor.class);
    static final int MAX_RESTARTS = 5;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long an exit by SIGINT waits for the demo's own shutdown to show before it counts as a crash. */
    private static final Duration SIGINT_GRACE = Duration.ofSeconds(3);

    /** What the status lines show. */
    enum State {
        /** Answering /health. */
        UP,
        /** Exited; waiting for the backoff or for the new node's /health. */
        RESTARTING,
        /** Exited too often in a row: not restarted any more. */
        DOWN,
        /** Stopped with the demo. */
        STOPPED
    }

    /** Starts a serving node (the same arguments every time). */
    interface Launcher {
        ServingProcess start() throws IOException;
    }

    private final Launcher launcher;
    private final Path log;
    private final Consumer<String> notices;
    private final int maxRestarts;
    private final Duration firstBackoff;
    private final Duration stableAfter;
    private final Duration startTimeout;

    private final Object lock = new Object();
    /** The node running or starting; guarded by {@code lock}. */
    private ServingProcess current;
    /** Set once: no restart from now on. Written under {@code lock}. */
    private volatile boolean stopping;
    private volatile State state = State.RESTARTING;
    private volatile int inARow;
    private volatile int restarts;
    private Thread watcher;
    private Thread shutdownHook;

    ServingSupervisor(Launcher launcher, Path log, Consumer<String> notices, int maxRestarts, Duration firstBackoff,
                      Duration stableAfter, Duration startTimeout) {
        this.launcher = launcher;
        this.log = log;
        this.notices = notices;
        this.maxRestarts = maxRestarts;
        this.firstBackoff = firstBackoff;
        this.stableAfter = stableAfter;
        this.startTimeout = startTimeout;
    }

    /**
     * Starts the first node, waits until it answers /health and starts watching it.
     *
     * @throws IllegalStateException when it does not come up (it exits, or no /health within the start timeout)
     */
    void start() throws IOException, InterruptedException {
        long launchedAt = System.nanoTime();
        ServingProcess first = launcher.start();
        synchronized (lock) {
            current = first;
        }
        if (!first.awaitOk("/health", startTimeout)) {
            first.stop();
            throw new IllegalStateException("the serving node did not answer /health in " + startTimeout.toSeconds()
                    + " s; see " + log);
        }
        state = State.UP;
        // Ctrl-C: the JVM's shutdown starts (and this flag is set) while the serving JVM, which got SIGINT too, exits.
        shutdownHook = new Thread(this::stopRestarting, "demo-serving-supervisor-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        watcher = new Thread(() -> watch(first, launchedAt), "demo-serving-supervisor");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch(ServingProcess first, long launchedAt) {
        ServingProcess p = first;
        long startedAt = launchedAt;
        try {
            while (true) {
                p.handle().onExit().get();
                while (p.isAlive()) { // until the Process, too, has seen the exit: then stop() only reads the code
                    Thread.sleep(5);
                }
                int code = p.stop();
                if (stopping || code == 130 && awaitStopping(SIGINT_GRACE)) {
                    return;
                }
                long upNanos = System.nanoTime() - startedAt;
                if (upNanos >= stableAfter.toNanos()) {
                    inARow = 0;
                }
                String exited = String.format(Locale.ROOT, "serving node (pid %d) exited with code %d%s after %s",
                        p.handle().pid(), code, signal(code), human(Duration.ofNanos(upNanos)));
                if (inARow >= maxRestarts) {
                    state = State.DOWN;
                    notices.accept(exited + "; it has failed " + maxRestarts + " restarts in a row, so it stays down."
                            + " Kafka, the trainer and the feed keep running. See " + log
                            + "; Ctrl-C and run ./streamrec demo again to retry");
                    return;
                }
                inARow++;
                restarts++;
                state = State.RESTARTING;
                Duration backoff = backoff(inARow);
                notices.accept(exited + "; restarting it in " + human(backoff) + " (restart " + inARow + " of "
                        + maxRestarts + ", same state directory). Log: " + log);
                Thread.sleep(backoff.toMillis());
                synchronized (lock) {
                    if (stopping) {
                        return;
                    }
                    p = launcher.start();
                    current = p;
                }
                startedAt = System.nanoTime();
                boolean up;
                try {
                    up = p.awaitOk("/health", startTimeout);
                } catch (IllegalStateException died) {
                    continue; // exited while starting: the loop reports it
                }
                if (up) {
                    state = State.UP;
                    notices.accept(String.format(Locale.ROOT, "serving node restarted (pid %d): /health answers "
                            + "again after %s", p.handle().pid(),
                            human(Duration.ofNanos(System.nanoTime() - startedAt))));
                } else {
                    notices.accept("the restarted serving node (pid " + p.handle().pid() + ") did not answer /health"
                            + " in " + startTimeout.toSeconds() + " s; stopping it");
                    p.stop();
                }
            }
        } catch (InterruptedException e) {
            // stop(): the demo is stopping
        } catch (IOException | RuntimeException | ExecutionException e) {
            state = State.DOWN;
            notices.accept("cannot restart the serving node: " + e.getMessage() + "; it stays down. See " + log);
            LOG.error("serving supervisor failed", e);
        }
    }

    private boolean awaitStopping(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return stopping;
    }

    Duration backoff(int restart) {
        long ms = firstBackoff.toMillis() << Math.min(20, restart - 1);
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    private static String signal(int code) {
        switch (code) {
            case 130: return " (SIGINT)";
            case 134: return " (SIGABRT)";
            case 137: return " (killed by SIGKILL)";
            case 139: return " (SIGSEGV)";
            case 143: return " (SIGTERM)";
            default: return code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        return s < 120 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }

    State state() {
        return state;
    }

    /** For the status lines: {@code up}, {@code restarting (2/5)}, {@code DOWN ...}, with the restarts so far. */
    String describe() {
        State s = state;
        switch (s) {
            case UP: return restarts == 0 ? "up" : "up (restarted " + restarts + "x)";
            case RESTARTING: return "restarting (" + inARow + "/" + maxRestarts + ")";
            case DOWN: return "DOWN (not restarted; see " + log + ")";
            default: return "stopped";
        }
    }

    /** Restarts so far. */
    int restarts() {
        return restarts;
    }

    /** The node running or being started. */
    ServingProcess current() {
        synchronized (lock) {
            return current;
        }
    }

    /** No restart from now on; a node being started is left for {@link #stop()}. Idempotent. */
    void stopRestarting() {
        synchronized (lock) {
            stopping = true;
        }
    }

    /**
     * Ends restarting (also one in progress) and stops the current node with SIGTERM (RocksDB closed cleanly).
     *
     * @return the node's exit code, -1 when it had to be killed
     */
    int stop() throws InterruptedException {
        stopRestarting();
        if (watcher != null) {
            watcher.interrupt();
            watcher.join(10_000);
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook has run or runs
            }
        }
        state = State.STOPPED;
        ServingProcess p = current();
        return p == null ? 0 : p.stop();
    }
}
