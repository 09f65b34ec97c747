package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.job.config.JobConfig;
import io.streamrec.job.learn.PrequentialResult;
import io.streamrec.job.rank.RankedResult;
import io.streamrec.ranker.RankerModel;
import io.streamrec.schema.EventType;
import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.local.evaluate.TopKAccuracy.Pair;
import io.streamrec.local.evaluate.TopKAccuracy.Result;
import io.streamrec.schema.InteractionEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs the protocols on the real trainer job and turns what it learned into a report section per protocol (a JSON
 * tree; {@link ReportWriter} renders it). One embedded broker serves all runs, each with its own topics. Not
 * thread-safe.
 *
 * <ul>
 *   <li><b>seed</b>: a random split (fixed seed); N passes over the training events; then, from the final vectors
 *   as published to Kafka, top-K accuracy of every test (user, item) over all items with a vector, without
 *   exclusion (TFRS FactorizedTopK) and with the user's training items excluded; the most-popular baseline ranks
 *   the training items by training count, both ways.</li>
 *   <li><b>temporal</b>: the same, with the earliest share of events by time for training.</li>
 *   <li><b>prequential</b>: all events once in timestamp order; the job scores each event before learning from it
 *   (the user's recent history excluded), and so does its popularity baseline.</li>
 * </ul>
 */
final class Evaluation {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String SEED_DESCRIPTION = "Random %.0f/%.0f split (seed %d), %d pass(es) over the training events "
            + "(%s order within a pass), then for every test (user, item): is the item in the user's top K of all "
            + "items with a vector, scored by the dot product serving ranks by (TFRS FactorizedTopK). "
            + "'excluding seen' leaves the user's training items out of the ranking. Popularity ranks the training "
            + "items by training count (equal counts: first occurrence first). A test pair whose user or item has "
            + "no vector is a miss ('model_as_served': popular items for a user without a vector, as serving does).";
    static final String TEMPORAL_DESCRIPTION = "The earliest %.0f%% of events by time for training, %d pass(es) "
            + "(%s order within a pass), the rest for testing; metrics as in the seed protocol. Test users who "
            + "first appear after the cut have no vector: misses for the model, while popularity still ranks for them; "
            + "'model_as_served' gives those users the popular items, as the serving node does.";
    static final String PREQUENTIAL_DESCRIPTION = "All events once, in timestamp order: the trainer ranks each "
            + "event's item for its user among the items it has cached, excluding the user's recent history "
            + "(model.history.max), before learning from the event. Popularity ranks every item seen so far by its "
            + "exact count so far, with the same exclusion (popularity_in_trainer: the trainer's own live baseline, "
            + "approximate counts per subtask). An item seen for the first time (not rankable) is a miss. Windows "
            + "are equal counts of events in timestamp order.";

    private final EvaluateOptions options;
    private final EmbeddedKafkaBroker broker;
    private final Map<String, String> trainerSettings;
    private final ProgressLine progress;
    private final Path workDir;
    private final List<io.streamrec.schema.catalog.CatalogRecord> catalog;

    /**
     * @param trainerSettings trainer keys for every run: the evaluation defaults and the user's overrides
     */
    Evaluation(EvaluateOptions options, EmbeddedKafkaBroker broker, Map<String, String> trainerSettings,
               ProgressLine progress, Path workDir) {
        this(options, broker, trainerSettings, progress, workDir, List.of());
    }

    /** @param catalog item catalog records published before each run's events (empty: none) */
    Evaluation(EvaluateOptions options, EmbeddedKafkaBroker broker, Map<String, String> trainerSettings,
               ProgressLine progress, Path workDir, List<io.streamrec.schema.catalog.CatalogRecord> catalog) {
        this.catalog = List.copyOf(catalog);
        this.options = options;
        this.broker = broker;
        this.trainerSettings = trainerSettings;
        this.progress = progress;
        this.workDir = workDir;
    }

    /** Runs one protocol over the events (in timestamp order) and returns its report section. */
    ObjectNode run(Protocol protocol, List<InteractionEvent> events) throws Exception {
        progress.begin(protocol.cliName());
        try {
            switch (protocol) {
                case PREQUENTIAL: return prequential(events);
                case COLD_ITEMS: return coldItems(events);
                default: return offline(protocol, events);
            }
        } finally {
            progress.clear();
        }
    }

    private TrainerRun trainerRun() {
        return new TrainerRun(broker, trainerSettings, options.parallelism(), workDir, options.stallTimeout(),
                progress, catalog);
    }

    private ObjectNode offline(Protocol protocol, List<InteractionEvent> events) throws Exception {
        long start = System.nanoTime();
        Splits.Split split = protocol == Protocol.SEED
                ? Splits.random(events, options.split(), options.seed())
                : Splits.temporal(events, options.split());
        boolean shuffle = options.passOrder().shuffles(protocol);
        List<InteractionEvent> stream = Splits.passes(split.train(), options.passes(), shuffle, options.seed());

        TrainerRun run = trainerRun();
        TrainerRun.Trained trained = run.train(protocol.cliName(), stream);
        long metricsStart = System.nanoTime();
        OfflineScores scores = offlineScores(split, stream, trained.model(), trained.ranker());
        long end = System.nanoTime();

        ObjectNode r = offlineReport(protocol, events.size(), split, shuffle ? "shuffled" : "time", trained, scores);
        timings(r, trained, start, metricsStart, end);
        r.put("training_events_per_second", Math.round(stream.size() / Math.max(trained.trainSeconds(), 1e-9)));
        r.set("config", config(run.config(protocol.cliName(), false)));
        return r;
    }

    /**
     * What the seed and temporal protocols measure: the model's and popularity's top-K accuracy on the test pairs,
     * over all items and with the user's training items excluded, and popularity on the pairs of users without a
     * vector (serving's cold start); with the sizes the coverage reports.
     */
    private record OfflineScores(int pairs, int usersInTraining, int itemsInTraining, Result modelPlain,
                                 Result modelExcluding, Result popPlain, Result popExcluding, Result popCold,
                                 Result popColdExcluding, Ranked ranked) {}

    /** The two stages (retrieval, then the ranker over its top {@link #RANKED_CANDIDATES}); null without a ranker. */
    private record Ranked(RankerModel ranker, Result plain, Result excluding, RankedAccuracy.RatingError ratings) {}

    /** Candidates the ranker re-orders in the offline protocols: serving's default {@code rank.candidates}. */
    static final int RANKED_CANDIDATES = 200;

    private static OfflineScores offlineScores(Splits.Split split, List<InteractionEvent> stream,
                                               PublishedModel published, RankerModel ranker) {
        List<Pair> pairs = pairs(split.test());
        Map<String, Set<String>> seen = seenItems(split.train());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (InteractionEvent e : split.train()) {
            counts.merge(e.itemId, 1L, Long::sum);
        }

        // The model: every item the trainer published a vector for (composed with its features, sorted by id so runs
        // are reproducible); each test pair's query formed as serving forms it, from the user's vector, the user's
        // latest training items (in the order the trainer learned them) and the context of the test event's time.
        Map<String, float[]> items = published.items();
        List<String> itemIds = new ArrayList<>(items.keySet());
        Map<String, List<String>> latest = latestItems(stream, published.historySize());
        TopKAccuracy.Scorer model = TopKAccuracy.queries(new ArrayList<>(items.values()), queries(published, latest));
        Result modelPlain = TopKAccuracy.evaluate(itemIds, model, pairs, null);
        Result modelExcluding = TopKAccuracy.evaluate(itemIds, model, pairs, seen);

        List<String> popularIds = new ArrayList<>(counts.keySet());
        TopKAccuracy.Scorer pop = TopKAccuracy.sameForEveryone(popularityScores(counts, popularIds));
        Result popPlain = TopKAccuracy.evaluate(popularIds, pop, pairs, null);
        Result popExcluding = TopKAccuracy.evaluate(popularIds, pop, pairs, seen);
        // As served: a user without a vector gets the popular items (serving's cold start), not nothing.
        List<Pair> coldPairs = pairs.stream().filter(p -> !published.users().containsKey(p.userId())).toList();
        Result popCold = TopKAccuracy.evaluate(popularIds, pop, coldPairs, null);
        Result popColdExcluding = TopKAccuracy.evaluate(popularIds, pop, coldPairs, seen);
        Ranked ranked = null;
        if (ranker != null && !items.isEmpty() && ranker.vectorLength() == items.values().iterator().next().length) {
            TopKAccuracy.Queries queries = queries(published, latest);
            List<float[]> rows = new ArrayList<>(items.values());
            int[] ks = TopKAccuracy.DEFAULT_KS;
            Result rankedPlain = RankedAccuracy.evaluate(itemIds, rows, queries, pairs, null, ranker,
                    RANKED_CANDIDATES, ks);
            Result rankedExcluding = RankedAccuracy.evaluate(itemIds, rows, queries, pairs, seen, ranker,
                    RANKED_CANDIDATES, ks);
            List<Pair> rated = new ArrayList<>();
            List<Double> ratings = new ArrayList<>();
            for (InteractionEvent e : split.test()) {
                if (e.type == EventType.RATING && e.value != null) {
                    rated.add(new Pair(e.userId, e.itemId, e.timestamp));
                    ratings.add(e.value);
                }
            }
            RankedAccuracy.RatingError error = rated.isEmpty() ? null
                    : RankedAccuracy.ratingError(items, queries, rated, ratings, seen, ranker);
            ranked = new Ranked(ranker, rankedPlain, rankedExcluding, error);
        }
        return new OfflineScores(pairs.size(), seen.size(), counts.size(), modelPlain, modelExcluding, popPlain,
                popExcluding, popCold, popColdExcluding, ranked);
    }

    /**
     * Popularity: every training item by its training count; equal counts rank the item that occurs first in
     * the training events first (a definite list, as a popularity recommender serves; fractions below 1 never
     * reorder different counts).
     */
    private static double[] popularityScores(Map<String, Long> counts, List<String> popularIds) {
        double[] popularity = new double[popularIds.size()];
        for (int i = 0; i < popularity.length; i++) {
            popularity[i] = counts.get(popularIds.get(i)) + 0.5 * (1.0 - (double) i / popularity.length);
        }
        return popularity;
    }

    /** The seed or temporal protocol's report section up to its timings. */
    private ObjectNode offlineReport(Protocol protocol, int events, Splits.Split split, String order,
                                     TrainerRun.Trained trained, OfflineScores scores) {
        ObjectNode r = JSON.createObjectNode();
        r.put("protocol", protocol.cliName());
        r.put("description", protocol == Protocol.SEED
                ? String.format(java.util.Locale.ROOT, SEED_DESCRIPTION, options.split() * 100,
                        (1 - options.split()) * 100, options.seed(), options.passes(), order)
                : String.format(java.util.Locale.ROOT, TEMPORAL_DESCRIPTION, options.split() * 100,
                        options.passes(), order));
        r.put("events", events);
        r.put("train_events", split.train().size());
        r.put("test_pairs", scores.pairs());
        r.put("passes", options.passes());
        r.put("pass_order", order);
        r.put("split", options.split());
        if (protocol == Protocol.SEED) {
            r.put("seed", options.seed());
        } else if (!split.test().isEmpty()) {
            r.put("test_from", Instant.ofEpochMilli(split.test().get(0).timestamp).toString());
        }
        r.put("trained_events", trained.trainedEvents());
        r.put("rejected_events", trained.rejected());
        r.set("model", accuracy(scores.modelPlain()));
        r.set("model_excluding_seen", accuracy(scores.modelExcluding()));
        r.set("popularity", accuracy(scores.popPlain()));
        r.set("popularity_excluding_seen", accuracy(scores.popExcluding()));
        r.set("model_as_served", asServed(scores.modelPlain(), scores.popCold(), scores.pairs()));
        r.set("model_as_served_excluding_seen", asServed(scores.modelExcluding(), scores.popColdExcluding(),
                scores.pairs()));
        if (scores.ranked() != null) {
            Ranked ranked = scores.ranked();
            r.set("model_ranked", accuracy(ranked.plain()));
            r.set("model_ranked_excluding_seen", accuracy(ranked.excluding()));
            ObjectNode rk = r.putObject("ranker");
            rk.put("version", ranked.ranker().version());
            rk.put("examples", ranked.ranker().examples());
            rk.put("candidates", RANKED_CANDIDATES);
            if (ranked.ratings() != null) {
                rk.put("rated_test_pairs", ranked.ratings().pairs());
                rk.put("unscored_rated_pairs", ranked.ratings().unscored());
                rk.put("rmse", ranked.ratings().rmse());
                rk.put("mae", ranked.ratings().mae());
            }
        }
        PublishedModel published = trained.model();
        ObjectNode coverage = r.putObject("coverage");
        coverage.put("users_in_training", scores.usersInTraining());
        coverage.put("users_with_vector", published.users().size());
        coverage.put("items_in_training", scores.itemsInTraining());
        coverage.put("items_with_vector", published.items().size());
        coverage.put("items_with_features", published.itemsWithFeatures());
        coverage.put("feature_vectors", published.featureVectorsPublished());
        coverage.put("context_vectors", published.contextVectorsPublished());
        coverage.put("test_pairs_without_user_vector", scores.modelPlain().missingUser());
        coverage.put("test_pairs_without_item_vector", scores.modelPlain().missingItem());
        coverage.put("test_pairs_with_item_not_in_training", scores.popPlain().missingItem());
        r.put("snapshot_version", trained.snapshotVersion());
        return r;
    }

    /** The timings of a protocol that trains and then reads the final snapshot. */
    private static void timings(ObjectNode r, TrainerRun.Trained trained, long start, long metricsStart, long end) {
        ObjectNode timings = r.putObject("timings_s");
        timings.put("publish", round(trained.publishSeconds()));
        timings.put("train", round(trained.trainSeconds()));
        timings.put("final_snapshot", round(trained.settleSeconds()));
        timings.put("metrics", round((end - metricsStart) / 1e9));
        timings.put("total", round((end - start) / 1e9));
    }

    /** The test events as (user, item, time) pairs, in order. */
    private static List<Pair> pairs(List<InteractionEvent> test) {
        List<Pair> pairs = new ArrayList<>(test.size());
        test.forEach(e -> pairs.add(new Pair(e.userId, e.itemId, e.timestamp)));
        return pairs;
    }

    /** Each user's training items. */
    private static Map<String, Set<String>> seenItems(List<InteractionEvent> train) {
        Map<String, Set<String>> seen = new HashMap<>();
        for (InteractionEvent e : train) {
            seen.computeIfAbsent(e.userId, u -> new HashSet<>()).add(e.itemId);
        }
        return seen;
    }

    private ObjectNode prequential(List<InteractionEvent> events) throws Exception {
        long start = System.nanoTime();
        List<InteractionEvent> stream = Splits.byTime(events);
        TrainerRun run = trainerRun();
        Map<String, String> runConfig = run.config("prequential", true);
        TrainerRun.Prequential result = run.prequential("prequential", stream);
        long metricsStart = System.nanoTime();

        int[][] ranks = ranksInStreamOrder(stream, result.results());
        long[] times = new long[stream.size()];
        for (int i = 0; i < times.length; i++) {
            times[i] = stream.get(i).timestamp;
        }
        int historyMax = JobConfig.fromMap(runConfig).model.historyMax();
        int[] popularityRanks = PopularityBaseline.ranks(stream, historyMax);
        PrequentialMetrics m = PrequentialMetrics.compute(times, ranks[0], popularityRanks, options.windows());
        PrequentialMetrics.Stats trainerPopularity = PrequentialMetrics.stats(ranks[1]);
        long end = System.nanoTime();

        ObjectNode r = JSON.createObjectNode();
        r.put("protocol", "prequential");
        r.put("description", PREQUENTIAL_DESCRIPTION);
        r.put("events", events.size());
        r.put("evaluated_events", m.model().events());
        r.put("rejected_events", result.rejected());
        r.set("model", JSON.valueToTree(m.model().asMap()));
        if (!result.ranked().isEmpty()) {
            r.set("model_ranked", rankedPrequential(result.ranked()));
        }
        r.set("popularity", JSON.valueToTree(m.popularity().asMap()));
        // The trainer's own live baseline (approximate counts per UserTower subtask), for comparison.
        r.set("popularity_in_trainer", JSON.valueToTree(trainerPopularity.asMap()));
        ObjectNode unrankable = r.putObject("unrankable_events");
        unrankable.put("model", m.model().unrankable());
        unrankable.put("popularity", m.popularity().unrankable());
        r.put("windows_by", "event order, equal counts");
        windows(r.putArray("windows"), m);
        ObjectNode timings = r.putObject("timings_s");
        timings.put("publish", round(result.publishSeconds()));
        timings.put("train", round(result.trainSeconds()));
        timings.put("metrics", round((end - metricsStart) / 1e9));
        timings.put("total", round((end - start) / 1e9));
        r.put("events_per_second", Math.round(stream.size() / Math.max(result.trainSeconds(), 1e-9)));
        r.set("config", config(runConfig));
        return r;
    }

    /**
     * The ranking stage, test-then-train: over the events that were ranker examples, HR@10 and NDCG@10 of the
     * user's retrieved candidates in retrieval order and as the ranker (before learning from the event) ordered them.
     */
    private static ObjectNode rankedPrequential(List<RankedResult> ranked) {
        int[] retrieval = new int[ranked.size()];
        int[] reranked = new int[ranked.size()];
        int candidates = 0;
        for (int i = 0; i < retrieval.length; i++) {
            RankedResult r = ranked.get(i);
            retrieval[i] = r.retrievalRank;
            reranked[i] = r.rankedRank;
            candidates = Math.max(candidates, r.candidates);
        }
        PrequentialMetrics.Stats before = PrequentialMetrics.stats(retrieval);
        PrequentialMetrics.Stats after = PrequentialMetrics.stats(reranked);
        ObjectNode n = JSON.createObjectNode();
        n.put("events", ranked.size());
        n.put("candidates", candidates);
        n.set("retrieval", JSON.valueToTree(before.asMap()));
        n.set("ranked", JSON.valueToTree(after.asMap()));
        return n;
    }

    /**
     * The trainer's results (from several subtasks, in any order) put back in stream order: the model's ranks and
     * the trainer's popularity ranks, -1 for an event without a result.
     */
    private static int[][] ranksInStreamOrder(List<InteractionEvent> stream, List<PrequentialResult> results) {
        Map<String, ArrayDeque<Integer>> positions = new HashMap<>();
        for (int i = 0; i < stream.size(); i++) {
            InteractionEvent e = stream.get(i);
            positions.computeIfAbsent(key(e.userId, e.itemId, e.timestamp), k -> new ArrayDeque<>()).add(i);
        }
        int[] modelRanks = new int[stream.size()];
        int[] trainerPopularityRanks = new int[stream.size()];
        java.util.Arrays.fill(modelRanks, -1);
        java.util.Arrays.fill(trainerPopularityRanks, -1);
        for (PrequentialResult r : results) {
            ArrayDeque<Integer> at = positions.get(key(r.userId, r.itemId, r.eventTime));
            if (at == null || at.isEmpty()) {
                throw new IllegalStateException("the trainer scored an event that was not sent: user " + r.userId
                        + ", item " + r.itemId + ", time " + r.eventTime);
            }
            int i = at.poll();
            modelRanks[i] = r.modelRank;
            trainerPopularityRanks[i] = r.popularityRank;
        }
        return new int[][] {modelRanks, trainerPopularityRanks};
    }

    /** The prequential metrics per window of events. */
    private static void windows(ArrayNode windows, PrequentialMetrics m) {
        for (PrequentialMetrics.Window w : m.windows()) {
            ObjectNode o = windows.addObject();
            o.put("index", w.index());
            o.put("first_event", w.firstEvent());
            o.put("events", w.events());
            o.put("from", Instant.ofEpochMilli(w.fromTime()).toString());
            o.put("to", Instant.ofEpochMilli(w.toTime()).toString());
            o.set("model", JSON.valueToTree(w.model().asMap()));
            o.set("popularity", JSON.valueToTree(w.popularity().asMap()));
        }
    }

    static final String COLD_ITEMS_DESCRIPTION = "A seeded %.0f%%%% (seed %%d) of the items that have events are "
            + "withheld from training entirely; their catalog records stay, so the trainer publishes them from their "
            + "features alone. %%d pass(es) over the other events (%%s order within a pass). For every event on a "
            + "withheld item, that item is ranked for the event's user among the withheld items only (model: the "
            + "query serving forms, from the user's vector, latest training items and the event's time; random: the "
            + "expected rate of a random order, k / withheld items), and among all items with the user's training "
            + "items excluded (model_all_items; re-ranked by the ranker: model_ranked_all_items). Users without a "
            + "vector are misses.";
    /** The share of items the cold-items protocol withholds. */
    static final double COLD_SHARE = 0.10;

    private ObjectNode coldItems(List<InteractionEvent> events) throws Exception {
        long start = System.nanoTime();
        ObjectNode r = JSON.createObjectNode();
        r.put("protocol", Protocol.COLD_ITEMS.cliName());
        if (catalog.isEmpty()) {
            r.put("skipped", "no catalog: the protocol ranks withheld items by their catalog features "
                    + "(give --catalog FILE)");
            return r;
        }
        Splits.ColdSplit split = Splits.coldItems(events, COLD_SHARE, options.seed());
        List<String> withheldList = split.withheld();
        Set<String> withheld = new HashSet<>(withheldList);
        List<InteractionEvent> train = split.train();
        List<InteractionEvent> test = split.test();
        boolean shuffle = options.passOrder().shuffles(Protocol.COLD_ITEMS);
        List<InteractionEvent> stream = Splits.passes(train, options.passes(), shuffle, options.seed());
        TrainerRun run = trainerRun();
        TrainerRun.Trained trained = run.train(Protocol.COLD_ITEMS.cliName(), stream);
        long metricsStart = System.nanoTime();
        ColdScores scores = coldScores(trained.model(), stream, train, pairs(test), withheld, trained.ranker());
        long end = System.nanoTime();

        r.put("description", String.format(java.util.Locale.ROOT, COLD_ITEMS_DESCRIPTION, COLD_SHARE * 100)
                .formatted(options.seed(), options.passes(), shuffle ? "shuffled" : "time"));
        r.put("events", events.size());
        r.put("train_events", train.size());
        r.put("test_events", test.size());
        r.put("seed", options.seed());
        r.put("passes", options.passes());
        r.put("withheld_items", withheldList.size());
        coldItemsResults(r, scores, trained);
        timings(r, trained, start, metricsStart, end);
        r.set("config", config(run.config(Protocol.COLD_ITEMS.cliName(), false)));
        return r;
    }

    /**
     * What the cold-items protocol measures: the withheld items' ranks among the withheld items the trainer
     * published ({@code published} of them), and among all items.
     */
    private record ColdScores(int published, Result among, Result amongAll, Result amongAllRanked) {}

    private static ColdScores coldScores(PublishedModel published, List<InteractionEvent> stream,
                                         List<InteractionEvent> train, List<Pair> pairs, Set<String> withheld,
                                         RankerModel ranker) {
        Map<String, List<String>> latest = latestItems(stream, published.historySize());
        TopKAccuracy.Queries queries = queries(published, latest);
        // Among the withheld items only: those the trainer published (from their catalog records).
        List<String> cold = new ArrayList<>();
        List<float[]> coldVectors = new ArrayList<>();
        for (String id : new java.util.TreeSet<>(withheld)) {
            float[] v = published.items().get(id);
            if (v != null) {
                cold.add(id);
                coldVectors.add(v);
            }
        }
        Result among = TopKAccuracy.evaluate(cold, TopKAccuracy.queries(coldVectors, queries), pairs, null,
                1, 10, 50);
        // Among all items, the user's training items excluded (as serving excludes what a user has seen).
        Map<String, Set<String>> seen = seenItems(train);
        List<String> all = new ArrayList<>(published.items().keySet());
        Result amongAll = TopKAccuracy.evaluate(all,
                TopKAccuracy.queries(new ArrayList<>(published.items().values()), queries), pairs, seen, 10, 100);
        // And as the two stages serve: retrieval's top candidates re-ordered by the ranker.
        Result amongAllRanked = ranker == null || ranker.vectorLength() != published.items().values().stream()
                .findFirst().map(v -> v.length).orElse(-1) ? null
                : RankedAccuracy.evaluate(all, new ArrayList<>(published.items().values()), queries, pairs, seen,
                        ranker, RANKED_CANDIDATES, 10, 100);
        return new ColdScores(cold.size(), among, amongAll, amongAllRanked);
    }

    /** The cold-items protocol's accuracies, the random baseline, coverage and the run's counts. */
    private static void coldItemsResults(ObjectNode r, ColdScores scores, TrainerRun.Trained trained) {
        int cold = scores.published();
        r.put("withheld_items_published", cold);
        r.set("model", accuracy(scores.among()));
        ObjectNode random = r.putObject("random");
        for (int k : new int[] {1, 10, 50}) {
            random.put("top_" + k, cold == 0 ? 0.0 : Math.min(k, cold) / (double) cold);
        }
        r.set("model_all_items", accuracy(scores.amongAll()));
        if (scores.amongAllRanked() != null) {
            r.set("model_ranked_all_items", accuracy(scores.amongAllRanked()));
        }
        PublishedModel published = trained.model();
        ObjectNode coverage = r.putObject("coverage");
        coverage.put("test_events_without_user_vector", scores.among().missingUser());
        coverage.put("test_events_on_unpublished_items", scores.among().missingItem());
        coverage.put("items_with_features", published.itemsWithFeatures());
        coverage.put("feature_vectors", published.featureVectorsPublished());
        r.put("trained_events", trained.trainedEvents());
        r.put("rejected_events", trained.rejected());
        r.put("snapshot_version", trained.snapshotVersion());
    }

    /**
     * Each user's latest {@code n} distinct items in {@code stream} order (oldest first), as the trainer's history
     * holds them after learning the stream: a repeated item moves to the end.
     */
    static Map<String, List<String>> latestItems(List<InteractionEvent> stream, int n) {
        Map<String, java.util.LinkedHashSet<String>> byUser = new HashMap<>();
        if (n == 0) {
            return Map.of();
        }
        for (InteractionEvent e : stream) {
            java.util.LinkedHashSet<String> h = byUser.computeIfAbsent(e.userId, u -> new java.util.LinkedHashSet<>());
            h.remove(e.itemId);
            h.add(e.itemId);
            if (h.size() > n) {
                h.remove(h.iterator().next());
            }
        }
        Map<String, List<String>> out = new HashMap<>();
        byUser.forEach((u, h) -> out.put(u, new ArrayList<>(h)));
        return out;
    }

    /** Queries as serving forms them, for test pairs: the user's vector, latest items and the pair's moment. */
    static TopKAccuracy.Queries queries(PublishedModel model, Map<String, List<String>> latest) {
        return new TopKAccuracy.Queries() {
            @Override
            public float[] query(Pair p) {
                return model.query(p.userId(), latest.getOrDefault(p.userId(), List.of()), p.time());
            }

            @Override
            public String group(Pair p) {
                return model.queryGroup(p.userId(), p.time());
            }
        };
    }

    private static String key(String user, String item, long time) {
        return user + '\u0000' + item + '\u0000' + time;
    }

    private static ObjectNode accuracy(Result r) {
        return JSON.valueToTree(r.asMap());
    }

    /** The model's hits plus popularity's hits on the pairs whose user has no vector, over all pairs. */
    private static ObjectNode asServed(Result model, Result popularityOnCold, int pairs) {
        ObjectNode n = JSON.createObjectNode();
        for (int k : model.ks()) {
            n.put("top_" + k, pairs == 0 ? 0.0 : (double) (model.hits(k) + popularityOnCold.hits(k)) / pairs);
        }
        return n;
    }

    /** The report's config: what evaluate was asked, and every trainer key with the value the run used. */
    private ObjectNode config(Map<String, String> runConfig) {
        ObjectNode c = JSON.createObjectNode();
        ObjectNode e = c.putObject("evaluate");
        e.put("file", options.replay().file().toString());
        ArrayNode protocols = e.putArray("protocols");
        options.protocols().forEach(p -> protocols.add(p.cliName()));
        e.put("passes", options.passes());
        e.put("pass_order", options.passOrder().cliName());
        e.put("split", options.split());
        e.put("seed", options.seed());
        e.put("windows", options.windows());
        e.put("parallelism", options.parallelism());
        e.set("trainer_overrides", JSON.valueToTree(new TreeMap<>(options.trainer())));
        c.set("trainer", JSON.valueToTree(TrainerRun.effectiveConfig(runConfig)));
        return c;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
