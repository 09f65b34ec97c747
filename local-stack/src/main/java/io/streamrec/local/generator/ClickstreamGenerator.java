package io.streamrec.local.generator;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.catalog.CatalogRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * An endless, seeded synthetic clickstream over a hidden world ({@link GroundTruth}): users with latent tastes
 * over topics, Zipf item popularity inside each topic, interleaved sessions in which a user clicks a few items
 * mostly from one favoured topic, some clicks become {@code add_to_cart} and some carted items become
 * {@code purchase} when the session ends. Out: {@link InteractionEvent}s with user ids {@code u-N}, item ids
 * {@code i-N}, a session id, and the item's price as the value of cart and purchase events.
 *
 * <p>The world may change as event time passes ({@link GeneratorConfig.Builder#newItems},
 * {@link GeneratorConfig.Builder#retireEvery}): before it returns the first event stamped at or after a scheduled
 * change, the generator applies it to its {@link GroundTruth} and hands the new catalog record to the
 * {@link #onCatalogChange listener}: a launched item's record (events on it only from {@code newItemDelay} later),
 * a retired item's record with {@code "available": false} (no events on it from then on, not even the purchase of
 * an item already in a cart). So a listener that publishes synchronously has a record stored before any event that
 * depends on it is even generated.
 *
 * <p>Deterministic: the same configuration and seed give the same sequence of users, items, types and sessions,
 * launches and retirements; with the simulated clock also the same timestamps. Timestamps never decrease.
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
    private Consumer<CatalogRecord> catalogListener = r -> { };
    private boolean scheduled;
    private long nextLaunchAt = Long.MAX_VALUE;
    private long nextRetireAt = Long.MAX_VALUE;
    /** Launched items waiting for their first events, in the order they become active. */
    private final ArrayDeque<GroundTruth.Launch> launched = new ArrayDeque<>();

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

    /**
     * Receives every catalog change (a launch, a retirement) as it happens, on the thread calling {@link #next()},
     * before that call returns. An exception it throws (e.g. the catalog could not be published) propagates out of
     * {@code next()}. The initial catalog ({@code groundTruth().catalog()} before the first event) is not passed.
     */
    public void onCatalogChange(Consumer<CatalogRecord> listener) {
        this.catalogListener = Objects.requireNonNull(listener);
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
        long ts = nextTimestamp();
        applyChangesUntil(ts);
        int slot = rng.nextInt(slots.length);
        while (true) {
            Session s = slots[slot];
            if (!s.pending.isEmpty()) {
                return emit(s, s.pending.poll(), ts);
            }
            if (s.clicksLeft > 0) {
                return emit(s, click(s), ts);
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

    /** Applies the launches, activations and retirements due at or before {@code ts}, in time order. */
    private void applyChangesUntil(long ts) {
        if (!scheduled) {
            scheduled = true;
            long from = config.changesFromMs != null ? config.changesFromMs
                    : config.clock == GeneratorConfig.Clock.SIMULATED ? config.simulatedStartMs : ts;
            nextLaunchAt = config.newItemsEvery.isZero() ? Long.MAX_VALUE : from + config.newItemsEvery.toMillis();
            nextRetireAt = config.retireEvery.isZero() ? Long.MAX_VALUE : from + config.retireEvery.toMillis();
        }
        while (true) {
            long activation = launched.isEmpty() ? Long.MAX_VALUE : launched.peek().eventsFrom();
            long due = Math.min(activation, Math.min(nextLaunchAt, nextRetireAt));
            if (due > ts) {
                return;
            }
            if (activation == due) {
                truth.activate(truth.itemIndex(launched.poll().itemId()));
            } else if (nextLaunchAt == due) {
                GroundTruth.Launch l = truth.launch(due, due + config.newItemDelay.toMillis());
                nextLaunchAt += config.newItemsEvery.toMillis();
                launched.add(l);
                catalogListener.accept(l.record());
            } else {
                GroundTruth.Retirement r = truth.retire(due);
                nextRetireAt += config.retireEvery.toMillis();
                if (r != null) {
                    int item = truth.itemIndex(r.itemId());
                    for (Session s : slots) {
                        s.pending.removeIf(p -> p.item == item);
                        s.cart.removeIf(i -> i == item);
                    }
                    catalogListener.accept(r.record());
                }
            }
        }
    }

    private InteractionEvent emit(Session s, Pending p, long ts) {
        InteractionEvent e = new InteractionEvent(GroundTruth.userId(s.user), GroundTruth.itemId(p.item), p.type,
                ts).withSessionId(s.id);
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
