package io.streamrec.local.generator;

import io.streamrec.schema.catalog.CatalogRecord;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * The hidden world behind a {@link ClickstreamGenerator}: every user's taste (a mixture over topics), every item's
 * topic, popularity and catalog record. In: a user (and item); out: how likely that user is to click that item,
 * which items a perfect model would recommend, which users an item's content suits, and which users are good
 * witnesses that recommendations are personal.
 *
 * <p>The model: a click is, with probability {@code exploration}, on a random topic; otherwise on a topic drawn
 * from the user's taste (sessions stick to one such topic, which changes the order of clicks but not their
 * marginal distribution). Inside a topic, the item is drawn by Zipf popularity among the topic's items that take
 * events. So the probability that a given click of user u is item i is exactly {@code popularityInTopic(i) *
 * ((1 - exploration) * taste(u)[topic(i)] + exploration / topics)}, which is {@link #trueAffinity(int, int)}; it
 * sums to 1 over the items.
 *
 * <p>The catalog ({@link #catalog()}): every item has a record whose attributes follow its topic (see
 * {@link SyntheticCatalog}): its {@code category} names its topic for about 85% of items, its brand is mostly one of
 * the topic's own, its title mostly words of the topic, its price log-normal around the topic's median (the price is
 * also the value of its cart and purchase events). {@link #tasteMatch} and {@link #usersMatching} say which users an
 * item suits.
 *
 * <p>The world can change while the generator runs: {@link #launches() launched} items join it (in the catalog at
 * once, {@link ItemStatus#LAUNCHED}; taking events from a later time, {@link ItemStatus#ACTIVE}) and
 * {@link #retirements() retired} ones leave it ({@link ItemStatus#RETIRED}: {@code "available": false}, no more
 * events). Each change replaces an immutable snapshot, so every query sees one consistent world.
 *
 * <p>Thread-safe: the demo may query it while another thread drains the generator, which alone changes it.
 */
public final class GroundTruth {
    static final String USER_PREFIX = "u-";
    static final String ITEM_PREFIX = "i-";

    /** Where an item is in its life. */
    public enum ItemStatus {
        /** In the catalog and taking events. */
        ACTIVE,
        /** Launched: in the catalog, no events yet. */
        LAUNCHED,
        /** Retired: {@code "available": false}, no more events. */
        RETIRED
    }

    /**
     * A new item: its catalog record was published at {@code launchedAt} (event time, epoch ms); events on it start
     * at {@code eventsFrom}.
     */
    public record Launch(String itemId, int topic, long launchedAt, long eventsFrom, CatalogRecord record) {}

    /** A retired item: {@code record} (with {@code "available": false}) was published at {@code retiredAt}. */
    public record Retirement(String itemId, long retiredAt, CatalogRecord record) {}

    private final int topics;
    private final double exploration;
    private final double zipfExponent;
    private final double[][] taste;
    private final double[] activity;
    private final double[] activityCdf;
    private final double[] topicShare;
    private final SyntheticCatalog catalog;
    /** Draws of launches and retirements: independent of how events are drawn. Guarded by {@code this}. */
    private final SplittableRandom changes;
    private final List<Launch> launches = new CopyOnWriteArrayList<>();
    private final List<Retirement> retirements = new CopyOnWriteArrayList<>();
    private volatile World world;

    GroundTruth(GeneratorConfig c, SplittableRandom rng) {
        this.topics = c.topics;
        this.exploration = c.exploration;
        this.zipfExponent = c.zipfExponent;

        // Items: a seeded shuffle, then position p gets topic p % C and rank p / C, so topics are equally large
        // and the popular ids are spread over the id range instead of being i-0, i-1, ...
        int[] order = IntStream.range(0, c.items).toArray();
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] itemTopic = new int[c.items];
        double[] weight = new double[c.items];
        int[][] members = new int[topics][];
        for (int t = 0; t < topics; t++) {
            members[t] = new int[(c.items - t + topics - 1) / topics];
        }
        for (int p = 0; p < c.items; p++) {
            int item = order[p];
            int t = p % topics;
            int rank = p / topics;
            itemTopic[item] = t;
            weight[item] = Math.pow(rank + 1, -c.zipfExponent);
            members[t][rank] = item;
        }
        // Prices: a standard normal per item, drawn where the price always was so the users' draws stay the same;
        // the catalog below scales it around the item's topic's median.
        double[] priceDraw = new double[c.items];
        for (int i = 0; i < c.items; i++) {
            priceDraw[i] = rng.nextGaussian();
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

        // The catalog from streams split off after the world's draws, so that it leaves them as they were.
        SplittableRandom catalogRng = rng.split();
        this.changes = rng.split();
        this.catalog = new SyntheticCatalog(topics, c.catalogNoise, catalogRng);
        double[] price = new double[c.items];
        CatalogRecord[] records = new CatalogRecord[c.items];
        ItemStatus[] status = new ItemStatus[c.items];
        for (int i = 0; i < c.items; i++) {
            price[i] = catalog.price(itemTopic[i], priceDraw[i]);
            records[i] = catalog.record(itemId(i), itemTopic[i], price[i], null, catalogRng);
            status[i] = ItemStatus.ACTIVE;
        }
        this.world = new World(topics, itemTopic, weight, status, price, records, members);
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
        World w = world;
        return w.topicItems[topic][search(w.topicCdf[topic], rng.nextDouble())];
    }

    double price(int item) {
        return world.price[item];
    }

    double exploration() {
        return exploration;
    }

    private static int search(double[] cdf, double x) {
        int i = Arrays.binarySearch(cdf, x);
        int idx = i >= 0 ? i + 1 : -i - 1;
        return Math.min(idx, cdf.length - 1);
    }

    // ---- changes, made by the generator (package-private, one thread) ----

    /**
     * A new item, the next id after the existing ones: a topic drawn uniformly, a popularity rank inside the topic
     * drawn with a bias towards the top (rank = size * u^2: a launch is more often a hit than an average item), a
     * catalog record stamped {@code at}. It takes no events until {@link #activate(int)}.
     */
    synchronized Launch launch(long at, long eventsFrom) {
        World w = world;
        int item = w.topic.length;
        int topic = changes.nextInt(topics);
        int size = w.members[topic].length;
        double u = changes.nextDouble();
        int rank = (int) (size * u * u);
        double price = catalog.price(topic, changes.nextGaussian());
        CatalogRecord record = catalog.record(itemId(item), topic, price, at, changes);
        world = w.withItem(topic, Math.pow(rank + 1, -zipfExponent), price, record);
        Launch launch = new Launch(itemId(item), topic, at, eventsFrom, record);
        launches.add(launch);
        return launch;
    }

    /** A launched item starts taking events. */
    synchronized void activate(int item) {
        World w = world;
        if (w.status[item] == ItemStatus.LAUNCHED) {
            world = w.withStatus(item, ItemStatus.ACTIVE, w.record[item]);
        }
    }

    /**
     * Retires an active item drawn uniformly, never the last active item of its topic; null when there is none to
     * retire.
     */
    synchronized Retirement retire(long at) {
        World w = world;
        int[] active = new int[topics];
        for (int i = 0; i < w.status.length; i++) {
            if (w.status[i] == ItemStatus.ACTIVE) {
                active[w.topic[i]]++;
            }
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < w.status.length; i++) {
            if (w.status[i] == ItemStatus.ACTIVE && active[w.topic[i]] > 1) {
                candidates.add(i);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        int item = candidates.get(changes.nextInt(candidates.size()));
        CatalogRecord record = SyntheticCatalog.retire(w.record[item], at);
        world = w.withStatus(item, ItemStatus.RETIRED, record);
        Retirement r = new Retirement(itemId(item), at, record);
        retirements.add(r);
        return r;
    }

    // ---- public ground truth ----

    public int users() {
        return taste.length;
    }

    /** Items so far, the launched ones included (ids {@code i-0 .. i-(items-1)}), retired or not. */
    public int items() {
        return world.topic.length;
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

    /**
     * The probability that a click of {@code user} is on {@code item} (see the class comment); sums to 1 over items.
     * 0 for an item that takes no events (launched but not yet active, or retired).
     */
    public double trueAffinity(int user, int item) {
        World w = world;
        return w.popularityInTopic[item] * ((1 - exploration) * taste[user][w.topic[item]] + exploration / topics);
    }

    /** {@link #trueAffinity(int, int)} by ids; throws for ids this world does not have. */
    public double trueAffinity(String userId, String itemId) {
        return trueAffinity(requireUser(userId), requireItem(itemId));
    }

    /** The share of all clicks that go to {@code item}, over all users weighted by activity: the popularity oracle. */
    public double expectedPopularity(int item) {
        World w = world;
        return w.popularityInTopic[item] * ((1 - exploration) * topicShare[w.topic[item]] + exploration / topics);
    }

    /** The k items with the highest {@link #trueAffinity}, best first, as item ids; only items taking events. */
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
        World w = world;
        // A bounded min-heap: k log k per item instead of sorting every item for every query.
        PriorityQueue<double[]> heap = new PriorityQueue<>(Math.max(1, k),
                Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> -e[1]));
        for (int i = 0; i < w.topic.length && k > 0; i++) {
            if (w.status[i] != ItemStatus.ACTIVE || !excluded.isEmpty() && excluded.contains(itemId(i))) {
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

    /** The item's (hidden, true) topic: the one its popularity, its brand and most of its title words come from. */
    public int itemTopic(String itemId) {
        return world.topic[requireItem(itemId)];
    }

    /** The user's share of all sessions (activity); sums to 1 over users. */
    public double activity(String userId) {
        return activity[requireUser(userId)];
    }

    // ---- the catalog, and which users an item suits ----

    /** The name of a topic as the catalog's {@code category} uses it, e.g. {@code garden}. */
    public String topicName(int topic) {
        return catalog.topicName(topic);
    }

    /** The item's current catalog record ({@code "available": false} once retired). */
    public CatalogRecord catalogRecord(String itemId) {
        return world.record[requireItem(itemId)];
    }

    /** Every item's current catalog record, by id (i-0 first), the launched and retired ones included. */
    public List<CatalogRecord> catalog() {
        return List.of(world.record);
    }

    /**
     * The topic the item's {@code category} attribute names: what its content says, which is its true
     * {@link #itemTopic} for about {@code 1 - catalogNoise} of the items.
     */
    public int categoryTopic(String itemId) {
        return catalog.topicOfName(catalogRecord(itemId).categories().get("category").get(0));
    }

    public ItemStatus status(String itemId) {
        return world.status[requireItem(itemId)];
    }

    /**
     * How well the item suits the user's taste: the user's taste for the item's topic (a probability; the share of
     * the user's non-exploring clicks that go to that topic). Unlike {@link #trueAffinity} it ignores popularity
     * and status, so it scores a new item before its first event: the content match a features model can learn.
     */
    public double tasteMatch(String userId, String itemId) {
        return taste[requireUser(userId)][itemTopic(itemId)];
    }

    /**
     * The {@code k} users whose taste best matches the item ({@link #tasteMatch}, highest first; among equal
     * matches the more active first): who should see a new item first.
     */
    public List<String> usersMatching(String itemId, int k) {
        int t = itemTopic(itemId);
        return IntStream.range(0, users()).boxed()
                .sorted(Comparator.<Integer>comparingDouble(u -> -taste[u][t]).thenComparingDouble(u -> -activity[u])
                        .thenComparingInt(u -> u))
                .limit(Math.max(0, k)).map(GroundTruth::userId).toList();
    }

    /** Items launched so far, in launch order. */
    public List<Launch> launches() {
        return List.copyOf(launches);
    }

    /** Items retired so far, in order. */
    public List<Retirement> retirements() {
        return List.copyOf(retirements);
    }

    /**
     * One line about a catalog change the generator made, for a person watching: {@code new item i-2003 launched
     * (catalog only: garden, Kalozen, 12.99; events from 12:00:50)}, or {@code item i-17 retired ("available":
     * false; no more events on it)}.
     */
    public String describe(CatalogRecord change) {
        if (!change.available()) {
            return "item " + change.itemId() + " retired (\"available\": false; no more events on it)";
        }
        for (Launch l : launches) {
            if (l.itemId().equals(change.itemId())) {
                return String.format(Locale.ROOT, "new item %s launched (catalog only: %s, %s, %.2f; events from %s)",
                        l.itemId(), String.join(",", change.categories().getOrDefault("category", List.of())),
                        String.join(",", change.categories().getOrDefault("brand", List.of())),
                        change.numbers().getOrDefault("price", 0.0),
                        LocalTime.ofInstant(Instant.ofEpochMilli(l.eventsFrom()), ZoneId.systemDefault())
                                .format(DateTimeFormatter.ofPattern("HH:mm:ss")));
            }
        }
        return "catalog record of " + change.itemId();
    }

    SyntheticCatalog syntheticCatalog() {
        return catalog;
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

    /**
     * One consistent state of the items, replaced as a whole on every change (arrays are never written after
     * construction, so worlds share the ones a change leaves alone).
     */
    private static final class World {
        final int[] topic;
        /** Zipf weight, unnormalized: (rank + 1)^-s. */
        final double[] weight;
        final ItemStatus[] status;
        final double[] price;
        final CatalogRecord[] record;
        /** Every item of each topic: the initial ones in rank order, launched ones appended. */
        final int[][] members;
        /** Derived: each topic's items taking events, their cumulative click shares, and each item's share. */
        final int[][] topicItems;
        final double[][] topicCdf;
        final double[] popularityInTopic;

        World(int topics, int[] topic, double[] weight, ItemStatus[] status, double[] price, CatalogRecord[] record,
              int[][] members) {
            this.topic = topic;
            this.weight = weight;
            this.status = status;
            this.price = price;
            this.record = record;
            this.members = members;
            this.topicItems = new int[topics][];
            this.topicCdf = new double[topics][];
            this.popularityInTopic = new double[topic.length];
            for (int t = 0; t < topics; t++) {
                int n = 0;
                double sum = 0;
                for (int item : members[t]) {
                    if (status[item] == ItemStatus.ACTIVE) {
                        n++;
                        sum += weight[item];
                    }
                }
                topicItems[t] = new int[n];
                topicCdf[t] = new double[n];
                int r = 0;
                double cum = 0;
                for (int item : members[t]) {
                    if (status[item] == ItemStatus.ACTIVE) {
                        double p = weight[item] / sum;
                        popularityInTopic[item] = p;
                        cum += p;
                        topicItems[t][r] = item;
                        topicCdf[t][r] = cum;
                        r++;
                    }
                }
                if (n > 0) {
                    topicCdf[t][n - 1] = 1.0; // guard against rounding leaving the last bucket unreachable
                }
            }
        }

        /** This world and a launched item (the next id) of topic {@code t}. */
        World withItem(int t, double itemWeight, double itemPrice, CatalogRecord itemRecord) {
            int n = topic.length;
            int[] topic2 = Arrays.copyOf(topic, n + 1);
            topic2[n] = t;
            double[] weight2 = Arrays.copyOf(weight, n + 1);
            weight2[n] = itemWeight;
            ItemStatus[] status2 = Arrays.copyOf(status, n + 1);
            status2[n] = ItemStatus.LAUNCHED;
            double[] price2 = Arrays.copyOf(price, n + 1);
            price2[n] = itemPrice;
            CatalogRecord[] record2 = Arrays.copyOf(record, n + 1);
            record2[n] = itemRecord;
            int[][] members2 = members.clone();
            members2[t] = Arrays.copyOf(members[t], members[t].length + 1);
            members2[t][members[t].length] = n;
            return new World(members.length, topic2, weight2, status2, price2, record2, members2);
        }

        World withStatus(int item, ItemStatus s, CatalogRecord r) {
            ItemStatus[] status2 = status.clone();
            status2[item] = s;
            CatalogRecord[] record2 = record.clone();
            record2[item] = r;
            return new World(members.length, topic, weight, status2, price, record2, members);
        }
    }
}
