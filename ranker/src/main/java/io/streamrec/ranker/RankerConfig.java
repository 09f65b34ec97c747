package io.streamrec.ranker;

import java.util.ArrayList;
import java.util.List;

/**
 * The ranker's shape and learning settings (the {@code ranker.*} keys of the job's configuration).
 *
 * @param hidden1 units of the first hidden layer
 * @param hidden2 units of the second hidden layer
 * @param learningRate Adam's step size for the network
 * @param biasLearningRate Adagrad's step size for the hashed user and item rating biases
 * @param biasL2 L2 penalty on those biases
 * @param buckets size of each bias table (ids are hashed into it)
 * @param seed the weights' initialisation
 * @param actionBiasLearningRate plain SGD's step size for the hashed per-item action bias (added to the logit):
 *     constant, so that the bias follows items that are acted on more, or less, than retrieval expects, as that
 *     changes
 */
public record RankerConfig(int hidden1, int hidden2, float learningRate, float biasLearningRate, float biasL2,
                           int buckets, long seed, float actionBiasLearningRate) implements java.io.Serializable {
    public static final float DEFAULT_ACTION_BIAS_LEARNING_RATE = 0.05f;
    public static final RankerConfig DEFAULTS = new RankerConfig(64, 32, 1e-3f, 0.05f, 1e-4f, 1 << 15, 42L,
            DEFAULT_ACTION_BIAS_LEARNING_RATE);

    /** With the default action-bias step size. */
    public RankerConfig(int hidden1, int hidden2, float learningRate, float biasLearningRate, float biasL2,
                        int buckets, long seed) {
        this(hidden1, hidden2, learningRate, biasLearningRate, biasL2, buckets, seed,
                DEFAULT_ACTION_BIAS_LEARNING_RATE);
    }

    /** The largest published model a topic is set up for (its max.message.bytes and the producer's request size). */
    public static final long MAX_PUBLISHED_BYTES = 16L << 20;

    /** Weights of the network for rows of {@code width} features: two hidden layers, two outputs, the wide weight. */
    public int networkParameters(int width) {
        return width * hidden1 + hidden1 + hidden1 * hidden2 + hidden2 + hidden2 * 2 + 2 + 1;
    }

    /**
     * Size of a published model of this configuration for vectors of {@code vectorLength}: the network and three
     * bias tables (ratings per user and per item, actions per item). Plain arithmetic: no DJL class is loaded, so a
     * client that only builds the job graph needs no DJL on its classpath.
     */
    public long publishedBytes(int vectorLength) {
        int width = 3 * vectorLength + 1;
        return 128L + 4L * ((long) networkParameters(width) + 3L * buckets);
    }

    /** Problems, each naming its key; empty when valid. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (hidden1 < 1 || hidden1 > 256) {
            p.add("ranker.hidden must be in 1..256, was " + hidden1);
        }
        if (hidden2 < 1 || hidden2 > 256) {
            p.add("ranker.hidden2 must be in 1..256, was " + hidden2);
        }
        if (!(learningRate > 0f && learningRate <= 1f)) {
            p.add("ranker.learning-rate must be in (0, 1], was " + learningRate);
        }
        if (!(biasLearningRate > 0f && biasLearningRate <= 10f)) {
            p.add("ranker.bias-learning-rate must be in (0, 10], was " + biasLearningRate);
        }
        if (!(biasL2 >= 0f && biasL2 < 1f)) {
            p.add("ranker.bias-l2 must be in [0, 1), was " + biasL2);
        }
        if (!(actionBiasLearningRate >= 0f && actionBiasLearningRate <= 10f)) {
            p.add("ranker.action-bias-learning-rate must be in [0, 10], was " + actionBiasLearningRate);
        }
        if (buckets < 1 || buckets > (1 << 16)) {
            p.add("ranker.buckets must be in 1..65536, was " + buckets);
        }
        return p;
    }

    /** This, or an IllegalArgumentException listing every problem. */
    public RankerConfig validate() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", p));
        }
        return this;
    }
}
