package io.streamrec.ranker;

import java.util.Arrays;

/**
 * Rows for the ranker to score or learn from, in lists: a list is one user's candidates at one moment (one request
 * to serving; one example in the job: the event's item and its negatives). Per row a user, a candidate item, the
 * query vector, the candidate's item vector (as served: the popularity prior in its bias coordinate) and the
 * retrieval score; for learning also the labels: whether the user acted on the item (1 for the list's positive,
 * 0 for its negatives; a softmax over the list, with a weight; 0 for no such term) and a rating (squared error; only
 * rows with {@code ratingWeight > 0}).
 *
 * <p>Features are {@code [q, v, q*v, score - top]} ({@link #featureWidth}), where {@code top} is the best retrieval
 * score of the list's user at that moment ({@link #beginList(float)}; without one, the best score among the list's
 * rows): retrieval scores have no fixed level (a softmax's logits), their distance from the user's best one does.
 * Grows as rows are added; not thread-safe.
 */
public final class RankerBatch {
    final int vectorLength;
    final int width;
    int size;
    float[] features;
    int[] userBuckets;
    int[] itemBuckets;
    float[] labels;
    float[] implicitWeights;
    float[] ratings;
    float[] ratingWeights;
    /** Raw retrieval scores, and per row its list. */
    float[] scores;
    int[] listOf;
    /** Per list: its first row and its top score (NaN: the best among its rows). */
    int[] listStart = new int[4];
    float[] listTop = new float[4];
    int lists;

    public RankerBatch(int vectorLength, int expectedRows) {
        if (vectorLength < 1) {
            throw new IllegalArgumentException("vectorLength must be >= 1, was " + vectorLength);
        }
        this.vectorLength = vectorLength;
        this.width = featureWidth(vectorLength);
        int n = Math.max(1, expectedRows);
        features = new float[n * width];
        userBuckets = new int[n];
        itemBuckets = new int[n];
        labels = new float[n];
        implicitWeights = new float[n];
        ratings = new float[n];
        ratingWeights = new float[n];
        scores = new float[n];
        listOf = new int[n];
    }

    /** Starts a new list whose top score is the best among its rows. */
    public void beginList() {
        beginList(Float.NaN);
    }

    /**
     * Starts a new list: the rows added next are one user's candidates at one moment, and {@code topScore} is the
     * best retrieval score that user had then (the first candidate's, when they are in retrieval order).
     */
    public void beginList(float topScore) {
        if (lists > 0 && listStart[lists - 1] == size) {
            listTop[lists - 1] = topScore; // an empty list: replaced
            return;
        }
        if (lists == listStart.length) {
            listStart = Arrays.copyOf(listStart, lists * 2);
            listTop = Arrays.copyOf(listTop, lists * 2);
        }
        listStart[lists] = size;
        listTop[lists] = topScore;
        lists++;
    }

    /** Inputs per row for vectors of this length: the query, the item, their product and the score. */
    public static int featureWidth(int vectorLength) {
        return 3 * vectorLength + 1;
    }

    /** Adds a row to score (no labels); returns its index. */
    public int add(String userId, float[] query, String itemId, float[] item, float score) {
        return add(userId, query, itemId, item, score, 0f, 0f, 0f, 0f);
    }

    /**
     * Adds a row; returns its index.
     *
     * @param happened 1 when the user interacted with the item, 0 for a negative
     * @param implicitWeight weight of the logistic term (0: none)
     * @param rating the rating's value (ignored when {@code ratingWeight} is 0)
     * @param ratingWeight weight of the squared-error term (0: none)
     */
    public int add(String userId, float[] query, String itemId, float[] item, float score, float happened,
                   float implicitWeight, float rating, float ratingWeight) {
        if (query.length != vectorLength || item.length != vectorLength) {
            throw new IllegalArgumentException("vectors must have length " + vectorLength + ", were "
                    + query.length + " and " + item.length);
        }
        ensure(size + 1);
        int base = size * width;
        int len = vectorLength;
        System.arraycopy(query, 0, features, base, len);
        System.arraycopy(item, 0, features, base + len, len);
        for (int d = 0; d < len; d++) {
            features[base + 2 * len + d] = query[d] * item[d];
        }
        features[base + 3 * len] = score; // made relative to the list's top by prepare()
        if (lists == 0) {
            beginList(Float.NaN);
        }
        scores[size] = score;
        listOf[size] = lists - 1;
        userBuckets[size] = -1;
        itemBuckets[size] = -1;
        userIds = grow(userIds, size + 1);
        itemIds = grow(itemIds, size + 1);
        userIds[size] = userId;
        itemIds[size] = itemId;
        labels[size] = happened;
        implicitWeights[size] = implicitWeight;
        ratings[size] = rating;
        ratingWeights[size] = ratingWeight;
        return size++;
    }

    private String[] userIds = new String[0];
    private String[] itemIds = new String[0];

    private static String[] grow(String[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2 + 8));
    }

    /**
     * Makes the rows ready for the model: ids hashed into {@code buckets}, scores relative to their list's top.
     * Idempotent.
     */
    void prepare(int buckets) {
        float[] top = Arrays.copyOf(listTop, lists);
        for (int i = 0; i < size; i++) {
            int l = listOf[i];
            if (Float.isNaN(listTop[l])) {
                top[l] = Float.isNaN(top[l]) ? scores[i] : Math.max(top[l], scores[i]);
            }
        }
        for (int i = 0; i < size; i++) {
            features[i * width + width - 1] = scores[i] - top[listOf[i]];
        }
        for (int i = 0; i < size; i++) {
            userBuckets[i] = bucketOf(userIds[i], buckets, USER_SALT);
            itemBuckets[i] = bucketOf(itemIds[i], buckets, ITEM_SALT);
        }
    }

    public int size() {
        return size;
    }

    public int vectorLength() {
        return vectorLength;
    }

    /** Empties the batch, keeping its arrays. */
    public void clear() {
        size = 0;
        lists = 0;
        Arrays.fill(userIds, null);
        Arrays.fill(itemIds, null);
    }

    private void ensure(int n) {
        if (userBuckets.length >= n) {
            return;
        }
        int cap = Math.max(n, userBuckets.length * 2);
        features = Arrays.copyOf(features, cap * width);
        userBuckets = Arrays.copyOf(userBuckets, cap);
        itemBuckets = Arrays.copyOf(itemBuckets, cap);
        labels = Arrays.copyOf(labels, cap);
        implicitWeights = Arrays.copyOf(implicitWeights, cap);
        ratings = Arrays.copyOf(ratings, cap);
        ratingWeights = Arrays.copyOf(ratingWeights, cap);
        scores = Arrays.copyOf(scores, cap);
        listOf = Arrays.copyOf(listOf, cap);
    }

    static final long USER_SALT = 0x7573657262696173L;
    static final long ITEM_SALT = 0x6974656d62696173L;

    /** A stable bucket of an id: 64-bit FNV-1a over its UTF-16 units, salted and finalised (SplitMix64). */
    static int bucketOf(String id, int buckets, long salt) {
        long h = 0xcbf29ce484222325L ^ salt;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (int) Long.remainderUnsigned(h, buckets);
    }
}
