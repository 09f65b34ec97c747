package io.streamrec.local.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.kafka.KafkaBrokerExtension;
import io.streamrec.local.stack.ServingProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's serving supervision with real serving JVMs against a real broker: a node killed with SIGKILL is reported
 * at once and restarted with the same arguments; restarts that keep failing end after the bound, said clearly; a
 * stop during the backoff starts no node.
 */
class ServingSupervisorITCase {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Path HOME = Path.of(System.getProperty("streamrec.home", "..")).toAbsolutePath();

    private static List<String> servingArgs(Path state) {
        String interactions = EmbeddedKafkaBroker.uniqueTopic("sup-interactions");
        String items = EmbeddedKafkaBroker.uniqueTopic("sup-items");
        String users = EmbeddedKafkaBroker.uniqueTopic("sup-users");
        for (String t : List.of(interactions, items, users)) {
            KAFKA.broker().createTopic(t, 1);
        }
        return List.of("--kafka.bootstrap.servers", KAFKA.bootstrapServers(), "--state.dir", state.toString(),
                "--topics.interactions", interactions, "--topics.item-embeddings", items,
                "--topics.user-embeddings", users);
    }

    @Test
    void restartsAKilledNodeAndGivesUpAfterTheRestartsInARow(@TempDir Path dir) throws Exception {
        List<String> valid = servingArgs(dir.resolve("serving"));
        int port = freePort();
        Path log = dir.resolve("serving.log");
        AtomicInteger launches = new AtomicInteger();
        List<String> notices = new CopyOnWriteArrayList<>();
        // The first two nodes start; from the third on the node refuses its configuration and exits with 2.
        ServingSupervisor supervisor = new ServingSupervisor(() -> ServingProcess.start(HOME, port,
                launches.getAndIncrement() < 2 ? valid : List.of("--no-such-key", "x"), log), log, notices::add, 3,
                Duration.ofMillis(200), Duration.ofHours(1), Duration.ofSeconds(60));
        try {
            supervisor.start();
            assertEquals(ServingSupervisor.State.UP, supervisor.state());
            assertEquals("up", supervisor.describe());
            ProcessHandle first = supervisor.current().handle();
            first.destroyForcibly(); // SIGKILL
            await(() -> notices.size() >= 1, Duration.ofSeconds(5), notices);
            assertTrue(notices.get(0).startsWith("serving node (pid " + first.pid() + ") exited with code 137 "
                    + "(killed by SIGKILL)"), notices.get(0));
            assertTrue(notices.get(0).contains("restarting it in 200 ms (restart 1 of 3, same state directory). Log: "
                    + log), notices.get(0));
            await(() -> supervisor.state() == ServingSupervisor.State.UP, Duration.ofSeconds(60), notices);
            ProcessHandle second = supervisor.current().handle();
            assertNotEquals(first.pid(), second.pid());
            assertTrue(second.isAlive());
            assertTrue(notices.get(1).startsWith("serving node restarted (pid " + second.pid() + ")"), notices.get(1));
            assertEquals("up (restarted 1x)", supervisor.describe());

            second.destroyForcibly();
            await(() -> supervisor.state() == ServingSupervisor.State.DOWN, Duration.ofSeconds(60), notices);
            System.out.println("supervisor notices:\n  " + String.join("\n  ", notices));
            assertEquals(5, notices.size(), notices.toString());
            assertTrue(notices.get(2).contains("exited with code 137 (killed by SIGKILL)")
                    && notices.get(2).contains("restarting it in 400 ms (restart 2 of 3"), notices.get(2));
            assertTrue(notices.get(3).contains("exited with code 2 ")
                    && notices.get(3).contains("restarting it in 800 ms (restart 3 of 3"), notices.get(3));
            assertTrue(notices.get(4).contains("exited with code 2 ") && notices.get(4).contains("it has failed 3 "
                    + "restarts in a row, so it stays down. Kafka, the trainer and the feed keep running. See " + log),
                    notices.get(4));
            assertTrue(supervisor.describe().startsWith("DOWN"), supervisor.describe());
            assertEquals(4, launches.get());
            Thread.sleep(1_000);
            assertEquals(4, launches.get(), "no restart after giving up");
        } finally {
            supervisor.stop();
        }
        assertEquals(ServingSupervisor.State.STOPPED, supervisor.state());
        assertEquals(Duration.ofSeconds(1), new ServingSupervisor(null, log, s -> { }, 5, Duration.ofSeconds(1),
                Duration.ofMinutes(1), Duration.ofSeconds(90)).backoff(1));
        assertEquals(Duration.ofSeconds(16), new ServingSupervisor(null, log, s -> { }, 5, Duration.ofSeconds(1),
                Duration.ofMinutes(1), Duration.ofSeconds(90)).backoff(5));
    }

    @Test
    void aStopDuringTheBackoffStartsNoNode(@TempDir Path dir) throws Exception {
        List<String> valid = servingArgs(dir.resolve("serving"));
        int port = freePort();
        Path log = dir.resolve("serving.log");
        AtomicInteger launches = new AtomicInteger();
        List<String> notices = new CopyOnWriteArrayList<>();
        ServingSupervisor supervisor = new ServingSupervisor(() -> {
            launches.incrementAndGet();
            return ServingProcess.start(HOME, port, valid, log);
        }, log, notices::add, 5, Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(60));
        supervisor.start();
        ProcessHandle first = supervisor.current().handle();
        first.destroyForcibly();
        await(() -> supervisor.state() == ServingSupervisor.State.RESTARTING && !notices.isEmpty(),
                Duration.ofSeconds(5), notices);
        assertEquals("restarting (1/5)", supervisor.describe());
        long t0 = System.nanoTime();
        supervisor.stop();
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "stop waited for the backoff");
        Thread.sleep(500);
        assertEquals(1, launches.get(), "no node started after the stop");
        assertFalse(first.isAlive());
        assertEquals("stopped", supervisor.describe());
    }

    private static void await(BooleanSupplier condition, Duration timeout, List<String> notices)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + "; notices so far: " + notices);
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
