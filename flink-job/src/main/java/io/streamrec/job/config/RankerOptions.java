package io.streamrec.job.config;

import static io.streamrec.config.Option.between;
import static io.streamrec.config.Option.nonBlank;

import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.ranker.RankerConfig;
import java.time.Duration;
import java.util.List;

/**
 * The ranking stage's keys ({@code ranker.*}): whether the job trains a ranker, how it samples examples from the
 * UserTower, the network's shape and learning rates, and how often the model is published.
 */
public final class RankerOptions {
    private RankerOptions() {}

    private static final RankerConfig D = RankerConfig.DEFAULTS;

    public static final Option<Boolean> ENABLED = Option.named("ranker.enabled", ValueTypes.BOOLEAN)
            .defaultValue(true)
            .description("Train the ranking stage (a DJL MLP that re-orders serving's retrieved candidates) and "
                    + "publish it to topics.ranker-model.").build();

    public static final Option<String> TOPIC = Option.named("topics.ranker-model", ValueTypes.STRING)
            .defaultValue("ranker-model").check(nonBlank(), "must not be empty")
            .description("Compacted topic the ranker model is published to (one record, key 'ranker').").build();

    public static final Option<Double> SAMPLE = Option.named("ranker.sample", ValueTypes.NUMBER)
            .defaultValue(0.05).check(between(0.0, 1.0), "must be a share between 0 and 1")
            .description("Share of events that become ranker examples: the event's item against negatives drawn "
                    + "from the user's own retrieved candidates (each costs the UserTower a scan of its item "
                    + "cache).").build();

    public static final Option<Integer> CANDIDATES = Option.named("ranker.candidates", ValueTypes.INTEGER)
            .defaultValue(50).check(between(2, 1000), "must be in 2..1000")
            .description("Retrieved candidates per example: the negatives are drawn from them, and the live "
                    + "re-ranking metric orders them.").build();

    public static final Option<Integer> NEGATIVES = Option.named("ranker.negatives", ValueTypes.INTEGER)
            .defaultValue(49).check(between(1, 999), "must be in 1..999")
            .description("Negatives per example, drawn from its retrieved candidates (at most ranker.candidates - 1 "
                    + "are used: the default, 49 of 50, is the whole list).").build();

    public static final Option<Integer> BATCH_ROWS = Option.named("ranker.batch-size", ValueTypes.INTEGER)
            .defaultValue(256).check(between(1, 65536), "must be in 1..65536")
            .description("Rows (positives and negatives) per mini-batch step.").build();

    public static final Option<Duration> PUBLISH_INTERVAL = Option.named("ranker.publish-interval",
                    ValueTypes.DURATION)
            .defaultValue(Duration.ofSeconds(10)).check(d -> d.toMillis() >= 100, "must be at least 100ms")
            .description("A changed ranker is published at most once per interval.").build();

    public static final Option<Integer> HIDDEN = Option.named("ranker.hidden", ValueTypes.INTEGER)
            .defaultValue(D.hidden1()).check(between(1, 256), "must be in 1..256")
            .description("Units of the ranker's first hidden layer.").build();

    public static final Option<Integer> HIDDEN2 = Option.named("ranker.hidden2", ValueTypes.INTEGER)
            .defaultValue(D.hidden2()).check(between(1, 256), "must be in 1..256")
            .description("Units of the ranker's second hidden layer.").build();

    public static final Option<Double> LEARNING_RATE = Option.named("ranker.learning-rate", ValueTypes.NUMBER)
            .defaultValue(0.001).check(between(1e-7, 1.0), "must be in (0, 1]")
            .description("Adam's step size for the ranker's network.").build();

    public static final Option<Double> BIAS_LEARNING_RATE = Option.named("ranker.bias-learning-rate",
                    ValueTypes.NUMBER)
            .defaultValue(0.05).check(between(1e-7, 10.0), "must be in (0, 10]")
            .description("Adagrad's step size for the ranker's hashed user and item rating biases.").build();

    public static final Option<Double> BIAS_L2 = Option.named("ranker.bias-l2", ValueTypes.NUMBER)
            .defaultValue(0.0001).check(between(0.0, 0.999), "must be in [0, 1)")
            .description("L2 penalty on the rating biases.").build();

    public static final Option<Double> ACTION_BIAS_LEARNING_RATE = Option.named("ranker.action-bias-learning-rate",
                    ValueTypes.NUMBER)
            .defaultValue(0.05).check(between(0.0, 10.0), "must be in [0, 10]")
            .description("SGD step size of the ranker's hashed per-item action bias (0: none).").build();

    public static final Option<Integer> BUCKETS = Option.named("ranker.buckets", ValueTypes.INTEGER)
            .defaultValue(D.buckets()).check(between(1, 1 << 16), "must be in 1..65536")
            .description("Hash buckets of each rating-bias table (users, items).").build();

    public static List<Option<?>> all() {
        return List.of(ENABLED, TOPIC, SAMPLE, CANDIDATES, NEGATIVES, BATCH_ROWS, PUBLISH_INTERVAL, HIDDEN, HIDDEN2,
                LEARNING_RATE, BIAS_LEARNING_RATE, BIAS_L2, ACTION_BIAS_LEARNING_RATE, BUCKETS);
    }
}
