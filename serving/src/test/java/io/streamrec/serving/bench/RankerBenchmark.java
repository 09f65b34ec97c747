package io.streamrec.serving.bench;

import io.streamrec.ranker.RankerBatch;
import io.streamrec.ranker.RankerConfig;
import io.streamrec.ranker.RankerEngine;
import io.streamrec.ranker.RankerModel;
import io.streamrec.serving.metrics.ServingMetrics;
import io.streamrec.serving.rank.RankerHolder;
import io.streamrec.serving.rank.Reranker;
import io.streamrec.serving.retrieval.BatchingTopK;
import io.streamrec.serving.retrieval.Exclusion;
import io.streamrec.serving.retrieval.IndexedTopK;
import io.streamrec.serving.retrieval.ItemMatrix;
import io.streamrec.serving.retrieval.LearnedLikeVectors;
import io.streamrec.serving.retrieval.ParallelTopK;
import io.streamrec.serving.retrieval.QueryContext;
import io.streamrec.serving.retrieval.Recommender;
import io.streamrec.serving.retrieval.Recommender.ExcludePolicy;
import io.streamrec.serving.retrieval.Recommender.RankMode;
import io.streamrec.serving.retrieval.Similarity;
import io.streamrec.serving.retrieval.TopK;
import io.streamrec.serving.retrieval.TopKResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The ranking stage's added latency (run by {@code serving/bench.sh ranker ...}, not by the test suite;
 * BENCHMARKS.md). The ranker is a model of the trainer's default shape ({@link RankerConfig#DEFAULTS}) for vectors
 * of {@code --dim} floats, read from its published form as the node reads it; items and user queries come from
 * {@link LearnedLikeVectors} (clustered, a bias coordinate). One query at a time, after {@code --warmup} queries of
 * each kind, interleaved in rounds of 100 so that a noisy neighbour slows every kind alike:
 * <ol>
 *   <li>the stage: {@link Reranker#rank} of a query's {@code --candidates} retrieved candidates (features, the
 *       model's forward pass, the ordering), {@code --queries} times; wall and thread CPU time;</li>
 *   <li>the model alone: {@link RankerModel#score} of a batch of those candidates built beforehand;</li>
 *   <li>the request minus HTTP, {@code --request-queries} times: {@link Recommender#forUser} with
 *       {@code rank=auto} and with {@code rank=none} over {@code --items} items (RocksDB reads, {@code --excluded}
 *       seen items, retrieval of {@code max(k, candidates)} or k items as ServingNode wires it, the stage);
 *       {@code --items 0} skips it.</li>
 * </ol>
 */
public final class RankerBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RankerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("candidates", "200");
        o.put("dim", "64");
        o.put("k", "10");
        o.put("queries", "10000");
        o.put("warmup", "10000");
        o.put("items", "100000");
        o.put("excluded", "200");
        o.put("request-queries", "2000");
        o.put("out", "");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: ranker --candidates 200 --dim 64 --k 10 --queries 10000"
                        + " --warmup 10000 --items 100000 --excluded 200 --request-queries 2000 --out FILE;"
                        + " bad argument: " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        int candidates = Integer.parseInt(o.get("candidates"));
        int dim = Integer.parseInt(o.get("dim"));
        int k = Integer.parseInt(o.get("k"));
        int queries = Integer.parseInt(o.get("queries"));
        int warmup = Integer.parseInt(o.get("warmup"));
        int items = Integer.parseInt(o.get("items"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("load_average_start", Files.readString(Path.of("/proc/loadavg")).trim());
        result.put("cores", Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        result.put("engine", RankerEngine.ENGINE + " " + RankerEngine.start());
        result.put("engine_start_ms", (System.nanoTime() - t0) / 1_000_000);
        result.put("pytorch_threads", System.getProperty("ai.djl.pytorch.num_threads") + " intra-op, "
                + System.getProperty("ai.djl.pytorch.num_interop_threads") + " inter-op");
        RankerModel model = RankerModel.fromBytes(RankerModel.create(RankerConfig.DEFAULTS, dim).toPublishedBytes());
        result.put("model", "hidden " + RankerConfig.DEFAULTS.hidden1() + "x" + RankerConfig.DEFAULTS.hidden2()
                + ", " + RankerBatch.featureWidth(dim) + " inputs, " + model.toPublishedBytes().length
                + " published bytes");
        result.put("candidates", candidates);
        result.put("dim", dim);
        result.put("k", k);
        System.out.printf("ranker: %s, %s; engine started in %d ms, PyTorch threads %s; %d cores, load %s%n",
                result.get("engine"), result.get("model"), result.get("engine_start_ms"),
                result.get("pytorch_threads"), result.get("cores"), result.get("load_average_start"));

        // 1 and 2: a pool of queries with their retrieved candidates (the retrieval itself is not timed here).
        LearnedLikeVectors gen = new LearnedLikeVectors(dim, 200, 1);
        ItemMatrix pool = gen.matrix(Math.max(candidates * 20, 10_000));
        int distinct = 256;
        float[][] qs = new float[distinct][];
        TopKResult[] cands = new TopKResult[distinct];
        RankerBatch[] batches = new RankerBatch[distinct];
        try (ParallelTopK exact = new ParallelTopK(1, Integer.MAX_VALUE, ParallelTopK.Kernel.FLOAT)) {
            for (int i = 0; i < distinct; i++) {
                qs[i] = gen.query();
                cands[i] = exact.search(pool, qs[i], candidates, Exclusion.none(), Similarity.DOT);
                batches[i] = new RankerBatch(dim, candidates);
                for (int c = 0; c < cands[i].size(); c++) {
                    int ord = cands[i].ordinal(c);
                    batches[i].add("user-" + i, qs[i], pool.id(ord), pool.vector(ord), cands[i].score(c));
                }
            }
        }
        RankerHolder holder = new RankerHolder();
        holder.offer(model);
        Reranker stage = new Reranker(holder, new ServingMetrics(), candidates);
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            int q = i % distinct;
            sink += stage.rank(model, pool, "user-" + q, qs[q], cands[q], k).order.length;
            sink += model.score(batches[q]).logits().length;
        }
        long[] stageWall = new long[queries];
        long[] stageCpu = new long[queries];
        long[] modelWall = new long[queries];
        for (int start = 0; start < queries; start += 100) {
            int end = Math.min(queries, start + 100);
            for (int i = start; i < end; i++) {
                int q = i % distinct;
                long c = THREADS.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                sink += stage.rank(model, pool, "user-" + q, qs[q], cands[q], k).order.length;
                stageWall[i] = System.nanoTime() - s;
                stageCpu[i] = THREADS.getCurrentThreadCpuTime() - c;
            }
            for (int i = start; i < end; i++) {
                long s = System.nanoTime();
                sink += model.score(batches[i % distinct]).logits().length;
                modelWall[i] = System.nanoTime() - s;
            }
        }
        result.put("stage", stats(stageWall));
        result.put("stage_cpu", stats(stageCpu));
        result.put("model_score", stats(modelWall));
        System.out.printf("%d queries after %d warm-up (checksum %d):%n", queries, warmup, sink % 10);
        print("ranking stage (features + score + order), wall", stageWall);
        print("ranking stage, thread CPU", stageCpu);
        print("RankerModel.score alone, wall", modelWall);

        if (items > 0) {
            request(gen, items, Integer.parseInt(o.get("excluded")), k, candidates, model,
                    Integer.parseInt(o.get("request-queries")), result);
        }
        result.put("load_average_end", Files.readString(Path.of("/proc/loadavg")).trim());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(result);
        System.out.println(json);
        if (!o.get("out").isEmpty()) {
            Files.writeString(Path.of(o.get("out")), json + "\n");
        }
        System.exit(0);
    }

    /** Recommender.forUser with and without the stage, interleaved: what a request pays for ranking. */
    private static void request(LearnedLikeVectors gen, int items, int excluded, int k, int candidates,
                                RankerModel model, int queries, Map<String, Object> result) throws Exception {
        ItemMatrix m = gen.matrix(items);
        int users = 1000;
        Random rnd = new Random(5);
        try (BenchState state = new BenchState(m, users, excluded, rnd, gen::query);
             ParallelTopK exact = new ParallelTopK(2, 25_000, ParallelTopK.Kernel.BF16)) {
            RankerHolder holder = new RankerHolder();
            holder.offer(model);
            // As ServingNode wires it (no approximate index below topk.ann.min-items).
            TopK served = new IndexedTopK(new BatchingTopK(exact, 16));
            Recommender rec = state.recommender(served, new Reranker(holder, new ServingMetrics(), candidates));
            long sink = 0;
            for (int i = 0; i < Math.max(500, queries / 2); i++) {
                String u = "user-" + rnd.nextInt(users);
                sink += rec.forUser(u, k, ExcludePolicy.SEEN, List.of(), QueryContext.NOW, RankMode.AUTO).items.size();
                sink += rec.forUser(u, k, ExcludePolicy.SEEN, List.of(), QueryContext.NOW, RankMode.NONE).items.size();
            }
            long[] auto = new long[queries];
            long[] none = new long[queries];
            for (int start = 0; start < queries; start += 100) {
                int end = Math.min(queries, start + 100);
                for (int i = start; i < end; i++) {
                    String u = "user-" + (i % users);
                    long s = System.nanoTime();
                    Recommender.Result r = rec.forUser(u, k, ExcludePolicy.SEEN, List.of(), QueryContext.NOW,
                            RankMode.AUTO);
                    auto[i] = System.nanoTime() - s;
                    if (r.rankerVersion == null) {
                        throw new IllegalStateException("the answer was not ranked");
                    }
                    sink += r.items.size();
                }
                for (int i = start; i < end; i++) {
                    String u = "user-" + (i % users);
                    long s = System.nanoTime();
                    sink += rec.forUser(u, k, ExcludePolicy.SEEN, List.of(), QueryContext.NOW, RankMode.NONE)
                            .items.size();
                    none[i] = System.nanoTime() - s;
                }
            }
            result.put("request_items", items);
            result.put("request_excluded", excluded);
            result.put("request_rank_auto", stats(auto));
            result.put("request_rank_none", stats(none));
            System.out.printf("Recommender.forUser over %d items x %d, %d seen excluded, k=%d, %d queries "
                    + "(checksum %d):%n", items, m.dim(), excluded, k, queries, sink % 10);
            print("rank=auto (retrieve " + Math.max(k, candidates) + ", rank, keep " + k + "), wall", auto);
            print("rank=none (retrieve " + k + "), wall", none);
        }
    }

    private static Map<String, Object> stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("p50_ms", round(HttpLoad.ms(HttpLoad.pct(s, 50))));
        r.put("p90_ms", round(HttpLoad.ms(HttpLoad.pct(s, 90))));
        r.put("p99_ms", round(HttpLoad.ms(HttpLoad.pct(s, 99))));
        r.put("max_ms", round(HttpLoad.ms(s[s.length - 1])));
        r.put("mean_ms", round(Arrays.stream(s).average().orElse(0) / 1e6));
        return r;
    }

    private static void print(String what, long[] nanos) {
        Map<String, Object> s = stats(nanos);
        System.out.printf("  %-58s p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f ms%n", what, s.get("p50_ms"),
                s.get("p90_ms"), s.get("p99_ms"), s.get("max_ms"), s.get("mean_ms"));
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
