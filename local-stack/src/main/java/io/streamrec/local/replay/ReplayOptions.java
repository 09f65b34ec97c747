package io.streamrec.local.replay;

import io.streamrec.local.publish.KafkaCatalogSink;
import io.streamrec.local.publish.KafkaTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything a {@link Replayer} needs: the file and how to read it, which events to take, how fast, and where to
 * publish. Immutable; build with {@link #builder(Path)}. Unset optional values are null and mean "the format's
 * default" (format, sort, earliest timestamp) or "no restriction" (from, to, backlog, max wait).
 */
public final class ReplayOptions {
    private final Path file;
    private final LogFormat format;
    private final CsvLayout csvLayout;
    private final TypeMapping typeMapping;
    private final Double minRating;
    private final Instant from;
    private final Instant to;
    private final long limit;
    private final Boolean sort;
    private final boolean shiftToNow;
    private final double speed;
    private final double rate;
    private final Instant backlogUntil;
    private final Duration maxWait;
    private final Instant earliestTimestamp;
    private final KafkaTarget target;
    private final boolean dryRun;
    private final Duration progressInterval;
    private final boolean catalog;
    private final String catalogTopic;

    private ReplayOptions(Builder b) {
        this.file = b.file;
        this.format = b.format;
        this.csvLayout = b.csvLayout;
        this.typeMapping = b.typeMapping;
        this.minRating = b.minRating;
        this.from = b.from;
        this.to = b.to;
        this.limit = b.limit;
        this.sort = b.sort;
        this.shiftToNow = b.shiftToNow;
        this.speed = b.speed;
        this.rate = b.rate;
        this.backlogUntil = b.backlogUntil;
        this.maxWait = b.maxWait;
        this.earliestTimestamp = b.earliestTimestamp;
        this.target = b.target;
        this.dryRun = b.dryRun;
        this.progressInterval = b.progressInterval;
        this.catalog = b.catalog;
        this.catalogTopic = b.catalogTopic;
    }

    public static Builder builder(Path file) {
        return new Builder(file);
    }

    public Path file() {
        return file;
    }

    /** The format, or null to detect it. */
    public LogFormat format() {
        return format;
    }

    /** The CSV layout, or null (not CSV, or detected). */
    public CsvLayout csvLayout() {
        return csvLayout;
    }

    /** Type mapping entries added to (or replacing) the format's defaults; null for the defaults alone. */
    public TypeMapping typeMapping() {
        return typeMapping;
    }

    public Double minRating() {
        return minRating;
    }

    public Instant from() {
        return from;
    }

    public Instant to() {
        return to;
    }

    public long limit() {
        return limit;
    }

    /** Whether to sort by timestamp in memory; null for the format's default (MovieLens: yes). */
    public Boolean sort() {
        return sort;
    }

    public boolean shiftToNow() {
        return shiftToNow;
    }

    /** At most this many events per second (evenly spaced); 0 for no such limit. */
    public double rate() {
        return rate;
    }

    /** Speed-up over the events' own pace; 0 for as fast as possible. */
    public double speed() {
        return speed;
    }

    public Instant backlogUntil() {
        return backlogUntil;
    }

    public Duration maxWait() {
        return maxWait;
    }

    public Instant earliestTimestamp() {
        return earliestTimestamp;
    }

    public KafkaTarget target() {
        return target;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Duration progressInterval() {
        return progressInterval;
    }

    /**
     * Whether catalog records derived from the log's item attributes (REES46: category, brand, price) are published
     * too; only logs that describe items have any. Default true; {@code --no-catalog} turns it off.
     */
    public boolean catalog() {
        return catalog;
    }

    /** The topic of those catalog records (same bootstrap servers as the events); default {@code catalog}. */
    public String catalogTopic() {
        return catalogTopic;
    }

    /** Where the catalog records go: the events' broker and settings with {@link #catalogTopic()}. */
    public KafkaTarget catalogTarget() {
        return target.withTopic(catalogTopic);
    }

    /** Setters of {@link ReplayOptions}; each names the problem with {@link IllegalArgumentException}. */
    public static final class Builder {
        private final Path file;
        private LogFormat format;
        private CsvLayout csvLayout;
        private TypeMapping typeMapping;
        private Double minRating;
        private Instant from;
        private Instant to;
        private long limit = Long.MAX_VALUE;
        private Boolean sort;
        private boolean shiftToNow;
        private double speed;
        private double rate;
        private Instant backlogUntil;
        private Duration maxWait;
        private Instant earliestTimestamp;
        private KafkaTarget target = KafkaTarget.defaults();
        private boolean dryRun;
        private Duration progressInterval = Duration.ofMillis(100);
        private boolean catalog = true;
        private String catalogTopic = KafkaCatalogSink.DEFAULT_TOPIC;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        public Builder format(LogFormat format) {
            this.format = format;
            return this;
        }

        public Builder csvLayout(CsvLayout layout) {
            this.csvLayout = layout;
            return this;
        }

        public Builder typeMapping(TypeMapping mapping) {
            this.typeMapping = mapping;
            return this;
        }

        /** MovieLens only: ratings below this are ignored (e.g. 4 to keep only liked movies). */
        public Builder minRating(Double minRating) {
            this.minRating = minRating;
            return this;
        }

        /** Only events at or after this instant (the file's own timestamps, before any shift). */
        public Builder from(Instant from) {
            this.from = from;
            return this;
        }

        /** Only events before this instant (the file's own timestamps, before any shift). */
        public Builder to(Instant to) {
            this.to = to;
            return this;
        }

        /** Stop after publishing this many events. */
        public Builder limit(long limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        public Builder sort(Boolean sort) {
            this.sort = sort;
            return this;
        }

        /** Shift all timestamps so that the last event (or the backlog end, with a backlog) is now. */
        public Builder shiftToNow(boolean shift) {
            this.shiftToNow = shift;
            return this;
        }

        /** N for "Nx real time"; 0 for as fast as possible. */
        public Builder speed(double speed) {
            if (!(speed >= 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("speed must be 0 (max) or a positive factor, got " + speed);
            }
            this.speed = speed;
            return this;
        }

        /** At most {@code eventsPerSecond}, evenly spaced; 0 for no such limit. Not with a speed. */
        public Builder rate(double eventsPerSecond) {
            if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
                throw new IllegalArgumentException("rate must be 0 (none) or a positive number of events per "
                        + "second, got " + eventsPerSecond);
            }
            this.rate = eventsPerSecond;
            return this;
        }

        /** With a speed: events before this instant (file time) go at full speed, later ones are paced. */
        public Builder backlogUntil(Instant until) {
            this.backlogUntil = until;
            return this;
        }

        /** With a speed: no single pause longer than this. */
        public Builder maxWait(Duration maxWait) {
            if (maxWait != null && (maxWait.isNegative() || maxWait.isZero())) {
                throw new IllegalArgumentException("max wait must be positive, got " + maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        /** Earliest timestamp an event may have to be published (validation); null for the format's default. */
        public Builder earliestTimestamp(Instant earliest) {
            this.earliestTimestamp = earliest;
            return this;
        }

        public Builder target(KafkaTarget target) {
            this.target = Objects.requireNonNull(target);
            return this;
        }

        /** Read, map and validate everything, but publish nothing and do not contact Kafka. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public Builder progressInterval(Duration interval) {
            this.progressInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** Whether to publish the catalog records a log implies (default true). */
        public Builder catalog(boolean catalog) {
            this.catalog = catalog;
            return this;
        }

        public Builder catalogTopic(String topic) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("--topics.catalog must not be empty");
            }
            this.catalogTopic = topic;
            return this;
        }

        public ReplayOptions build() {
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
            }
            if (rate > 0 && speed > 0) {
                throw new IllegalArgumentException("--rate and --speed contradict each other: pick one way to pace");
            }
            if (backlogUntil != null && speed == 0) {
                throw new IllegalArgumentException("--backlog-until needs a --speed such as 1x: without pacing"
                        + " everything is backlog");
            }
            return new ReplayOptions(this);
        }
    }
}
