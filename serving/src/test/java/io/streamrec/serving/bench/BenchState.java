package io.streamrec.serving.bench;

import io.streamrec.schema.EventType;
import io.streamrec.serving.ServingConfig;
import io.streamrec.serving.ingest.Popularity;
import io.streamrec.serving.rank.Reranker;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.TopK;
import io.streamrec.serving.snapshot.ItemSnapshot;
import io.streamrec.serving.snapshot.SnapshotHolder;
import io.streamrec.serving.snapshot.SnapshotVersion;
import io.streamrec.serving.store.SeenItemsStore;
import io.streamrec.serving.store.StateStore;
import io.streamrec.serving.store.UserVectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.rocksdb.WriteBatchWithIndex;

/**
 * A serving node's state for the HTTP benchmarks, as the node keeps it: a temporary RocksDB store holding users
 * {@code user-0 .. user-(n-1)} with a vector and {@code excluded} seen items each, and a snapshot of the item matrix;
 * the configuration serves on an ephemeral port of 127.0.0.1. Closing it deletes the store.
 */
final class BenchState implements AutoCloseable {
    final ServingConfig config;
    final SnapshotHolder snapshot = new SnapshotHolder();
    private final Path dir;
    private final StateStore store;
    private final UserVectorStore userVectors;
    private final SeenItemsStore seen;
    private final Popularity popularity;

    /** @param query each user's vector, asked once per user */
    BenchState(ItemMatrix m, int users, int excluded, Random rnd, Supplier<float[]> query) throws IOException {
        dir = Files.createTempDirectory("streamrec-bench-");
        config = ServingConfig.defaults().with(ServingConfig.HTTP_PORT, 0)
                .with(ServingConfig.HTTP_HOST, "127.0.0.1").with(ServingConfig.STATE_DIR, dir);
        store = StateStore.open(dir, false);
        seen = new SeenItemsStore(store, 10_000);
        userVectors = new UserVectorStore(store);
        for (int u = 0; u < users; u++) {
            try (WriteBatchWithIndex b = store.newBatch()) {
                userVectors.put(b, "user-" + u, query.get(), 1, 0);
                for (int j = 0; j < excluded; j++) {
                    seen.record(b, "user-" + u, m.id(rnd.nextInt(m.size())), EventType.CLICK, 1000 + j);
                }
                store.write(b);
            }
        }
        popularity = new Popularity(store, Duration.ofDays(1), 1000, 100);
        snapshot.set(new ItemSnapshot(m, new SnapshotVersion(1, System.currentTimeMillis(), 0)));
    }

    /** The recommender over this state, scanning with {@code topK}. */
    Recommender recommender(TopK topK) {
        return new Recommender(snapshot, userVectors, seen, popularity, topK);
    }

    /** The recommender over this state, scanning with {@code topK}, with a ranking stage. */
    Recommender recommender(TopK topK, Reranker reranker) {
        return new Recommender(snapshot, userVectors, seen, popularity, topK, reranker);
    }

    @Override
    public void close() throws IOException {
        store.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
