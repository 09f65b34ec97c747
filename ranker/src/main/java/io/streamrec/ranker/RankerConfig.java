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
 */
public record RankerConfig(int hidden1, int hidden2, float learningRate, float biasLearningRate, float biasL2,
                           int buckets, long seed) implements java.io.Serializable {
    public static final RankerConfig DEFAULTS = new RankerConfig(64, 32, 1e-3f, 0.05f, 1e-4f, 1 << 15, 42L);

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
