package io.streamrec.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The ranking stage's model: a two-layer MLP over {@link RankerBatch}'s features with two outputs. The first is
 * the action logit, the ranking score: the network's output plus a wide term (a learned weight times the retrieval
 * score relative to the user's best; 1 at the start, with the output layer at 0, so a new ranker orders as
 * retrieval does) plus a hashed per-item action bias. It learns with a softmax over each list: the user's item
 * against negatives from the same user's retrieved candidates. The second predicts the rating, added to a running
 * mean rating and hashed per-user and per-item rating biases, and learns with squared error on rating events.
 *
 * <p>The parameters live in Java arrays, which makes checkpoints exact and the published model a plain byte array;
 * each call copies them into a DJL (PyTorch) sub-manager, runs the forward pass (and the backward pass, through
 * DJL's autograd, when learning) and frees every native array before it returns. The network steps with Adam, the
 * rating biases with Adagrad, the action biases with plain SGD (so they keep following changes), each on the rows a
 * batch touches. A model read from its published form scores only.
 *
 * <p>Not thread-safe for {@link #train}; {@link #score} on a model nobody trains may be called from many threads.
 */
public final class RankerModel {
    static final int MAGIC = 0x5352524b; // "SRRK"
    static final int FORMAT = 1;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final RankerConfig config;
    private final int vectorLength;
    private final int width;
    /**
     * W1 (width x h1), b1, W2 (h1 x h2), b2, W3 (h2 x 2), b3, flattened row-major, then the wide weight: the action
     * logit is the network's first output plus the wide weight times the retrieval score.
     */
    private final float[] theta;
    private final float[] userBias;
    private final float[] itemBias;
    /** Per item bucket, added to the action logit. */
    private final float[] itemAction;
    private double ratingMean;
    private long ratingCount;
    private long version;
    private long examples;
    // Learning state; null in a model read from its published form.
    private final float[] adamM;
    private final float[] adamV;
    private long step;
    private final float[] userAccum;
    private final float[] itemAccum;

    private RankerModel(RankerConfig config, int vectorLength, boolean trainable) {
        this.config = config.validate();
        this.vectorLength = vectorLength;
        this.width = RankerBatch.featureWidth(vectorLength);
        this.theta = new float[paramCount(config, width)];
        this.userBias = new float[config.buckets()];
        this.itemBias = new float[config.buckets()];
        this.itemAction = new float[config.buckets()];
        this.adamM = trainable ? new float[theta.length] : null;
        this.adamV = trainable ? new float[theta.length] : null;
        this.userAccum = trainable ? new float[config.buckets()] : null;
        this.itemAccum = trainable ? new float[config.buckets()] : null;
    }

    /** A new model for query and item vectors of {@code vectorLength}, weights drawn from {@code config.seed}. */
    public static RankerModel create(RankerConfig config, int vectorLength) {
        if (vectorLength < 1) {
            throw new IllegalArgumentException("vectorLength must be >= 1, was " + vectorLength);
        }
        RankerModel m = new RankerModel(config, vectorLength, true);
        SplittableRandom rnd = new SplittableRandom(config.seed());
        int h1 = config.hidden1();
        int h2 = config.hidden2();
        m.initLayer(rnd, 0, m.width, h1);
        m.initLayer(rnd, m.width * h1 + h1, h1, h2);
        // The output layer starts at 0 and the wide weight at 1: a new ranker orders candidates as retrieval does, and
        // learns from there, instead of starting from a random order.
        m.theta[m.theta.length - 1] = 1f;
        return m;
    }

    /** He-normal weights for a layer of {@code in x out} at {@code offset}; its biases stay 0. */
    private void initLayer(SplittableRandom rnd, int offset, int in, int out) {
        double sd = Math.sqrt(2.0 / in);
        for (int i = 0; i < in * out; i++) {
            theta[offset + i] = (float) (gaussian(rnd) * sd);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }

    /** The longest query and item vectors a model is read for (the trainer's model.dim is at most 4096). */
    static final int MAX_VECTOR_LENGTH = 4097;

    /** See {@link RankerConfig#MAX_PUBLISHED_BYTES}. */
    public static final long MAX_PUBLISHED_BYTES = RankerConfig.MAX_PUBLISHED_BYTES;

    static int paramCount(RankerConfig c, int width) {
        return c.networkParameters(width);
    }

    public RankerConfig config() {
        return config;
    }

    public int vectorLength() {
        return vectorLength;
    }

    /** Incremented by every {@link #train} call that had something to learn (a list with a positive, a rating). */
    public long version() {
        return version;
    }

    /** Rows learned from so far. */
    public long examples() {
        return examples;
    }

    public boolean trainable() {
        return adamM != null;
    }

    /** The model's outputs for each row of a batch. */
    public record Scores(float[] logits, float[] ratings) {}

    /** Scores every row of {@code batch}: the action logit (the ranking score) and the predicted rating. */
    public Scores score(RankerBatch batch) {
        checkBatch(batch);
        int n = batch.size();
        float[] logits = new float[n];
        float[] ratings = new float[n];
        if (n == 0) {
            return new Scores(logits, ratings);
        }
        batch.prepare(config.buckets());
        try (NDManager m = RankerEngine.manager().newSubManager()) {
            NDArray[] p = params(m, false);
            NDArray[] out = forward(m, batch, p);
            float[] l = out[0].toFloatArray();
            float[] r = out[1].toFloatArray();
            for (int i = 0; i < n; i++) {
                logits[i] = l[i] + itemAction[batch.itemBuckets[i]];
                ratings[i] = r[i] + ratingOffset(batch, i);
            }
        }
        return new Scores(logits, ratings);
    }

    /** The constant part of a row's predicted rating: the mean plus the user's and the item's bias. */
    private float ratingOffset(RankerBatch b, int i) {
        return (float) ratingMean + userBias[b.userBuckets[i]] + itemBias[b.itemBuckets[i]];
    }

    /**
     * One step on a mini-batch: Adam on the network, Adagrad on the touched rating-bias rows, SGD on the touched
     * action-bias rows. Returns the batch's loss before the step: the softmax loss of each list's positive against
     * the list's other rows (lists with a positive and at least one other row that has an action weight), plus the
     * squared rating error, each a weighted mean.
     */
    public float train(RankerBatch batch) {
        if (!trainable()) {
            throw new IllegalStateException("a published ranker scores only; it has no optimizer state");
        }
        checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            return 0f;
        }
        batch.prepare(config.buckets());
        double ratingWeight = 0;
        for (int i = 0; i < n; i++) {
            if (batch.ratingWeights[i] > 0f) {
                ratingCount++;
                ratingMean += (batch.ratings[i] - ratingMean) / ratingCount;
                ratingWeight += batch.ratingWeights[i];
            }
        }
        float[] offsets = new float[n];
        float[] actions = new float[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = ratingOffset(batch, i);
            actions[i] = itemAction[batch.itemBuckets[i]];
        }
        Lists lists = Lists.of(batch);
        if (lists.count == 0 && ratingWeight == 0) {
            return 0f; // nothing to learn: no list with a positive and another row, no rating
        }
        float[] grad = new float[theta.length];
        float[] ratingOut;
        float[] logitOut;
        float lossValue;
        try (NDManager m = RankerEngine.manager().newSubManager()) {
            NDArray[] p = params(m, true);
            NDArray r = m.create(Arrays.copyOf(batch.ratings, n));
            NDArray wRate = m.create(Arrays.copyOf(batch.ratingWeights, n));
            NDArray c = m.create(offsets);
            NDArray a = m.create(actions);
            try (GradientCollector gc = RankerEngine.engine().newGradientCollector()) {
                NDArray[] out = forward(m, batch, p);
                NDArray logit = out[0].add(a);
                NDArray rate = out[1];
                NDArray loss = m.create(0f);
                if (lists.count > 0) {
                    // A softmax over each list's rows: the positives' weighted log-likelihood.
                    Shape shape = new Shape(lists.count, lists.width);
                    NDArray gathered = logit.take(m, m.create(lists.index, shape))
                            .add(m.create(lists.mask, shape));
                    loss = gathered.logSoftmax(1).mul(m.create(lists.target, shape)).sum().neg()
                            .div((float) lists.weight);
                }
                if (ratingWeight > 0) {
                    NDArray diff = rate.add(c).sub(r);
                    loss = loss.add(diff.mul(diff).mul(wRate).sum().div((float) ratingWeight));
                }
                gc.backward(loss);
                lossValue = loss.getFloat();
                ratingOut = rate.toFloatArray();
                logitOut = logit.toFloatArray();
                int at = 0;
                for (NDArray param : p) {
                    float[] g = param.getGradient().toFloatArray();
                    System.arraycopy(g, 0, grad, at, g.length);
                    at += g.length;
                }
            }
        }
        adam(grad);
        // The biases' gradient: d(loss)/d(prediction) of each rating row, summed per bucket.
        float scale = (float) (2.0 / Math.max(ratingWeight, 1e-6));
        for (int i = 0; i < n; i++) {
            if (batch.ratingWeights[i] > 0f) {
                float g = scale * batch.ratingWeights[i] * (ratingOut[i] + offsets[i] - batch.ratings[i]);
                adagrad(userBias, userAccum, batch.userBuckets[i], g);
                adagrad(itemBias, itemAccum, batch.itemBuckets[i], g);
            }
        }
        // The action bias: plain SGD on each row's softmax gradient within its list (not averaged over the batch):
        // up for the item acted on, down for the others in proportion to how likely the list made them.
        float actionRate = config.actionBiasLearningRate();
        if (actionRate > 0f) {
            for (int l = 0; l < lists.count; l++) {
                int base = l * lists.width;
                double max = Double.NEGATIVE_INFINITY;
                double positives = 0;
                for (int j = 0; j < lists.width; j++) {
                    if (lists.mask[base + j] == 0f) {
                        max = Math.max(max, logitOut[(int) lists.index[base + j]]);
                        positives += lists.target[base + j];
                    }
                }
                double z = 0;
                for (int j = 0; j < lists.width; j++) {
                    if (lists.mask[base + j] == 0f) {
                        z += Math.exp(logitOut[(int) lists.index[base + j]] - max);
                    }
                }
                for (int j = 0; j < lists.width; j++) {
                    if (lists.mask[base + j] == 0f) {
                        int row = (int) lists.index[base + j];
                        double prob = Math.exp(logitOut[row] - max) / z;
                        double g = positives * prob - lists.target[base + j];
                        itemAction[batch.itemBuckets[row]] -= actionRate * (float) g;
                    }
                }
            }
        }
        examples += n;
        version++;
        return lossValue;
    }

    /**
     * The batch's lists that have a positive, as a padded matrix: row indices, a mask (0, or a large negative for
     * padding) and the positives' weights, each {@code count x width}; {@code weight} their sum.
     */
    private static final class Lists {
        int count;
        int width;
        long[] index;
        float[] mask;
        float[] target;
        double weight;

        static Lists of(RankerBatch b) {
            Lists l = new Lists();
            int[] start = new int[b.lists + 1];
            System.arraycopy(b.listStart, 0, start, 0, b.lists);
            start[b.lists] = b.size;
            boolean[] used = new boolean[b.lists];
            for (int k = 0; k < b.lists; k++) {
                int members = 0;
                boolean positive = false;
                for (int i = start[k]; i < start[k + 1]; i++) {
                    if (b.implicitWeights[i] > 0f) {
                        members++;
                        positive |= b.labels[i] > 0f;
                    }
                }
                if (positive && members > 1) {
                    used[k] = true;
                    l.count++;
                    l.width = Math.max(l.width, members);
                }
            }
            l.index = new long[l.count * l.width];
            l.mask = new float[l.count * l.width];
            l.target = new float[l.count * l.width];
            int row = 0;
            for (int k = 0; k < b.lists; k++) {
                if (!used[k]) {
                    continue;
                }
                int j = 0;
                for (int i = start[k]; i < start[k + 1]; i++) {
                    if (b.implicitWeights[i] > 0f) {
                        int at = row * l.width + j++;
                        l.index[at] = i;
                        if (b.labels[i] > 0f) {
                            l.target[at] = b.implicitWeights[i];
                            l.weight += b.implicitWeights[i];
                        }
                    }
                }
                for (; j < l.width; j++) {
                    l.index[row * l.width + j] = start[k];
                    l.mask[row * l.width + j] = -1e9f;
                }
                row++;
            }
            return l;
        }
    }

    private void adam(float[] grad) {
        step++;
        float lr = config.learningRate();
        double c1 = 1.0 - Math.pow(BETA1, step);
        double c2 = 1.0 - Math.pow(BETA2, step);
        float stepSize = (float) (lr * Math.sqrt(c2) / c1);
        for (int i = 0; i < theta.length; i++) {
            float g = grad[i];
            adamM[i] = BETA1 * adamM[i] + (1f - BETA1) * g;
            adamV[i] = BETA2 * adamV[i] + (1f - BETA2) * g * g;
            theta[i] -= stepSize * adamM[i] / ((float) Math.sqrt(adamV[i]) + EPS);
        }
    }

    private void adagrad(float[] bias, float[] accum, int j, float g) {
        g += config.biasL2() * bias[j];
        accum[j] += g * g;
        bias[j] -= config.biasLearningRate() * g / ((float) Math.sqrt(accum[j]) + 1e-8f);
    }

    private void checkBatch(RankerBatch batch) {
        if (batch.vectorLength() != vectorLength) {
            throw new IllegalArgumentException("the ranker takes vectors of length " + vectorLength
                    + ", the batch has " + batch.vectorLength());
        }
    }

    /** The network's parameters as arrays of {@code m}: W1, b1, W2, b2, W3, b3, the wide weight. */
    private NDArray[] params(NDManager m, boolean gradients) {
        int h1 = config.hidden1();
        int h2 = config.hidden2();
        int[][] shapes = {{width, h1}, {h1}, {h1, h2}, {h2}, {h2, 2}, {2}, {1}};
        NDArray[] p = new NDArray[shapes.length];
        int at = 0;
        for (int k = 0; k < shapes.length; k++) {
            int len = 1;
            long[] dims = new long[shapes[k].length];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = shapes[k][d];
                len *= shapes[k][d];
            }
            p[k] = m.create(Arrays.copyOfRange(theta, at, at + len), new Shape(dims));
            if (gradients) {
                p[k].setRequiresGradient(true);
            }
            at += len;
        }
        return p;
    }

    /** The action logits and the network's rating outputs (before the mean and biases) of a batch's rows. */
    private NDArray[] forward(NDManager m, RankerBatch b, NDArray[] p) {
        int n = b.size();
        NDArray x = m.create(Arrays.copyOf(b.features, n * width), new Shape(n, width));
        NDArray h = Activation.relu(x.matMul(p[0]).add(p[1]));
        h = Activation.relu(h.matMul(p[2]).add(p[3]));
        NDArray out = h.matMul(p[4]).add(p[5]);
        NDArray score = x.get(":, " + (width - 1));
        return new NDArray[] {out.get(":, 0").add(score.mul(p[6])), out.get(":, 1")};
    }

    // ---- bytes ----

    /** Everything, optimizer state included: what a checkpoint holds; {@link #fromBytes} continues exactly. */
    public byte[] toBytes() {
        return write(true);
    }

    /** The parameters only, for scoring: what the job publishes to {@code ranker-model}. */
    public byte[] toPublishedBytes() {
        return write(false);
    }

    private byte[] write(boolean withOptimizer) {
        boolean opt = withOptimizer && trainable();
        int floats = theta.length + 3 * userBias.length + (opt ? 2 * theta.length + 2 * userAccum.length : 0);
        ByteBuffer b = ByteBuffer.allocate(128 + 4 * floats);
        b.putInt(MAGIC).putInt(FORMAT).putInt(opt ? 1 : 0).putInt(vectorLength);
        b.putInt(config.hidden1()).putInt(config.hidden2()).putFloat(config.learningRate())
                .putFloat(config.biasLearningRate()).putFloat(config.biasL2()).putInt(config.buckets())
                .putLong(config.seed()).putFloat(config.actionBiasLearningRate());
        b.putLong(version).putLong(examples).putDouble(ratingMean).putLong(ratingCount);
        put(b, theta);
        put(b, userBias);
        put(b, itemBias);
        put(b, itemAction);
        if (opt) {
            b.putLong(step);
            put(b, adamM);
            put(b, adamV);
            put(b, userAccum);
            put(b, itemAccum);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Reads {@link #toBytes} (a model that learns on) or {@link #toPublishedBytes} (one that scores only). */
    public static RankerModel fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < 16 || b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a streamrec ranker model");
        }
        int format = b.getInt();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown ranker model format " + format + " (this build reads "
                    + FORMAT + ")");
        }
        boolean opt = b.getInt() == 1;
        int vectorLength = b.getInt();
        RankerConfig config = new RankerConfig(b.getInt(), b.getInt(), b.getFloat(), b.getFloat(), b.getFloat(),
                b.getInt(), b.getLong(), b.getFloat());
        if (vectorLength < 1 || vectorLength > MAX_VECTOR_LENGTH) {
            throw new IllegalArgumentException("a ranker model for vectors of length " + vectorLength
                    + " (at most " + MAX_VECTOR_LENGTH + ")");
        }
        config.validate(); // bounded sizes before anything is allocated
        long floats = (long) config.networkParameters(RankerBatch.featureWidth(vectorLength)) * (opt ? 3 : 1)
                + (long) config.buckets() * (opt ? 5 : 3);
        long expected = b.position() + 8L * 4 + 4L * floats + (opt ? 8 : 0);
        if (bytes.length != expected) {
            throw new IllegalArgumentException("a ranker model of " + bytes.length + " bytes where its header says "
                    + expected);
        }
        RankerModel m = new RankerModel(config, vectorLength, opt);
        m.version = b.getLong();
        m.examples = b.getLong();
        m.ratingMean = b.getDouble();
        m.ratingCount = b.getLong();
        get(b, m.theta);
        get(b, m.userBias);
        get(b, m.itemBias);
        get(b, m.itemAction);
        if (opt) {
            m.step = b.getLong();
            get(b, m.adamM);
            get(b, m.adamV);
            get(b, m.userAccum);
            get(b, m.itemAccum);
        }
        return m;
    }

    private static void put(ByteBuffer b, float[] a) {
        b.asFloatBuffer().put(a);
        b.position(b.position() + 4 * a.length);
    }

    private static void get(ByteBuffer b, float[] a) {
        b.asFloatBuffer().get(a);
        b.position(b.position() + 4 * a.length);
    }
}
