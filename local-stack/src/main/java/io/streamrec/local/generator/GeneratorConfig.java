package io.streamrec.local.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Parameters of the {@link ClickstreamGenerator}'s hidden world and of its clock. Immutable; build with
 * {@link #builder()}. Every parameter has a default that gives a demo-sized world in which a model visibly learns:
 * 1,000 users, 2,000 items in 20 topics, sparse tastes (most users care about one to three topics), Zipf item
 * popularity inside each topic, sessions of about six clicks, a catalog whose category names the item's topic for
 * 85% of the items, and a world that does not change (no launches, no retirements) unless asked.
 */
public final class GeneratorConfig {

    /** How event timestamps are made. */
    public enum Clock {
        /** The wall clock at the moment the event is generated: for live streams. */
        LIVE,
        /**
         * A simulated clock from {@link #simulatedStart()} advancing by random gaps averaging
         * {@code 1 / simulatedRate} seconds: for fast backfills, and for deterministic tests.
         */
        SIMULATED
    }

    final int users;
    final int items;
    final int topics;
    final long seed;
    final double zipfExponent;
    final double tasteConcentration;
    final double activitySpread;
    final double meanSessionClicks;
    final double topicStickiness;
    final double exploration;
    final double cartProbability;
    final double purchaseProbability;
    final int concurrentSessions;
    final Clock clock;
    final LongSupplier wallClockMs;
    final long simulatedStartMs;
    final double simulatedRate;
    final double catalogNoise;
    final Duration newItemsEvery;
    final Duration newItemDelay;
    final Duration retireEvery;
    /** Epoch ms from which launches and retirements are scheduled; null = the clock's start. */
    final Long changesFromMs;

    private GeneratorConfig(Builder b) {
        this.users = b.users;
        this.items = b.items;
        this.topics = b.topics;
        this.seed = b.seed;
        this.zipfExponent = b.zipfExponent;
        this.tasteConcentration = b.tasteConcentration;
        this.activitySpread = b.activitySpread;
        this.meanSessionClicks = b.meanSessionClicks;
        this.topicStickiness = b.topicStickiness;
        this.exploration = b.exploration;
        this.cartProbability = b.cartProbability;
        this.purchaseProbability = b.purchaseProbability;
        this.concurrentSessions = b.concurrentSessions;
        this.clock = b.clock;
        this.wallClockMs = b.wallClockMs;
        this.simulatedStartMs = b.simulatedStartMs;
        this.simulatedRate = b.simulatedRate;
        this.catalogNoise = b.catalogNoise;
        this.newItemsEvery = b.newItemsEvery;
        this.newItemDelay = b.newItemDelay;
        this.retireEvery = b.retireEvery;
        this.changesFromMs = b.changesFromMs;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int users() {
        return users;
    }

    public int items() {
        return items;
    }

    public int topics() {
        return topics;
    }

    public long seed() {
        return seed;
    }

    public Clock clock() {
        return clock;
    }

    public Instant simulatedStart() {
        return Instant.ofEpochMilli(simulatedStartMs);
    }

    public double simulatedRate() {
        return simulatedRate;
    }

    /** How often a new item is launched (event time); zero = never. */
    public Duration newItemsEvery() {
        return newItemsEvery;
    }

    /** How long after its launch (catalog record) a new item's first event may come. */
    public Duration newItemDelay() {
        return newItemDelay;
    }

    /** How often an item is retired (event time); zero = never. */
    public Duration retireEvery() {
        return retireEvery;
    }

    /** Builder with validated setters; each throws {@link IllegalArgumentException} naming the parameter. */
    public static final class Builder {
        private int users = 1_000;
        private int items = 2_000;
        private int topics = 20;
        private long seed = 42;
        private double zipfExponent = 1.0;
        private double tasteConcentration = 0.2;
        private double activitySpread = 1.0;
        private double meanSessionClicks = 6;
        private double topicStickiness = 0.8;
        private double exploration = 0.05;
        private double cartProbability = 0.12;
        private double purchaseProbability = 0.4;
        private int concurrentSessions = 32;
        private Clock clock = Clock.LIVE;
        private LongSupplier wallClockMs = System::currentTimeMillis;
        private long simulatedStartMs = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
        private double simulatedRate = 100;
        private double catalogNoise = 0.15;
        private Duration newItemsEvery = Duration.ZERO;
        private Duration newItemDelay = Duration.ofSeconds(20);
        private Duration retireEvery = Duration.ZERO;
        private Long changesFromMs;

        private Builder() {}

        /** Number of users (ids {@code u-0 .. u-(n-1)}); default 1,000. */
        public Builder users(int users) {
            this.users = atLeast("users", users, 1);
            return this;
        }

        /** Number of items (ids {@code i-0 .. i-(n-1)}); at least one per topic; default 2,000. */
        public Builder items(int items) {
            this.items = atLeast("items", items, 1);
            return this;
        }

        /**
         * Number of hidden topics (taste dimensions); default 20. More topics make tastes more distinct: with 20, a
         * model that knows a user's topics reaches about 2.5 times the recall@10 of global popularity.
         */
        public Builder topics(int topics) {
            this.topics = atLeast("topics", topics, 1);
            return this;
        }

        /** Seed of everything random: the world and the event sequence; default 42. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Zipf exponent of item popularity inside a topic (rank r gets weight 1/(r+1)^s); default 1.0. */
        public Builder zipfExponent(double s) {
            this.zipfExponent = inRange("zipfExponent", s, 0, 5);
            return this;
        }

        /**
         * Dirichlet concentration of user tastes over topics; small values make users care about few topics;
         * default 0.2.
         */
        public Builder tasteConcentration(double alpha) {
            this.tasteConcentration = inRange("tasteConcentration", alpha, 1e-3, 100);
            return this;
        }

        /** Sigma of the log-normal user activity (how much heavy users outnumber light ones); default 1.0. */
        public Builder activitySpread(double sigma) {
            this.activitySpread = inRange("activitySpread", sigma, 0, 4);
            return this;
        }

        /** Mean number of clicks per session (at least one); default 6. */
        public Builder meanSessionClicks(double mean) {
            this.meanSessionClicks = inRange("meanSessionClicks", mean, 1, 1_000);
            return this;
        }

        /** Probability that a click stays in the session's topic (else a topic drawn from the user's taste); 0.8. */
        public Builder topicStickiness(double p) {
            this.topicStickiness = inRange("topicStickiness", p, 0, 1);
            return this;
        }

        /** Probability that a click ignores the user's taste (a random topic): noise; default 0.05. */
        public Builder exploration(double p) {
            this.exploration = inRange("exploration", p, 0, 1);
            return this;
        }

        /** Probability that a click is followed by an add_to_cart of the same item; default 0.12. */
        public Builder cartProbability(double p) {
            this.cartProbability = inRange("cartProbability", p, 0, 1);
            return this;
        }

        /** Probability that a carted item is purchased at the end of the session; default 0.4. */
        public Builder purchaseProbability(double p) {
            this.purchaseProbability = inRange("purchaseProbability", p, 0, 1);
            return this;
        }

        /** Sessions open at the same time, interleaved in the stream (capped at the number of users); default 32. */
        public Builder concurrentSessions(int n) {
            this.concurrentSessions = atLeast("concurrentSessions", n, 1);
            return this;
        }

        /** Live timestamps from the given wall clock (default: the system clock). */
        public Builder liveClock(LongSupplier wallClockMs) {
            this.clock = Clock.LIVE;
            this.wallClockMs = Objects.requireNonNull(wallClockMs);
            return this;
        }

        /** Simulated timestamps from {@code start}, {@code eventsPerSecond} on average. */
        public Builder simulatedClock(Instant start, double eventsPerSecond) {
            this.clock = Clock.SIMULATED;
            this.simulatedStartMs = start.toEpochMilli();
            this.simulatedRate = inRange("simulatedRate", eventsPerSecond, 1e-6, 1e9);
            return this;
        }

        /**
         * Probability that an item's catalog {@code category} names a random topic instead of its own (it may draw
         * its own again); default 0.15, so about 85% of the items are categorized by their true topic.
         */
        public Builder catalogNoise(double p) {
            this.catalogNoise = inRange("catalogNoise", p, 0, 1);
            return this;
        }

        /**
         * Launches a new item every {@code every} of event time (zero, the default: never): the next id after the
         * existing ones, with a catalog record at once and events from {@code delay} later on, as popular as its
         * (drawn) rank in its topic makes it.
         */
        public Builder newItems(Duration every, Duration delay) {
            this.newItemsEvery = notNegative("newItemsEvery", every);
            this.newItemDelay = notNegative("newItemDelay", delay);
            return this;
        }

        /** Retires an item every {@code every} of event time (zero, the default: never). */
        public Builder retireEvery(Duration every) {
            this.retireEvery = notNegative("retireEvery", every);
            return this;
        }

        /**
         * Schedules launches and retirements from {@code from} on (the first one {@code every} later), e.g. the end
         * of a backfill so that the world changes only while the stream is live. Default: the simulated clock's
         * start, or with the live clock the first event's time.
         */
        public Builder changesFrom(Instant from) {
            this.changesFromMs = Objects.requireNonNull(from).toEpochMilli();
            return this;
        }

        public GeneratorConfig build() {
            if (items < topics) {
                throw new IllegalArgumentException("items (" + items + ") must be at least topics (" + topics + ")");
            }
            return new GeneratorConfig(this);
        }

        private static int atLeast(String name, int v, int min) {
            if (v < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
            }
            return v;
        }

        private static Duration notNegative(String name, Duration d) {
            if (Objects.requireNonNull(d, name).isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + d);
            }
            return d;
        }

        private static double inRange(String name, double v, double min, double max) {
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        }
    }
}
