package io.streamrec.local.cli;

import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import java.time.Duration;

/**
 * Options several commands share, defined once: where to publish (named like the trainer's keys, so one concept
 * has one name), how long to wait for Kafka, dry runs, limits and progress output. A command that describes one
 * differently derives a variant ({@link Option#toBuilder()}), keeping name, type, default and rules.
 */
public final class CommonOptions {
    private CommonOptions() {}

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    public static final Option<String> BOOTSTRAP_SERVERS = Option.named("--kafka.bootstrap.servers",
                    ValueTypes.STRING)
            .defaultValue(DEFAULT_BOOTSTRAP_SERVERS).label("HOST:PORT")
            .check(Option.nonBlank(), "must not be empty").deprecatedName("--bootstrap-servers")
            .description("Kafka bootstrap servers (the trainer's kafka.bootstrap.servers)").build();

    public static final Option<String> INTERACTIONS_TOPIC = Option.named("--topics.interactions", ValueTypes.STRING)
            .defaultValue("interactions").label("T").check(Option.nonBlank(), "must not be empty")
            .deprecatedName("--topic")
            .description("the topic of the events (the trainer's topics.interactions)").build();

    public static final Option<String> CATALOG_TOPIC = Option.named("--topics.catalog", ValueTypes.STRING)
            .defaultValue("catalog").label("T").check(Option.nonBlank(), "must not be empty")
            .description("the compacted topic of the catalog records (the trainer's topics.catalog)").build();

    public static final Option<Integer> PARTITIONS = Option.named("--kafka.topic-partitions", ValueTypes.INTEGER)
            .defaultValue(4).check(v -> v >= 1, "must be at least 1").deprecatedName("--partitions")
            .description("partitions of a created topic").build();

    public static final Option<Boolean> CREATE_TOPIC = Option.flag("--create-topic")
            .description("create the topic when it does not exist").build();

    public static final Option<Duration> CONNECT_TIMEOUT = Option.named("--connect-timeout", ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(10)).check(d -> !d.isZero(), "must be positive")
            .description("how long to wait for the broker").build();

    public static final Option<Boolean> DRY_RUN = Option.flag("--dry-run")
            .description("read, map and validate, but publish nothing (no Kafka needed)").build();

    public static final Option<Long> LIMIT = Option.named("--limit", ValueTypes.LONG)
            .check(v -> v >= 1, "must be at least 1").description("stop after publishing N events").build();

    public static final Option<String> PROGRESS = Option.named("--progress",
                    ValueTypes.words("auto", "bar", "plain", "none"))
            .defaultValue("auto").label("M")
            .description("auto: a bar on a terminal, a line every 5 s otherwise; bar; plain; none").build();

    public static final Option<Integer> MAX_REPORTED = Option.named("--max-reported", ValueTypes.INTEGER)
            .defaultValue(20).check(v -> v >= 0, "must be at least 0")
            .description("bad lines printed in detail before only counting").build();

    /** {@code --progress} as a display mode: {@code auto} is a bar on a terminal and plain lines otherwise. */
    public static ProgressDisplay.Mode progressMode(String word, boolean terminal) {
        switch (word) {
            case "bar": return ProgressDisplay.Mode.BAR;
            case "plain": return ProgressDisplay.Mode.PLAIN;
            case "none": return ProgressDisplay.Mode.NONE;
            default: return terminal ? ProgressDisplay.Mode.BAR : ProgressDisplay.Mode.PLAIN;
        }
    }
}
