package io.streamrec.job.bench;

import io.streamrec.job.model.GradientBundle;
import io.streamrec.job.model.ItemVectorCache;
import io.streamrec.job.model.Learner;
import io.streamrec.job.model.ModelParams;
import io.streamrec.job.model.NegativeBuffer;
import io.streamrec.job.model.StepResult;
import io.streamrec.job.model.UserState;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The UserTower's per-event model work without Flink, Kafka or RocksDB, in one thread: {@link Learner#train},
 * {@link Learner#applyLocally} and {@link GradientBundle#addEvent} with the default {@link ModelParams}, over
 * synthetic events (uniform users, items drawn with a skew: item = n * u^3). Prints microseconds per event for a
 * few rounds; the first round includes JIT warm-up. Users are kept in a heap map here (the job keeps them in
 * RocksDB), so this isolates what the learning step itself costs.
 *
 * <pre>flink-job/run-benchmark.sh LearnerStepBenchmark [events-per-round] [users] [items] [negatives] [shared-events]</pre>
 */
public final class LearnerStepBenchmark {
    private LearnerStepBenchmark() {}

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 150_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int items = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        ModelParams p = ModelParams.defaults();
        if (args.length > 3) {
            p.set("model.negatives", args[3]);
        }
        if (args.length > 4) {
            p.set("model.negatives.shared-events", args[4]);
        }
        // -Dbench.model=key=value,... overrides other model keys (e.g. model.query.history-size=0).
        for (String kv : System.getProperty("bench.model", "").split(",")) {
            if (kv.contains("=")) {
                p.set(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        Learner learner = new Learner(p);
        ItemVectorCache cache = new ItemVectorCache(p.cacheSize(), learner.vectorLength());
        NegativeBuffer negatives = new NegativeBuffer(p.negativeBufferSize(), p.logqSmoothing());
        GradientBundle bundle = new GradientBundle();
        Map<String, UserState> state = new HashMap<>();
        String[] itemIds = new String[items];
        for (int i = 0; i < items; i++) {
            itemIds[i] = "item-" + i;
        }
        SplittableRandom rng = new SplittableRandom(1);
        System.out.printf("learner step: %,d events per round, %,d users, %,d items, %d negatives shared by %d events, "
                + "dim %d%n", events, users, items, p.negatives(), p.sharedNegativeEvents(), p.dim());
        long checksum = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("bench.rounds", 4);
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            for (int e = 0; e < events; e++) {
                String userId = "user-" + rng.nextInt(users);
                // A new String per event, as a deserialized event's id is.
                String itemId = new String(itemIds[(int) (items * Math.pow(rng.nextDouble(), 3))]);
                UserState user = state.computeIfAbsent(userId, learner::newUser);
                StepResult step = learner.train(user, itemId, 1f, cache, negatives,
                        new SplittableRandom(learner.eventSeed(userId, itemId, e)));
                learner.applyLocally(cache, step);
                bundle.addEvent(step);
                if (bundle.events() >= 4096) {
                    StepResult rest = learner.closeNegatives(negatives);
                    learner.applyLocally(cache, rest);
                    bundle.addGradients(rest);
                    checksum += bundle.drain().size();
                }
            }
            double micros = (System.nanoTime() - start) / 1e3 / events;
            double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / events;
            System.out.printf("round %d: %.1f us/event (%,.0f events/s in one thread), thread CPU %.1f us/event%n",
                    round, micros, 1e6 / micros, cpuMicros);
        }
        System.out.println("(checksum " + checksum + ")");
    }
}
