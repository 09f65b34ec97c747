package io.streamrec.local.generator;

import io.streamrec.config.Option;
import io.streamrec.config.ValueType;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.CommonOptions;
import io.streamrec.local.cli.ParsedArgs;
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

    /** {@code --rate}: events per second, or {@code max} (0: as fast as possible). */
    static final ValueType<Double> RATE = ValueTypes.of("R", GeneratorMain::parseRate,
            r -> r == 0 ? "max" : ValueTypes.NUMBER.format(r));

    /** The synthetic world's options, shared with the demo (which has its own defaults for some). */
    public static final Option<Integer> USERS = Option.named("--users", ValueTypes.INTEGER).defaultValue(1_000)
            .check(v -> v >= 1, "must be at least 1").description("number of users u-0 .. u-(N-1)").build();
    public static final Option<Integer> ITEMS = Option.named("--items", ValueTypes.INTEGER).defaultValue(2_000)
            .check(v -> v >= 1, "must be at least 1").description("number of items i-0 .. i-(N-1)").build();
    public static final Option<Integer> TOPICS = Option.named("--topics", ValueTypes.INTEGER).defaultValue(20)
            .check(v -> v >= 1, "must be at least 1").description("hidden taste topics").build();
    public static final Option<Long> SEED = Option.named("--seed", ValueTypes.LONG).defaultValue(42L)
            .description("seed of the world and the event sequence").build();
    public static final Option<Double> RATE_OPTION = Option.named("--rate", RATE).defaultValue(50.0)
            .description("events per second (at most " + (long) MAX_RATE + "), or max").build();
    public static final Option<Duration> BACKFILL = Option.named("--backfill", ValueTypes.DURATION)
            .description("first publish this much simulated history (timestamps from now - DUR at --rate) as fast as "
                    + "possible, then continue live").build();
    public static final Option<Duration> NEW_ITEMS_EVERY = Option.named("--new-items-every", ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(30))
            .description("launch a new item this often while live (0 = never): its catalog record at once, its "
                    + "events from --new-item-delay later").build();
    public static final Option<Duration> NEW_ITEM_DELAY = Option.named("--new-item-delay", ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(20))
            .description("from a new item's catalog record to its first event").build();
    public static final Option<Duration> RETIRE_EVERY = Option.named("--retire-every", ValueTypes.DURATION)
            .defaultValue(Duration.ZERO)
            .description("retire an item this often while live (\"available\": false, no more events; 0 = never)")
            .build();
    static final Option<Boolean> PRINT_TRUTH = Option.flag("--print-truth")
            .description("print a few users of distinct tastes and their true top items at the start").build();
    static final Option<Long> LIMIT = CommonOptions.LIMIT.toBuilder().description("stop after N events").build();
    static final Option<Duration> DURATION = Option.named("--duration", ValueTypes.DURATION)
            .description("stop after this long, e.g. 10m").build();
    static final Option<String> CATALOG_TOPIC = CommonOptions.CATALOG_TOPIC.toBuilder()
            .deprecatedName("--catalog-topic")
            .description("the compacted topic of the catalog records, created when missing (the trainer's "
                    + "topics.catalog)").build();
    static final Option<Boolean> NO_CATALOG = Option.flag("--no-catalog").description("publish no catalog").build();
    static final Option<Boolean> STDOUT = Option.flag("--stdout")
            .description("print event JSON lines to stdout instead of publishing (no Kafka needed, no catalog)")
            .build();

    static final CliCommand COMMAND = CliCommand.builder("generate", "streamrec generate [options]")
            .description("Publishes the synthetic clickstream (hidden ground truth) into Kafka.")
            .section("World (hidden ground truth)")
            .options(USERS, ITEMS, TOPICS, SEED, PRINT_TRUTH)
            .section("Stream")
            .options(RATE_OPTION, LIMIT, DURATION, BACKFILL)
            .section("Catalog (item attributes that follow the hidden topics)")
            .options(CATALOG_TOPIC, NO_CATALOG, NEW_ITEMS_EVERY, NEW_ITEM_DELAY, RETIRE_EVERY)
            .section("Output")
            .options(CommonOptions.BOOTSTRAP_SERVERS, CommonOptions.INTERACTIONS_TOPIC, CommonOptions.CREATE_TOPIC,
                    CommonOptions.PARTITIONS, CommonOptions.CONNECT_TIMEOUT, STDOUT)
            .epilogue("Exit codes: 0 done or stopped, 1 Kafka unreachable/topic missing/publish failed, 64 bad options.")
            .epilogue("Examples:\n"
                    + "  streamrec generate --rate 200 --create-topic\n"
                    + "  streamrec generate --backfill 1h --rate 100 --duration 10m\n"
                    + "  streamrec generate --stdout --limit 1000 > clicks.jsonl   (replay it with --format events)")
            .build();

    private GeneratorMain() {}

    public static void main(String[] args) {
        System.exit(runMain(args, System.out, System.err));
    }

    /** As {@link #main}, without exiting: Ctrl-C stops the publisher. */
    public static int runMain(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, publisher ->
                Runtime.getRuntime().addShutdownHook(new Thread(publisher::stop, "generator-shutdown")));
    }

    /**
     * Runs the generator as the command line would, without exiting; returns once it has finished.
     *
     * @param onStart gets the publisher once it runs, e.g. to stop it from a shutdown hook
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Consumer<Publisher> onStart) {
        Invocation in;
        try {
            in = parse(args, out, err);
            if (in == null) {
                return 0; // --help
            }
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
        } catch (IllegalArgumentException e) {
            return COMMAND.usageError(err, new UsageException(e.getMessage()));
        }

        ClickstreamGenerator generator = new ClickstreamGenerator(in.config());
        if (in.printTruth()) {
            printTruth(generator.groundTruth(), err);
        }
        EventSink sink = null;
        CatalogPublisher catalog = null;
        try {
            sink = in.toStdout() ? printing(out) : KafkaEventSink.open(in.target());
            if (in.catalogTopic() != null) {
                catalog = openCatalog(in.target(), in.catalogTopic(), generator, err);
            }
        } catch (PublishException e) {
            if (sink != null) {
                sink.close();
            }
            err.println("generate: error: " + e.getMessage());
            return 1;
        }
        Pacing pacing = in.backfill() != null ? Pacing.eventTime(System::currentTimeMillis)
                : in.rate() > 0 ? Pacing.rate(in.rate()) : Pacing.unlimited();
        Publisher publisher = Publisher.builder(generator, sink).pacing(pacing).limit(in.limit())
                .duration(in.duration()).threadName("generator-publisher").start();
        onStart.accept(publisher);
        announce(in, err);
        return awaitCompletion(publisher, catalog, err);
    }

    /**
     * What the command line asks for: the synthetic world, its pace ({@code rate} 0: as fast as possible; a
     * {@code backfill} of history first, or null), when to stop, and where to publish (the catalog topic null for
     * none).
     */
    private record Invocation(GeneratorConfig config, double rate, Duration backfill, long limit, Duration duration,
                              KafkaTarget target, String catalogTopic, boolean printTruth, boolean toStdout) {}

    /** The command line; null after printing the usage for --help. Warnings go to {@code err}. */
    private static Invocation parse(String[] args, PrintStream out, PrintStream err) throws UsageException {
        ParsedArgs cl = COMMAND.parse(args);
        if (cl.helpRequested()) {
            out.print(COMMAND.usage());
            return null;
        }
        COMMAND.warn(err, cl.warnings());
        if (!cl.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positionals().get(0) + "'");
        }
        double rate = cl.get(RATE_OPTION);
        Duration backfill = cl.get(BACKFILL);
        long limit = cl.has(LIMIT) ? cl.get(LIMIT) : Long.MAX_VALUE;
        Duration duration = cl.get(DURATION);
        GeneratorConfig.Builder b = GeneratorConfig.builder()
                .users(cl.get(USERS))
                .items(cl.get(ITEMS))
                .topics(cl.get(TOPICS))
                .seed(cl.get(SEED))
                .newItems(cl.get(NEW_ITEMS_EVERY), cl.get(NEW_ITEM_DELAY))
                .retireEvery(cl.get(RETIRE_EVERY));
        if (backfill != null) {
            if (rate <= 0) {
                throw new UsageException("--backfill needs a numeric --rate: it sets how dense the history is");
            }
            // The world changes (launches, retirements) only once the stream is live, after the history.
            Instant now = Instant.now();
            b.simulatedClock(now.minus(backfill), rate).changesFrom(now);
        }
        String catalogTopic = cl.flag(NO_CATALOG) || cl.flag(STDOUT) ? null : cl.get(CATALOG_TOPIC);
        GeneratorConfig config = b.build();
        KafkaTarget target = new KafkaTarget(cl.get(CommonOptions.BOOTSTRAP_SERVERS),
                cl.get(CommonOptions.INTERACTIONS_TOPIC), cl.flag(CommonOptions.CREATE_TOPIC),
                cl.get(CommonOptions.PARTITIONS), cl.get(CommonOptions.CONNECT_TIMEOUT));
        return new Invocation(config, rate, backfill, limit, duration, target, catalogTopic, cl.flag(PRINT_TRUTH),
                cl.flag(STDOUT));
    }

    /** Says what is being generated, where to and how fast, and how the world changes. */
    private static void announce(Invocation in, PrintStream err) {
        GeneratorConfig config = in.config();
        String where = in.toStdout() ? "stdout"
                : "topic " + in.target().topic() + " at " + in.target().bootstrapServers();
        err.printf(Locale.ROOT, "generate: %d users, %d items, %d topics, seed %d -> %s, %s%s%n", config.users(),
                config.items(), config.topics(), config.seed(), where,
                in.rate() > 0 ? String.format(Locale.ROOT, "%,.0f events/s", in.rate()) : "as fast as possible",
                in.backfill() != null ? " after a backfill of " + in.backfill() : "");
        if (!config.newItemsEvery().isZero() || !config.retireEvery().isZero()) {
            err.printf(Locale.ROOT, "generate: %s%s%n", config.newItemsEvery().isZero() ? ""
                    : "a new item every " + seconds(config.newItemsEvery()) + " (events from "
                            + seconds(config.newItemDelay()) + " later)",
                    config.retireEvery().isZero() ? "" : (config.newItemsEvery().isZero() ? "" : ", ")
                            + "an item retired every " + seconds(config.retireEvery()));
        }
    }

    /** Reports progress every 5 s until the publisher is done, then closes the catalog; returns the exit code. */
    private static int awaitCompletion(Publisher publisher, CatalogPublisher catalog, PrintStream err) {
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

    static double parseRate(String s) {
        if (s.strip().equalsIgnoreCase("max")) {
            return 0;
        }
        double r;
        try {
            r = ValueTypes.NUMBER.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected events per second or max, got '" + s + "'");
        }
        if (!(r > 0) || r > MAX_RATE) {
            throw new IllegalArgumentException("must be above 0 and at most " + (long) MAX_RATE
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
