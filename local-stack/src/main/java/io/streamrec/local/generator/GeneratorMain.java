package io.streamrec.local.generator;

import io.streamrec.local.cli.CommandLine;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.publish.EventSink;
import io.streamrec.local.publish.KafkaEventSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.publish.Pacing;
import io.streamrec.local.publish.PublishException;
import io.streamrec.local.publish.Publisher;
import io.streamrec.schema.InteractionEvent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code streamrec generate}: publishes the synthetic clickstream of a {@link ClickstreamGenerator} to Kafka (event
 * JSON keyed by user id, like replay) or prints it. Unless {@code --no-catalog} (or {@code --stdout}), every item's
 * catalog record goes to the compacted catalog topic first (created when missing), then the events; items launched
 * or retired while it runs get their record at that moment. Arguments in, an exit code out (0 done or stopped,
 * 1 Kafka error, 64 bad options); progress goes to stderr every 5 s. Runs until {@code --limit}, {@code --duration}
 * or Ctrl-C.
 */
public final class GeneratorMain {
    /** Above this the pacing thread cannot keep even spacing; use {@code --rate max} for an unthrottled backfill. */
    public static final double MAX_RATE = 100_000;

    static final CommandLine.Spec SPEC = CommandLine.spec("streamrec generate [options]")
            .section("World (hidden ground truth)")
            .option("--users", "N", "number of users u-0 .. u-(N-1) (default 1000)")
            .option("--items", "N", "number of items i-0 .. i-(N-1) (default 2000)")
            .option("--topics", "N", "hidden taste topics (default 20)")
            .option("--seed", "N", "seed of the world and the event sequence (default 42)")
            .flag("--print-truth", "print a few users of distinct tastes and their true top items at the start")
            .section("Stream")
            .option("--rate", "R", "events per second (default 50, at most " + (long) MAX_RATE + "), or max")
            .option("--limit", "N", "stop after N events")
            .option("--duration", "DUR", "stop after this long, e.g. 10m")
            .option("--backfill", "DUR", "first publish this much simulated history (timestamps from now - DUR at\n"
                    + "--rate) as fast as possible, then continue live")
            .section("Catalog (item attributes that follow the hidden topics)")
            .option("--catalog-topic", "T", "compacted topic of the catalog records, created when missing (default "
                    + CatalogPublisher.DEFAULT_TOPIC + ")")
            .flag("--no-catalog", "publish no catalog")
            .option("--new-items-every", "DUR", "launch a new item this often while live (default 30s; 0 = never):\n"
                    + "its catalog record at once, its events from --new-item-delay later")
            .option("--new-item-delay", "DUR", "from a new item's catalog record to its first event (default 20s)")
            .option("--retire-every", "DUR", "retire an item this often while live (\"available\": false, no more\n"
                    + "events; default 0 = never)")
            .section("Output")
            .option("--bootstrap-servers", "HOST:PORT", "default " + KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS)
            .option("--topic", "T", "default " + KafkaTarget.DEFAULT_TOPIC)
            .flag("--create-topic", "create the topic when it does not exist")
            .option("--partitions", "N", "partitions of a created topic (default " + KafkaTarget.DEFAULT_PARTITIONS
                    + ")")
            .option("--connect-timeout", "DUR", "how long to wait for the broker (default 10s)")
            .flag("--stdout", "print event JSON lines to stdout instead of publishing (no Kafka needed, no catalog)")
            .flag("--help", "print this help")
            .epilogue("Exit codes: 0 done or stopped, 1 Kafka unreachable/topic missing/publish failed, 64 bad options.")
            .epilogue("Examples:\n"
                    + "  streamrec generate --rate 200 --create-topic\n"
                    + "  streamrec generate --backfill 1h --rate 100 --duration 10m\n"
                    + "  streamrec generate --stdout --limit 1000 > clicks.jsonl   (replay it with --format events)");

