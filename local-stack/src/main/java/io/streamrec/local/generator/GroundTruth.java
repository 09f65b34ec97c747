package io.streamrec.local.generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The hidden world behind a {@link ClickstreamGenerator}: every user's taste (a mixture over topics), every item's
 * topic and popularity. In: a user (and item); out: how likely that user is to click that item, which items a
 * perfect model would recommend, and which users are good witnesses that recommendations are personal.
 *
 * <p>The model: a click is, with probability {@code exploration}, on a random topic; otherwise on a topic drawn
 * from the user's taste (sessions stick to one such topic, which changes the order of clicks but not their
 * marginal distribution). Inside a topic, the item is drawn by Zipf popularity. So the probability that a given
 * click of user u is item i is exactly {@code popularityInTopic(i) * ((1 - exploration) * taste(u)[topic(i)]
 * + exploration / topics)}, which is {@link #trueAffinity(int, int)}; it sums to 1 over the items.
 *
 * <p>Immutable and thread-safe: the demo may query it while another thread drains the generator.
 */
public final class GroundTruth {
    static final String USER_PREFIX = "u-";
    static final String ITEM_PREFIX = "i-";

    private final int topics;
    private final double exploration;
    private final double[][] taste;
    private final double[] activity;
    private final double[] activityCdf;
    private final int[] itemTopic;
    private final double[] popularityInTopic;
    private final int[][] topicItems;
    private final double[][] topicCdf;
    private final double[] price;
    private final double[] topicShare;

    GroundTruth(GeneratorConfig c, SplittableRandom rng) {
        this.topics = c.topics;
        this.exploration = c.exploration;

        // Items: a seeded shuffle, then position p gets topic p % C and rank p / C, so topics are equally large
        // and the popular ids are spread over the id range instead of being i-0, i-1, ...
        int[] order = IntStream.range(0, c.items).toArray();
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        this.itemTopic = new int[c.items];
        this.popularityInTopic = new double[c.items];
        this.topicItems = new int[topics][];
        this.topicCdf = new double[topics][];
        for (int t = 0; t < topics; t++) {
            int size = (c.items - t + topics - 1) / topics;
            topicItems[t] = new int[size];
            topicCdf[t] = new double[size];
        }
        for (int p = 0; p < c.items; p++) {
            int item = order[p];
            int t = p % topics;
            int rank = p / topics;
            itemTopic[item] = t;
            topicItems[t][rank] = item;
        }
        for (int t = 0; t < topics; t++) {
            int[] members = topicItems[t];
            double sum = 0;
            for (int r = 0; r < members.length; r++) {
                sum += Math.pow(r + 1, -c.zipfExponent);
            }
            double cum = 0;
            for (int r = 0; r < members.length; r++) {
                double p = Math.pow(r + 1, -c.zipfExponent) / sum;
                popularityInTopic[members[r]] = p;
                cum += p;
                topicCdf[t][r] = cum;
            }
            topicCdf[t][members.length - 1] = 1.0; // guard against rounding leaving the last bucket unreachable
        }

        this.price = new double[c.items];
        for (int i = 0; i < c.items; i++) {
            price[i] = Math.round(Math.exp(Math.log(30) + 0.8 * rng.nextGaussian()) * 100) / 100.0;
        }

        // Users: Dirichlet tastes (normalized Gamma draws) and log-normal activity.
        this.taste = new double[c.users][topics];
        this.activity = new double[c.users];
        this.activityCdf = new double[c.users];
        double activitySum = 0;
        for (int u = 0; u < c.users; u++) {
            double sum = 0;
            for (int t = 0; t < topics; t++) {
                taste[u][t] = gamma(rng, c.tasteConcentration);
                sum += taste[u][t];
            }
            if (!(sum > 0)) { // every draw underflowed (tiny concentration): a single-topic user
                taste[u][rng.nextInt(topics)] = 1;
                sum = 1;
            }
            for (int t = 0; t < topics; t++) {
                taste[u][t] /= sum;
            }
            activity[u] = Math.exp(c.activitySpread * rng.nextGaussian());
            activitySum += activity[u];
        }
        double cum = 0;
        for (int u = 0; u < c.users; u++) {
            activity[u] /= activitySum;
            cum += activity[u];
            activityCdf[u] = cum;
        }
        activityCdf[c.users - 1] = 1.0;

        this.topicShare = new double[topics];
        for (int u = 0; u < c.users; u++) {
            for (int t = 0; t < topics; t++) {
                topicShare[t] += activity[u] * taste[u][t];
            }
        }
    }

    /** Marsaglia-Tsang; for shape below 1 boosted by U^(1/shape). */
    private static double gamma(SplittableRandom rng, double shape) {
        if (shape < 1) {
            return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    // ---- sampling, used by the generator (package-private) ----

    int sampleUser(SplittableRandom rng) {
        return search(activityCdf, rng.nextDouble());
    }

    int sampleTopicOf(int user, SplittableRandom rng) {
        double x = rng.nextDouble();
        double cum = 0;
        double[] w = taste[user];
        for (int t = 0; t < topics - 1; t++) {
            cum += w[t];
            if (x < cum) {
                return t;
            }
        }
        return topics - 1;
    }

    int sampleItemIn(int topic, SplittableRandom rng) {
        return topicItems[topic][search(topicCdf[topic], rng.nextDouble())];
    }

    double price(int item) {
        return price[item];
    }

    double exploration() {
        return exploration;
    }

    private static int search(double[] cdf, double x) {
        int i = Arrays.binarySearch(cdf, x);
        int idx = i >= 0 ? i + 1 : -i - 1;
        return Math.min(idx, cdf.length - 1);
    }

    // ---- public ground truth ----

    public int users() {
        return taste.length;
    }

    public int items() {
        return itemTopic.length;
    }

    public int topics() {
        return topics;
    }

    public static String userId(int user) {
        return USER_PREFIX + user;
    }

    public static String itemId(int item) {
        return ITEM_PREFIX + item;
    }

    /** The index behind a user id such as {@code u-17}; -1 when it is not one of this world's users. */
    public int userIndex(String userId) {
        return index(userId, USER_PREFIX, users());
    }

    /** The index behind an item id such as {@code i-123}; -1 when it is not one of this world's items. */
    public int itemIndex(String itemId) {
        return index(itemId, ITEM_PREFIX, items());
    }

    private static int index(String id, String prefix, int size) {
        if (id == null || !id.startsWith(prefix)) {
            return -1;
        }
        try {
            int i = Integer.parseInt(id.substring(prefix.length()));
            return i >= 0 && i < size ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The probability that a click of {@code user} is on {@code item} (see the class comment); sums to 1 over items. */
    public double trueAffinity(int user, int item) {
        return popularityInTopic[item] * ((1 - exploration) * taste[user][itemTopic[item]] + exploration / topics);
    }

    /** {@link #trueAffinity(int, int)} by ids; throws for ids this world does not have. */
    public double trueAffinity(String userId, String itemId) {
        return trueAffinity(requireUser(userId), requireItem(itemId));
    }

    /** The share of all clicks that go to {@code item}, over all users weighted by activity: the popularity oracle. */
    public double expectedPopularity(int item) {
        return popularityInTopic[item] * ((1 - exploration) * topicShare[itemTopic[item]] + exploration / topics);
    }

    /** The k items with the highest {@link #trueAffinity}, best first, as item ids. */
    public List<String> trueTopItems(String userId, int k) {
        return trueTopItems(userId, k, Set.of());
    }

    /** As {@link #trueTopItems(String, int)}, leaving out {@code exclude} (e.g. items the user has seen). */
    public List<String> trueTopItems(String userId, int k, Collection<String> exclude) {
        int u = requireUser(userId);
        return top(k, exclude, i -> trueAffinity(u, i));
    }

    /** The k items with the highest {@link #expectedPopularity}: what a perfect non-personal model recommends. */
    public List<String> popularItems(int k) {
        return top(k, Set.of(), this::expectedPopularity);
    }

    private List<String> top(int k, Collection<String> exclude, java.util.function.IntToDoubleFunction score) {
        Set<String> excluded = exclude instanceof Set ? (Set<String>) exclude : new HashSet<>(exclude);
        // A bounded min-heap: k log k per item instead of sorting every item for every query.
        PriorityQueue<double[]> heap = new PriorityQueue<>(Math.max(1, k),
                Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> -e[1]));
        for (int i = 0; i < items() && k > 0; i++) {
            if (!excluded.isEmpty() && excluded.contains(itemId(i))) {
                continue;
            }
            double s = score.applyAsDouble(i);
            if (heap.size() < k) {
                heap.add(new double[] {s, i});
            } else if (s > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {s, i});
            }
        }
        List<String> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            out.add(itemId((int) heap.poll()[1]));
        }
        Collections.reverse(out);
        return out;
    }

    /** A copy of the user's taste: a probability for each topic. */
    public double[] taste(String userId) {
        return taste[requireUser(userId)].clone();
    }

    /** The topic the user likes most. */
    public int dominantTopic(String userId) {
        return argmax(taste[requireUser(userId)]);
    }

    public int itemTopic(String itemId) {
        return itemTopic[requireItem(itemId)];
    }

    /** The user's share of all sessions (activity); sums to 1 over users. */
    public double activity(String userId) {
        return activity[requireUser(userId)];
    }

    /**
     * Up to {@code n} users with different dominant topics, each as single-minded and as active as this world
     * allows (among users whose dominant topic weighs at least 0.6, the most active; else the most single-minded).
     * Their true top items barely overlap, so a personal model must recommend them different things: witnesses for
     * a "recommendations are personal" check. Fewer than {@code n} when there are fewer topics or users.
     */
    public List<String> usersWithDistinctTastes(int n) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < topics && out.size() < n; t++) {
            int best = -1;
            boolean bestFocused = false;
            for (int u = 0; u < users(); u++) {
                if (argmax(taste[u]) != t) {
                    continue;
                }
                boolean focused = taste[u][t] >= 0.6;
                if (best < 0 || (focused && !bestFocused)
                        || (focused == bestFocused && (focused ? activity[u] > activity[best]
                                                               : taste[u][t] > taste[best][t]))) {
                    best = u;
                    bestFocused = focused;
                }
            }
            if (best >= 0) {
                out.add(userId(best));
            }
        }
        return out;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private int requireUser(String userId) {
        int u = userIndex(userId);
        if (u < 0) {
            throw new IllegalArgumentException("no such user in this world: '" + userId + "' (u-0 .. u-"
                    + (users() - 1) + ")");
        }
        return u;
    }

    private int requireItem(String itemId) {
        int i = itemIndex(itemId);
        if (i < 0) {
            throw new IllegalArgumentException("no such item in this world: '" + itemId + "' (i-0 .. i-"
                    + (items() - 1) + ")");
        }
        return i;
    }
}
