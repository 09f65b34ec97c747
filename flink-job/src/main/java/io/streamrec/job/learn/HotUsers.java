package io.streamrec.job.learn;

import io.streamrec.job.model.Learner;
import io.streamrec.job.model.UserState;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * A UserTower subtask's user states: in RocksDB (keyed state {@code user}), with the recently active users in a
 * bounded write-back cache on the heap ({@link HotStates}, {@code state.hot-users} per subtask), as in the
 * ItemTower: an event of a hot user, and the publication of its vector, cost no RocksDB access and no
 * (de)serialization of its history; changed users are written back when evicted and before every checkpoint
 * ({@link #persistAll}), so every checkpoint holds every trained event. Expiry ({@code state.ttl.users}) counts
 * from the last write, at most one checkpoint interval after the user's last event; a hot user idle for the TTL is
 * dropped on its next event and read back (expired).
 *
 * <p>Writing an evicted user back needs that user's key to be the operator's current key (given as functions),
 * which is why the UserTower is an operator and not a process function. Not thread-safe; one per subtask.
 */
final class HotUsers {
    /**
     * The hot users' histories may hold this many items per user on average, so that the heap they take stays near
     * {@code state.hot-users} x (0.7 KB + 100 x ~100 B) whatever {@code model.history.max} is: with long histories
     * fewer users stay hot.
     */
    static final int HISTORY_ITEMS_PER_HOT_USER = 100;

    /** A hot user: its state, changed or not since it was last written to RocksDB. */
    static final class HotUser extends HotStates.Entry {
        final UserState state;
        /**
         * The publish timer registered for this user and not yet fired, 0 for none known: registering the same
         * timer again is a no-op in the timer service, but still costs its de-duplication look-up per event.
         * Not persisted; a user loaded from RocksDB (or after a restore) starts at 0 and registers once.
         */
        long publishTimerAt;

        HotUser(UserState state) {
            this.state = state;
        }
    }

    private final ValueState<UserState> stored;
    private final Learner learner;
    /** The operator's current key, which keyed state reads and writes. */
    private final Supplier<Object> currentKey;
    private final Consumer<Object> setCurrentKey;
    private final HotStates<HotUser> hot;
    private final Counter reads;
    private final Counter writes;

    /**
     * @param stored the keyed state {@code user}
     * @param learner makes the state of a new user
     * @param currentKey the operator's current key, and {@code setCurrentKey} to change it
     * @param metrics where the counters and gauge are registered
     */
    HotUsers(TowerSettings settings, ValueState<UserState> stored, Learner learner, Supplier<Object> currentKey,
             Consumer<Object> setCurrentKey, MetricGroup metrics) {
        this.stored = stored;
        this.learner = learner;
        this.currentKey = currentKey;
        this.setCurrentKey = setCurrentKey;
        hot = new HotStates<>(settings.userHotCapacity, (long) settings.userHotCapacity * HISTORY_ITEMS_PER_HOT_USER,
                settings.userTtl == null ? 0 : settings.userTtl.toMillis(), this::load, this::writeBack);
        reads = metrics.counter("userStateReads");
        writes = metrics.counter("userStateWrites");
        metrics.gauge("hotUsers", () -> hot.size());
    }

    /** The user of the current key, counting as a use at {@code nowMs}: hot, or read from RocksDB, or new. */
    HotUser get(String userId, long nowMs) throws Exception {
        return hot.get(userId, nowMs);
    }

    /** Marks a hot user's state changed (written back later), its history maybe longer. */
    void changed(HotUser h) throws Exception {
        h.unpersisted = true;
        hot.reweigh(h, h.state.history.size());
    }

    /** The hot user of {@code userId}, null when not on the heap; not a use. */
    HotUser peek(String userId) {
        return hot.peek(userId);
    }

    /** The current key's state in RocksDB, null for none. */
    UserState stored() throws Exception {
        return stored.value();
    }

    /** Writes every changed hot user to RocksDB (before a checkpoint); they stay hot. */
    void persistAll() throws Exception {
        hot.forEachUnpersisted(this::persist);
    }

    /** A user not on the heap (the current key): from RocksDB, or a new user. */
    private HotUser load(String userId) throws Exception {
        UserState s = stored.value();
        reads.inc();
        HotUser h = new HotUser(s != null ? s : learner.newUser(userId));
        h.weight = h.state.history.size();
        return h;
    }

    /** An evicted user: written back if changed, then the current key restored. */
    private void writeBack(String userId, HotUser h) throws Exception {
        if (h.unpersisted) {
            Object current = currentKey.get();
            persist(userId, h);
            setCurrentKey.accept(current);
        }
    }

    private void persist(String userId, HotUser h) throws Exception {
        setCurrentKey.accept(userId);
        stored.update(h.state);
        writes.inc();
    }
}
