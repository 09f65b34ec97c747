package io.streamrec.serving;

import io.streamrec.schema.ParserOptions;
import io.streamrec.serving.http.HttpApi;
import io.streamrec.serving.ingest.InteractionIngestor;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.ingest.RankerModelIngestor;
import io.streamrec.serving.ingest.TopicConsumerLoop;
import io.streamrec.serving.ingest.UserVectorIngestor;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.rank.RankerHolder;
import io.streamrec.serving.rank.Reranker;
import io.streamrec.serving.retrieval.AnnIndexer;
import io.streamrec.serving.retrieval.BatchingTopK;
import io.streamrec.serving.retrieval.IndexedTopK;
import io.streamrec.serving.retrieval.ParallelTopK;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotLoader;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One serving node, wired from a {@link ServingConfig}: the RocksDB state, the four topic consumers (interactions
 * -> seen items and popularity; item-embeddings -> snapshots; user-embeddings -> user vectors; ranker-model -> the
 * ranking stage's model), the recommender with its ranking stage, and the HTTP API. {@link #start()} opens everything; {@link #close()} stops HTTP first, then the consumers, then
 * RocksDB, so no request or consumer touches a closed database.
 *
 * <p>Thread-safe start/close; used by {@link ServingMain} and by tests (several nodes can share a JVM).
 */
public final class ServingNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingNode.class);

    private final ServingConfig config;
    private final ServingMetrics metrics = new ServingMetrics();
    private final StateStore store;
    private final SnapshotHolder snapshots = new SnapshotHolder();
    private final SnapshotLoader loader;
    private final InteractionIngestor interactions;
    private final UserVectorIngestor userVectors;
    private final RankerHolder rankers = new RankerHolder();
    private final RankerModelIngestor rankerModels;
    private final HttpApi http;
    private final Recommender recommender;
    private final ParallelTopK topK;
    private boolean closed;

    public ServingNode(ServingConfig config) {
        this.config = config;
        this.store = StateStore.open(config.get(ServingConfig.STATE_DIR), config.get(ServingConfig.STATE_SYNC_WRITES));
        this.topK = new ParallelTopK(config.get(ServingConfig.TOPK_SCAN_THREADS),
                config.get(ServingConfig.TOPK_MIN_ITEMS_PER_THREAD), config.get(ServingConfig.TOPK_KERNEL));
        try {
            String bootstrap = config.get(ServingConfig.KAFKA_BOOTSTRAP);
            int seenCap = config.get(ServingConfig.SEEN_MAX_PER_USER);
            SeenItemsStore seen = new SeenItemsStore(store, seenCap);
            UserVectorStore users = new UserVectorStore(store);
            // Long enough that excluding everything a request may exclude still leaves k items when k exist.
            int rankedSize = config.get(ServingConfig.MAX_K) + Math.max(seenCap, config.get(ServingConfig.MAX_HISTORY))
                    + config.get(ServingConfig.MAX_EXCLUDE_ITEMS);
            Popularity popularity = new Popularity(store, config.get(ServingConfig.POPULAR_HALF_LIFE),
                    config.get(ServingConfig.POPULAR_MAX_ITEMS), rankedSize);
            ParserOptions parserOptions = ParserOptions.defaults().withTimestampRange(
                    config.get(ServingConfig.EVENTS_EARLIEST), config.get(ServingConfig.EVENTS_MAX_FUTURE_SKEW));
            this.loader = new SnapshotLoader(bootstrap, config.get(ServingConfig.TOPIC_ITEM_EMBEDDINGS), store,
                    metrics, snapshots, config.get(ServingConfig.SNAPSHOT_RECORD_WAIT).toMillis(),
                    config.get(ServingConfig.TOPK_KERNEL) == ParallelTopK.Kernel.BF16
                            && ParallelTopK.vectorApiAvailable(), // the scalar fallback never reads the bf16 copy
                    indexer(config));
            this.interactions = new InteractionIngestor(bootstrap, config.get(ServingConfig.TOPIC_INTERACTIONS), store,
                    metrics, parserOptions, seen, popularity);
            this.userVectors = new UserVectorIngestor(bootstrap, config.get(ServingConfig.TOPIC_USER_EMBEDDINGS), store,
                    metrics, users, snapshots::dim);
            this.rankerModels = new RankerModelIngestor(bootstrap, config.get(ServingConfig.TOPIC_RANKER_MODEL), store,
                    metrics, rankers);
            // The approximate index lives in the JVM's heap and needs the Vector API like the float kernel.
            this.recommender = new Recommender(snapshots, users, seen, popularity,
                    ParallelTopK.vectorApiAvailable()
                            ? new IndexedTopK(new BatchingTopK(topK, config.get(ServingConfig.TOPK_BATCH_MAX))) : topK,
                    new Reranker(rankers, metrics, config.get(ServingConfig.RANK_CANDIDATES)));
            registerGauges(popularity);
            this.http = new HttpApi(config, recommender, snapshots, metrics, this::healthProblem);
        } catch (RuntimeException e) {
            topK.close();
            store.close();
            throw e;
        }
    }

    private static AnnIndexer indexer(ServingConfig config) {
        if (!ParallelTopK.vectorApiAvailable()) {
            return AnnIndexer.exact();
        }
        return new AnnIndexer(config.get(ServingConfig.TOPK_INDEX), config.get(ServingConfig.TOPK_ANN_MIN_ITEMS),
                config.get(ServingConfig.TOPK_ANN_LISTS), config.get(ServingConfig.TOPK_ANN_PROBES));
    }

    private void registerGauges(Popularity popularity) {
        metrics.gauge("streamrec_snapshot_age_seconds",
                "Age of the served item snapshot (since the trainer published it), -1 before the first", () -> {
                    ItemSnapshot s = snapshots.get();
                    return s == null ? -1 : s.version.ageMs(System.currentTimeMillis()) / 1000.0;
                });
        Map<String, DoubleSupplier> lags = new LinkedHashMap<>();
        for (TopicConsumerLoop l : consumers()) {
            lags.put(l.topic(), () -> l.lag());
        }
        metrics.gauge("streamrec_consumer_lag_records", "Records not yet read, by topic (-1 until known)", "topic",
                lags);
        metrics.gauge("streamrec_rocksdb_size_bytes", "RocksDB SST files plus memtables, all column families",
                () -> store.sizeBytes());
        metrics.gauge("streamrec_popular_tracked_items", "Items whose popularity is tracked",
                () -> popularity.trackedItems());
        metrics.gauge("streamrec_ranker_version", "Version of the ranker model in use, -1 before the first",
                () -> rankers.version());
    }

    private List<TopicConsumerLoop> consumers() {
        return List.of(interactions, loader, userVectors, rankerModels);
    }

    /** Starts the consumers and the HTTP server; returns once the port is bound. */
    public synchronized ServingNode start() {
        LOG.info("starting serving node with {}", config.effective());
        config.warnings().forEach(w -> LOG.warn("configuration: {}", w));
        if (ParallelTopK.vectorApiAvailable()) {
            LOG.info("top-k kernel: {}", topK.kernelName());
        } else {
            LOG.warn("top-k kernel: scalar: jdk.incubator.vector is not in this JVM's boot layer (start it with "
                    + "--add-modules jdk.incubator.vector for the SIMD kernels, 2-3x faster); topk.kernel={} ignored",
                    config.get(ServingConfig.TOPK_KERNEL).name().toLowerCase(java.util.Locale.ROOT));
        }
        consumers().forEach(TopicConsumerLoop::start);
        http.start();
        LOG.info("serving on port {}", http.port());
        return this;
    }

    /** Null while every consumer thread is alive, else what failed. */
    public String healthProblem() {
        for (TopicConsumerLoop l : consumers()) {
            if (!l.isAlive()) {
                Throwable f = l.failure();
                return "consumer of topic " + l.topic() + " is not running"
                        + (f == null ? "" : ": " + f.getClass().getSimpleName() + ": " + f.getMessage());
            }
        }
        return null;
    }

    public int port() {
        return http.port();
    }

    public SnapshotHolder snapshots() {
        return snapshots;
    }

    /** The ranker model in use. */
    public RankerHolder rankers() {
        return rankers;
    }

    public Recommender recommender() {
        return recommender;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /** Clean stop: HTTP, then consumers (their last batches are already durable), then RocksDB. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.close();
        topK.close();
        consumers().forEach(TopicConsumerLoop::close);
        store.close();
        LOG.info("serving node stopped");
    }
}
