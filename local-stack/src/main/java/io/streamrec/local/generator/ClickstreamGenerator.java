package io.streamrec.local.generator;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An endless, seeded synthetic clickstream over a hidden world ({@link GroundTruth}): users with latent tastes
 * over topics, Zipf item popularity inside each topic, interleaved sessions in which a user clicks a few items
 * mostly from one favoured topic, some clicks become {@code add_to_cart} and some carted items become
 * {@code purchase} when the session ends. Out: {@link InteractionEvent}s with user ids {@code u-N}, item ids
 * {@code i-N}, a session id, and the item's price as the value of cart and purchase events.
 *
 * <p>Deterministic: the same configuration and seed give the same sequence of users, items, types and sessions;
 * with the simulated clock also the same timestamps. Timestamps never decrease.
 *
 * <p>Not thread-safe (one consumer, e.g. a {@code Publisher}); its {@link #groundTruth()} is.
 */
public final class ClickstreamGenerator implements Iterator<InteractionEvent> {
    private final GeneratorConfig config;
    private final GroundTruth truth;
    private final SplittableRandom rng;
    private final Session[] slots;
    private final Set<Integer> activeUsers = new HashSet<>();
    private long sessionCounter;
    private long generated;
    private double simulatedOffsetMs;
    private long lastTimestamp = Long.MIN_VALUE;

    public ClickstreamGenerator(GeneratorConfig config) {
        this.config = config;
        // Separate streams for the world and the events, so the world does not depend on how events are drawn.
        SplittableRandom root = new SplittableRandom(config.seed);
        this.truth = new GroundTruth(config, root.split());
        this.rng = root.split();
        this.slots = new Session[Math.min(config.concurrentSessions, config.users)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = newSession();
        }
    }

    public GroundTruth groundTruth() {
        return truth;
    }

    public GeneratorConfig config() {
        return config;
    }

    /** Events produced so far. */
    public long generated() {
        return generated;
    }

    /** Always true: the stream is endless; bound it with a limit or a duration. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public InteractionEvent next() {
        int slot = rng.nextInt(slots.length);
        while (true) {
            Session s = slots[slot];
            if (!s.pending.isEmpty()) {
                return emit(s, s.pending.poll());
            }
            if (s.clicksLeft > 0) {
                return emit(s, click(s));
            }
            if (!s.checkedOut) {
                s.checkedOut = true;
                for (int item : s.cart) {
                    if (rng.nextDouble() < config.purchaseProbability) {
                        s.pending.add(new Pending(item, EventType.PURCHASE));
                    }
                }
                continue;
            }
            activeUsers.remove(s.user);
            slots[slot] = newSession();
        }
    }

    /** The next {@code n} events as a list. */
    public List<InteractionEvent> take(int n) {
        List<InteractionEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    private Pending click(Session s) {
        s.clicksLeft--;
        int topic;
        double x = rng.nextDouble();
        if (x < config.exploration) {
            topic = rng.nextInt(config.topics);
        } else if (rng.nextDouble() < config.topicStickiness) {
            topic = s.topic;
        } else {
            topic = truth.sampleTopicOf(s.user, rng);
        }
        int item = truth.sampleItemIn(topic, rng);
        if (rng.nextDouble() < config.cartProbability) {
            s.pending.add(new Pending(item, EventType.ADD_TO_CART));
            s.cart.add(item);
        }
        return new Pending(item, EventType.CLICK);
    }

    private InteractionEvent emit(Session s, Pending p) {
        InteractionEvent e = new InteractionEvent(GroundTruth.userId(s.user), GroundTruth.itemId(p.item), p.type,
                nextTimestamp()).withSessionId(s.id);
        if (p.type != EventType.CLICK) {
            e.withValue(truth.price(p.item));
        }
        generated++;
        return e;
    }

    private long nextTimestamp() {
        long ts;
        if (config.clock == GeneratorConfig.Clock.SIMULATED) {
            // Exponential gaps: a Poisson stream at the simulated rate.
            simulatedOffsetMs += -Math.log(1 - rng.nextDouble()) * 1000.0 / config.simulatedRate;
            ts = config.simulatedStartMs + (long) simulatedOffsetMs;
        } else {
            ts = config.wallClockMs.getAsLong();
        }
        ts = Math.max(ts, lastTimestamp); // a clock stepping back (NTP) must not reorder a user's events
        lastTimestamp = ts;
        return ts;
    }

    private Session newSession() {
        int user = truth.sampleUser(rng);
        // Avoid two open sessions of one user; a few retries suffice unless nearly every user is already active.
        for (int attempt = 0; attempt < 8 && activeUsers.contains(user); attempt++) {
            user = truth.sampleUser(rng);
        }
        activeUsers.add(user);
        Session s = new Session();
        s.user = user;
        s.id = "s-" + sessionCounter++;
        s.topic = truth.sampleTopicOf(user, rng);
        // 1 + geometric, so the mean is meanSessionClicks.
        double p = 1.0 / config.meanSessionClicks;
        s.clicksLeft = 1 + (p >= 1 ? 0 : (int) Math.floor(Math.log(1 - rng.nextDouble()) / Math.log(1 - p)));
        return s;
    }

    private static final class Session {
        int user;
        String id;
        int topic;
        int clicksLeft;
        boolean checkedOut;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        final List<Integer> cart = new ArrayList<>();
    }

    private record Pending(int item, EventType type) {}
}