    private GeneratorMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, publisher ->
                Runtime.getRuntime().addShutdownHook(new Thread(publisher::stop, "generator-shutdown"))));
    }

    /**
     * Runs the generator as the command line would, without exiting; returns once it has finished.
     *
     * @param onStart gets the publisher once it runs, e.g. to stop it from a shutdown hook
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Consumer<Publisher> onStart) {
        CommandLine cl;
        GeneratorConfig config;
        double rate;
        Duration backfill;
        long limit;
        Duration duration;
        KafkaTarget target;
        String catalogTopic;
        try {
            cl = SPEC.parse(args);
            if (cl.flag("--help")) {
                out.print(SPEC.usage());
                return 0;
            }
            if (!cl.positionals().isEmpty()) {
                throw new UsageException("unexpected argument '" + cl.positionals().get(0) + "'");
            }
            rate = parseRate(cl.get("--rate", "50"));
            backfill = cl.getDuration("--backfill", null);
            limit = cl.getLong("--limit", Long.MAX_VALUE, 1);
            duration = cl.getDuration("--duration", null);
            GeneratorConfig.Builder b = GeneratorConfig.builder()
                    .users(cl.getInt("--users", 1_000, 1))
                    .items(cl.getInt("--items", 2_000, 1))
                    .topics(cl.getInt("--topics", 20, 1))
                    .seed(cl.getLong("--seed", 42, Long.MIN_VALUE))
                    .newItems(cl.getDuration("--new-items-every", Duration.ofSeconds(30)),
                            cl.getDuration("--new-item-delay", Duration.ofSeconds(20)))
                    .retireEvery(cl.getDuration("--retire-every", Duration.ZERO));
            if (backfill != null) {
                if (rate <= 0) {
                    throw new UsageException("--backfill needs a numeric --rate: it sets how dense the history is");
                }
                // The world changes (launches, retirements) only once the stream is live, after the history.
                Instant now = Instant.now();
                b.simulatedClock(now.minus(backfill), rate).changesFrom(now);
            }
            catalogTopic = cl.flag("--no-catalog") || cl.flag("--stdout") ? null
                    : cl.get("--catalog-topic", CatalogPublisher.DEFAULT_TOPIC);
            config = b.build();
            target = new KafkaTarget(
                    cl.get("--bootstrap-servers", KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS),
                    cl.get("--topic", KafkaTarget.DEFAULT_TOPIC),
                    cl.flag("--create-topic"),
                    cl.getInt("--partitions", KafkaTarget.DEFAULT_PARTITIONS, 1),
                    cl.getDuration("--connect-timeout", KafkaTarget.DEFAULT_CONNECT_TIMEOUT));
        } catch (UsageException | IllegalArgumentException e) {
            err.println("generate: " + e.getMessage());
            err.println("generate: --help lists the options");
            return 64;
        }

        ClickstreamGenerator generator = new ClickstreamGenerator(config);
        if (cl.flag("--print-truth")) {
            printTruth(generator.groundTruth(), err);
        }
        boolean toStdout = cl.flag("--stdout");
        EventSink sink = null;
        CatalogPublisher catalog = null;
        try {
            sink = toStdout ? printing(out) : KafkaEventSink.open(target);
            if (catalogTopic != null) {
                catalog = openCatalog(target, catalogTopic, generator, err);
            }
        } catch (PublishException e) {
            if (sink != null) {
                sink.close();
            }
            err.println("generate: error: " + e.getMessage());
            return 1;
        }
        Pacing pacing = backfill != null ? Pacing.eventTime(System::currentTimeMillis)
                : rate > 0 ? Pacing.rate(rate) : Pacing.unlimited();
        Publisher publisher = Publisher.builder(generator, sink).pacing(pacing).limit(limit).duration(duration)
                .threadName("generator-publisher").start();
        onStart.accept(publisher);
        String where = toStdout ? "stdout" : "topic " + target.topic() + " at " + target.bootstrapServers();
        err.printf(Locale.ROOT, "generate: %d users, %d items, %d topics, seed %d -> %s, %s%s%n", config.users(),
                config.items(), config.topics(), config.seed(), where,
                rate > 0 ? String.format(Locale.ROOT, "%,.0f events/s", rate) : "as fast as possible",
                backfill != null ? " after a backfill of " + backfill : "");
        if (!config.newItemsEvery().isZero() || !config.retireEvery().isZero()) {
            err.printf(Locale.ROOT, "generate: %s%s%n", config.newItemsEvery().isZero() ? ""
                    : "a new item every " + seconds(config.newItemsEvery()) + " (events from "
                            + seconds(config.newItemDelay()) + " later)",
                    config.retireEvery().isZero() ? "" : (config.newItemsEvery().isZero() ? "" : ", ")
                            + "an item retired every " + seconds(config.retireEvery()));
        }
        long start = System.nanoTime();
        try {
            while (!publisher.awaitCompletion(Duration.ofSeconds(5))) {
                double secs = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "generate: %,d events published (%,.0f events/s)%n", publisher.acknowledged(),
                        publisher.sent() / secs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            publisher.stop();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (catalog != null) {
            catalog.close();
        }
        if (publisher.failure() != null) {
            err.println("generate: error: " + publisher.failure().getMessage() + " (" + publisher.acknowledged()
                    + " events were published before that)");
            return 1;
        }
        err.printf(Locale.ROOT, "generate: done, %,d events published in %.1f s%n", publisher.acknowledged(), secs);
        return 0;
    }

    /**
     * Ensures the catalog topic, publishes every item's record (waiting until all are stored, so they precede the
     * events) and has the generator publish each later change as it happens.
     */
    private static CatalogPublisher openCatalog(KafkaTarget target, String topic, ClickstreamGenerator generator,
                                                PrintStream err) {
        CatalogPublisher.TopicState state = CatalogPublisher.ensureTopic(target.bootstrapServers(), topic,
                target.partitions(), target.connectTimeout());
        if (state == CatalogPublisher.TopicState.CREATED) {
            err.println("generate: created the compacted topic '" + topic + "' for the catalog");
        } else if (state == CatalogPublisher.TopicState.NOT_COMPACTED) {
            err.println("generate: warning: topic '" + topic + "' is not compacted (cleanup.policy); old catalog "
                    + "records will be deleted by age instead of replaced by newer ones");
        }
        CatalogPublisher catalog = CatalogPublisher.open(target.bootstrapServers(), topic);
        GroundTruth truth = generator.groundTruth();
        try {
            catalog.publishAll(truth.catalog());
        } catch (PublishException e) {
            catalog.close();
            throw e;
        }
        err.printf(Locale.ROOT, "generate: catalog of %,d items published to topic %s%n", truth.items(), topic);
        generator.onCatalogChange(record -> {
            catalog.publish(record);
            err.println("generate: " + truth.describe(record));
        });
        return catalog;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static double parseRate(String s) throws UsageException {
        if (s.equalsIgnoreCase("max")) {
            return 0;
        }
        double r;
        try {
            r = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new UsageException("--rate: expected events per second or max, got '" + s + "'");
        }
        if (!(r > 0) || r > MAX_RATE) {
            throw new UsageException("--rate: must be above 0 and at most " + (long) MAX_RATE
                    + " (or max for no pacing), got " + s);
        }
        return r;
    }

    private static void printTruth(GroundTruth truth, PrintStream err) {
        err.println("generate: ground truth, users of distinct tastes and their true top-5 items:");
        for (String user : truth.usersWithDistinctTastes(5)) {
            int topic = truth.dominantTopic(user);
            err.printf(Locale.ROOT, "  %-8s topic %d %s (%.0f%%): %s%n", user, topic, truth.topicName(topic),
                    truth.taste(user)[topic] * 100, String.join(" ", truth.trueTopItems(user, 5)));
        }
        err.println("  most popular overall: " + String.join(" ", truth.popularItems(5)));
    }

    /** A sink printing one event JSON per line. */
    private static EventSink printing(PrintStream out) {
        return new EventSink() {
            private volatile long count; // read by the progress loop on another thread

            @Override
            public void publish(InteractionEvent event, byte[] json) {
                out.println(new String(json, StandardCharsets.UTF_8));
                count++;
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public long acknowledged() {
                return count;
            }

            @Override
            public void close() {
                out.flush();
            }
        };
    }
}
