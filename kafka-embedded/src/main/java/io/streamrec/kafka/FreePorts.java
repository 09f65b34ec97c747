package io.streamrec.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks a free TCP port on the loopback interface, for the embedded broker's defaults and for tests that start
 * servers on ports of their own (the one implementation; tests must never use the fixed 9092/8080/8081).
 *
 * <p>The port is free when this returns; another process may take it before the caller binds it, which on a test
 * machine is rare enough to accept. Thread-safe.
 */
public final class FreePorts {

    private FreePorts() {}

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int pick() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port: " + e.getMessage(), e);
        }
    }
}
