package io.streamrec.serving;

import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the serving node: {@code java --add-modules jdk.incubator.vector -cp ... 
 * io.streamrec.serving.ServingMain [--config file] [--key value ...]}. Prints the config keys with {@code --help}.
 * Without {@code --add-modules jdk.incubator.vector} it still runs, with the scalar top-k kernel (2-3x slower
 * scans), and logs a warning saying so.
 * Ctrl-C / SIGTERM close the node cleanly (HTTP, consumers, RocksDB); a kill -9 loses nothing either, because
 * every applied record is in the RocksDB WAL together with its offset.
 */
public final class ServingMain {
    /**
     * Avro reads these once, when its decoder first needs them, so they must be set before any record is decoded.
     * Without them a 30-byte record declaring a 2 GB string makes the decoder allocate 2 GB: an OutOfMemoryError
     * that would stop the consumer on that record at every restart. Ids are at most 256 bytes; 4 MiB of vector is
     * a million dimensions.
     */
    public static final java.util.Map<String, String> AVRO_LIMITS = java.util.Map.of(
            "org.apache.avro.limits.string.maxLength", "65536",
            "org.apache.avro.limits.bytes.maxLength", "4194304");

    private ServingMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("Usage: ServingMain [--config file.properties] [--key value ...]\n");
            System.out.println("Durations are written 500ms, 5s, 2m, 1h or 7d; booleans true or false.\n");
            System.out.println(ServingConfig.describe());
            return;
        }
        AVRO_LIMITS.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
        ServingConfig config;
        try {
            config = ServingConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServingNode node = new ServingNode(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "serving-shutdown"));
        stopped.await();
    }
}
