package io.streamrec.job.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the UserTower keeps per user key: the user's vector and Adagrad accumulator, the user's most recent
 * distinct items (oldest first) and event counters. {@link Learner#train} updates it in place.
 *
 * <p>Shaped as a Flink POJO (public no-arg constructor, public fields of POJO-friendly types), so that a
 * {@code ValueState<UserState>} uses the POJO serializer rather than Kryo; {@link #toBytes}/{@link #fromBytes}
 * exist for callers that prefer raw bytes. Not thread-safe.
 */
public class UserState implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final byte FORMAT = 1;

    /** The user's serving vector (with the item bias on, its last coordinate is a constant 1). */
    public float[] vector;
    /** Adagrad accumulator, one per coordinate of {@link #vector}. */
    public float[] accumulator;
    /** Most recent distinct item ids, oldest first, at most {@code model.history.max}. */
    public ArrayList<String> history;
    /** Events trained on. */
    public long events;
    /** Event time of the newest event, epoch ms. */
    public long lastEventTime;
    /** The history as a hash set, built on first use and kept in step by {@link #remember}; not serialized. */
    private transient HistoryIndex index;
    /**
     * The cache slots the last query found for its history items ({@link Learner}), by id instance: a hint that
     * spares the next query a hash look-up per item (it is verified against the cache before use); not serialized.
     */
    transient String[] slotHintIds;
    transient int[] slotHints;

    public UserState() {}

    public UserState(float[] vector, float[] accumulator) {
        this.vector = vector;
        this.accumulator = accumulator;
        this.history = new ArrayList<>();
    }

    /** The history as a set, for exclusion and masking (a fresh copy per call). */
    public Set<String> historySet() {
        return new HashSet<>(history);
    }

    /**
     * Records {@code itemId} as the most recent item: moved to the end if already present (a re-interaction
     * refreshes it), and the oldest dropped beyond {@code max}.
     */
    public void remember(String itemId, int max) {
        HistoryIndex idx = historyIndex();
        if (idx.contains(itemId)) { // else there is nothing to remove: no scan of the list
            history.remove(itemId);
        } else {
            idx.add(itemId);
        }
        history.add(itemId);
        // max 0 keeps nothing; while over, drop from the old end. Removing index 0 of an ArrayList shifts the
        // rest (one contiguous copy of a few hundred references), which is fine once per event.
        while (history.size() > max) {
            idx.remove(history.remove(0));
        }
    }

    /** The history as a set for membership tests; valid while the history changes only through {@link #remember}. */
    HistoryIndex historyIndex() {
        if (index == null) {
            index = HistoryIndex.of(history);
        }
        return index;
    }

    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            StateBytes.writeFloats(out, vector);
            StateBytes.writeFloats(out, accumulator);
            out.writeInt(history.size());
            for (String id : history) {
                StateBytes.writeString(out, id);
            }
            out.writeLong(events);
            out.writeLong(lastEventTime);
        });
    }

    public static UserState fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "user state", in -> {
            UserState u = new UserState(StateBytes.readFloats(in), StateBytes.readFloats(in));
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                u.history.add(StateBytes.readString(in));
            }
            u.events = in.readLong();
            u.lastEventTime = in.readLong();
            return u;
        });
    }

    /** A defensive copy of {@code history}, for callers that hold on to it. */
    public List<String> historyCopy() {
        return new ArrayList<>(history);
    }
}
