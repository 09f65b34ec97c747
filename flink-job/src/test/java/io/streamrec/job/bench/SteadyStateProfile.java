package io.streamrec.job.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Optional: profiles the middle of a benchmark run (from 40% to 80% of the events, after warm-up) with
 * async-profiler, loaded at run time from its jar, so that nothing of it is a dependency. Enable with
 * {@code -Dbench.async-profiler=/path/to/async-profiler-3.0-linux-x64.jar} (Maven Central:
 * {@code tools.profiler:async-profiler:3.0:linux-x64}, unzipped next to the jar so that
 * {@code linux-x64/libasyncProfiler.so} exists); writes {@code /tmp/streamrec-<run>.collapsed} (collapsed stacks).
 */
final class SteadyStateProfile {
    private final Object profiler;
    private final Method execute;
    private final String out;
    private boolean started;
    private boolean stopped;

    private SteadyStateProfile(Object profiler, Method execute, String out) {
        this.profiler = profiler;
        this.execute = execute;
        this.out = out;
    }

    static SteadyStateProfile fromSystemProperties(String run) {
        String jar = System.getProperty("bench.async-profiler");
        if (jar == null) {
            return null;
        }
        try {
            Path j = Path.of(jar).toAbsolutePath();
            URLClassLoader loader = new URLClassLoader(new URL[] {j.toUri().toURL()},
                    SteadyStateProfile.class.getClassLoader());
            Class<?> c = loader.loadClass("one.profiler.AsyncProfiler");
            Object p = c.getMethod("getInstance", String.class)
                    .invoke(null, j.getParent().resolve("linux-x64/libasyncProfiler.so").toString());
            return new SteadyStateProfile(p, c.getMethod("execute", String.class),
                    "/tmp/streamrec-" + run + ".collapsed");
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new IllegalStateException("cannot load async-profiler from " + jar, e);
        }
    }

    void onProgress(long done, long total) {
        try {
            if (!started && done >= total * 0.4) {
                // -Dbench.async-profiler.options=event=wall,threads shows where task threads wait.
                execute.invoke(profiler, "start," + System.getProperty("bench.async-profiler.options",
                        "event=itimer,interval=5ms"));
                started = true;
                System.out.println("  profiling from " + done + " events");
            } else if (started && !stopped && done >= total * 0.8) {
                execute.invoke(profiler, "stop,file=" + out + ",collapsed");
                stopped = true;
                System.out.println("  profile of the steady state: " + out);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("async-profiler failed", e);
        }
    }
}
