package io.streamrec.job.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.streamrec.schema.features.Composition;
import io.streamrec.schema.features.ItemFeatures;

/**
 * A UserTower subtask's bounded copy of item vectors: (item id, vector) pairs from the ItemTower's published
 * snapshots go in; vector look-ups and the rank of an item for a query (the prequential metric) come out. A rank
 * scores {@code query . vector + prior}, with the item's popularity prior as serving adds it. When full,
 * the least recently used item is evicted; a {@link #get} or {@link #put} counts as a use.
 *
 * <p>Layout: vectors are stored item-major in one slab (coordinate d of slot j at {@code j * vectorLength + d}),
 * so reading or writing one vector is one contiguous copy. Training reads and writes a hundred or so vectors per
 * event (the positive, the negatives, the history items, the local updates) and ranks all of them only for the
 * sampled events of the prequential metric, so this is the layout to have: a coordinate-major slab, whose ranking
 * scan the JIT vectorizes, made every single-vector access touch {@code vectorLength} cache lines and cut training
 * throughput about ten-fold. The ranking scan scores four items at a time to keep four independent chains busy.
 * The slab grows by doubling up to the capacity, so a large capacity costs memory only when used.
 *
 * <p>Recency is an intrusive doubly linked list over slot numbers: a use costs one hash look-up and four int
 * writes, read-only look-ups reorder nothing, and evicted slots are reused.
 *
 * <p>Not thread-safe; one instance per subtask. Snapshot with {@link #toBytes} (ids and vectors in LRU order).
 */
public final class ItemVectorCache {
    private static final byte FORMAT = 1;
    private static final int INITIAL_STRIDE = 1024;

    private final int capacity;
    private final int vectorLength;
    /** Slots allocated; grows up to capacity. */
    private int stride;
    private float[] slab;
    private float[] scores;
    private String[] idOfSlot;
    private final StringIntMap slots;
    /** Recency list over slots: prev/next slot, -1 at the ends; head = least recently used. */
    private int[] prev;
    private int[] next;
    private int head = -1;
    private int tail = -1;

    // Composition (see the class comment): allocated when the first item with features is put.
    /** Vectors of feature and context keys, by key; not items, so never ranked and never drawn. */
    private final FeatureTable featureTable;
    /** The id part of each slot's vector, for slots with features (else the slab row is the id vector). */
    private float[] idSlab;
    /** Each slot's features; null for none. */
    private ItemFeatures[] featuresOfSlot;
    /** Each slot's features' rows in the feature table (hints, checked before use). */
    private int[][] featureRowHints;
    /** Slots with features. */
    private int composedSlots;
    /**
     * Each slot's popularity prior ({@code QuerySpec#prior}), added to its score when ranking ({@link #rankOf},
     * {@link #topK}) but not part of its vector (training never sees it); null until an item has one.
     */
    private float[] priorOfSlot;

    /**
     * @param capacity most items kept
     * @param vectorLength floats per vector (the model's serving vector length)
     */
    public ItemVectorCache(int capacity, int vectorLength) {
        this(capacity, vectorLength, DEFAULT_FEATURE_CAPACITY);
    }

    /** Default of {@code featureCapacity}: distinct feature and context keys kept (a few per item in practice). */
    public static final int DEFAULT_FEATURE_CAPACITY = 100_000;

    /**
     * @param capacity most items kept
     * @param vectorLength floats per vector (the model's serving vector length)
     * @param featureCapacity most feature and context vectors kept (least recently updated evicted first)
     */
    public ItemVectorCache(int capacity, int vectorLength, int featureCapacity) {
        this.featureTable = new FeatureTable(featureCapacity, vectorLength);
        if (capacity < 1 || vectorLength < 1) {
            throw new IllegalArgumentException(
                    "capacity and vectorLength must be >= 1, got " + capacity + ", " + vectorLength);
        }
        long floats = (long) capacity * vectorLength;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("capacity * vectorLength = " + floats + " floats does not fit one array");
        }
        this.capacity = capacity;
        this.vectorLength = vectorLength;
        this.slots = new StringIntMap();
        allocate(Math.min(capacity, INITIAL_STRIDE));
    }

    /** (Re)allocates the columns with {@code newStride} slots each, keeping every stored vector. */
    private void allocate(int newStride) {
        float[] newSlab = new float[newStride * vectorLength];
        if (slab != null) {
            System.arraycopy(slab, 0, newSlab, 0, stride * vectorLength);
            idOfSlot = java.util.Arrays.copyOf(idOfSlot, newStride);
            if (featuresOfSlot != null) {
                featuresOfSlot = java.util.Arrays.copyOf(featuresOfSlot, newStride);
                featureRowHints = java.util.Arrays.copyOf(featureRowHints, newStride);
                idSlab = java.util.Arrays.copyOf(idSlab, newStride * vectorLength);
            }
            prev = java.util.Arrays.copyOf(prev, newStride);
            next = java.util.Arrays.copyOf(next, newStride);
            if (priorOfSlot != null) {
                priorOfSlot = java.util.Arrays.copyOf(priorOfSlot, newStride);
            }
        } else {
            idOfSlot = new String[newStride];
            prev = new int[newStride];
            next = new int[newStride];
        }
        slab = newSlab;
        scores = new float[newStride];
        stride = newStride;
    }

    /** Stores (a copy of) {@code vector} for {@code itemId}, replacing an older one and evicting the LRU if full. */
    public void put(String itemId, float[] vector) {
        putSlot(itemId, vector);
    }

    /** {@link #put}, returning the slot the vector is now in. */
    int putSlot(String itemId, float[] vector) {
        if (vector.length != vectorLength) {
            throw new IllegalArgumentException(
                    "vector of " + itemId + " has length " + vector.length + ", the cache holds " + vectorLength);
        }
        int slot = touch(itemId);
        if (slot < 0) {
            if (slots.size() < capacity) {
                slot = slots.size();
                if (slot == stride) {
                    allocate((int) Math.min(capacity, 2L * stride));
                }
            } else {
                slot = head;
                unlink(slot);
                slots.remove(idOfSlot[slot]);
            }
            slots.put(itemId, slot);
            idOfSlot[slot] = itemId;
            linkAtTail(slot);
        }
        System.arraycopy(vector, 0, slab, slot * vectorLength, vectorLength);
        setFeatures(slot, null);
        if (priorOfSlot != null) {
            priorOfSlot[slot] = 0f;
        }
        return slot;
    }

    // ---- composition: items with features ----

    /**
     * Stores an item published with features: its id vector and features are kept, and the slot's vector becomes
     * the composition ({@link Composition}) with the feature vectors currently in the table (a feature not in the
     * table contributes nothing, as it does in serving). Without features this is {@link #put}.
     */
    public void putItem(String itemId, float[] idVector, ItemFeatures features) {
        putItem(itemId, idVector, features, 0f);
    }

    /**
     * {@link #putItem(String, float[], ItemFeatures)} with the item's popularity prior ({@code QuerySpec#prior} of
     * its published popularity): added to its score when ranking, never to its vector.
     */
    public void putItem(String itemId, float[] idVector, ItemFeatures features, float prior) {
        int slot = putSlot(itemId, idVector);
        if (features != null && !features.isEmpty()) {
            setFeatures(slot, features);
            System.arraycopy(idVector, 0, idSlab, slot * vectorLength, vectorLength);
            compose(slot);
        }
        if (prior != 0f) {
            if (priorOfSlot == null) {
                priorOfSlot = new float[stride];
            }
            priorOfSlot[slot] = prior;
        }
    }

    /** The popularity prior the cache ranks {@code itemId} with (0 for none or when not cached). Not a use. */
    public float priorOf(String itemId) {
        int slot = slots.get(itemId);
        return slot < 0 || priorOfSlot == null ? 0f : priorOfSlot[slot];
    }

    /** Stores the vector of a feature or context key (not an item: never ranked, never evicts an item). */
    public void putFeature(String key, float[] vector) {
        if (vector.length != vectorLength) {
            throw new IllegalArgumentException(
                    "vector of " + key + " has length " + vector.length + ", the cache holds " + vectorLength);
        }
        featureTable.put(key, vector);
    }

    /** The vector of a feature or context key, or null when none has been published. Not a copy: do not modify. */
    public float[] featureVector(String key) {
        return featureTable.get(key);
    }

    /** The table of feature and context vectors. */
    public FeatureTable features() {
        return featureTable;
    }

    /** The features of a cached item ({@link ItemFeatures#NONE} for none, null when not cached). Not a use. */
    public ItemFeatures featuresOf(String itemId) {
        int slot = slots.get(itemId);
        return slot < 0 ? null : featuresAt(slot);
    }

    /** The features of the item in an occupied slot ({@link ItemFeatures#NONE} for none). */
    ItemFeatures featuresAt(int slot) {
        ItemFeatures f = featuresOfSlot == null ? null : featuresOfSlot[slot];
        return f == null ? ItemFeatures.NONE : f;
    }

    /** The id part of a cached item's vector (a copy): the vector itself for an item without features. */
    public float[] idVector(String itemId) {
        int slot = slots.get(itemId);
        if (slot < 0) {
            return null;
        }
        float[] out = new float[vectorLength];
        float[] src = featuresOfSlot != null && featuresOfSlot[slot] != null ? idSlab : slab;
        System.arraycopy(src, slot * vectorLength, out, 0, vectorLength);
        return out;
    }

    /** Items with features. */
    public int composedItems() {
        return composedSlots;
    }

    /**
     * Composes every item with features again from its id vector and the feature vectors now in the table: call when
     * feature vectors have changed (once per complete snapshot), so that items whose own vectors did not change see
     * their features' new vectors. Costs one composition per item with features.
     */
    public void recomposeAll() {
        if (composedSlots == 0) {
            return;
        }
        int n = slots.size();
        for (int s = 0; s < n; s++) {
            if (featuresOfSlot[s] != null) {
                compose(s);
            }
        }
    }

    private void compose(int slot) {
        ItemFeatures f = featuresOfSlot[slot];
        int base = slot * vectorLength;
        System.arraycopy(idSlab, base, slab, base, vectorLength);
        int[] hints = featureRowHints[slot];
        for (int i = 0; i < f.size(); i++) {
            String key = f.key(i);
            int row = featureTable.holds(hints[i], key) ? hints[i] : featureTable.rowOf(key);
            hints[i] = row;
            if (row >= 0) {
                featureTable.addScaledTo(row, f.weight(i), slab, base);
            }
        }
    }

    private void setFeatures(int slot, ItemFeatures f) {
        if (f == null && (featuresOfSlot == null || featuresOfSlot[slot] == null)) {
            return;
        }
        if (featuresOfSlot == null) {
            featuresOfSlot = new ItemFeatures[stride];
            featureRowHints = new int[stride][];
            idSlab = new float[stride * vectorLength];
        }
        if (featuresOfSlot[slot] != null) {
            composedSlots--;
        }
        featuresOfSlot[slot] = f;
        if (f != null) {
            composedSlots++;
            int[] hints = new int[f.size()];
            java.util.Arrays.fill(hints, -1);
            featureRowHints[slot] = hints;
        } else {
            featureRowHints[slot] = null;
        }
    }

    /**
     * Drops an item (retired, or its state expired): it is no longer ranked or drawn from this cache. The last slot
     * moves into the freed one, so slot hints held elsewhere for it become stale (they are checked before use).
     */
    public boolean remove(String itemId) {
        int slot = slots.get(itemId);
        if (slot < 0) {
            return false;
        }
        setFeatures(slot, null);
        unlink(slot);
        slots.remove(itemId);
        int last = slots.size(); // after the removal: the highest occupied slot
        if (slot != last) {
            String moved = idOfSlot[last];
            System.arraycopy(slab, last * vectorLength, slab, slot * vectorLength, vectorLength);
            idOfSlot[slot] = moved;
            slots.put(moved, slot);
            if (featuresOfSlot != null && featuresOfSlot[last] != null) {
                System.arraycopy(idSlab, last * vectorLength, idSlab, slot * vectorLength, vectorLength);
                featuresOfSlot[slot] = featuresOfSlot[last];
                featureRowHints[slot] = featureRowHints[last];
                featuresOfSlot[last] = null;
                featureRowHints[last] = null;
            }
            if (priorOfSlot != null) {
                priorOfSlot[slot] = priorOfSlot[last];
                priorOfSlot[last] = 0f;
            }
            // Take over the moved slot's place in the recency list.
            int p = prev[last];
            int nx = next[last];
            prev[slot] = p;
            next[slot] = nx;
            if (p >= 0) {
                next[p] = slot;
            } else {
                head = slot;
            }
            if (nx >= 0) {
                prev[nx] = slot;
            } else {
                tail = slot;
            }
        }
        idOfSlot[last] = null;
        return true;
    }

    // Slot access, for the training step: it resolves each item's slot once (often from a hint kept with the
    // negative buffer's entry, without a hash look-up) and then reads and updates the vector by slot. A slot is
    // only valid while it holds the same id: callers check with holds() before reusing one.

    /** The slot of {@code itemId}, counting as a use; -1 when not cached. */
    int slotOf(String itemId) {
        return touch(itemId);
    }

    /** Whether {@code slot} currently holds {@code itemId}. Does not count as a use. */
    boolean holds(int slot, String itemId) {
        if (slot < 0 || slot >= slots.size()) {
            return false;
        }
        String id = idOfSlot[slot];
        return id == itemId || itemId.equals(id);
    }

    /** The id an occupied slot holds: the very instance the cache's table uses as its key. */
    String idAt(int slot) {
        return idOfSlot[slot];
    }

    /** Counts a use of an occupied slot (moves it to the most-recent end). */
    void use(int slot) {
        if (slot != tail) {
            unlink(slot);
            linkAtTail(slot);
        }
    }

    /** A copy of the vector in an occupied slot. */
    float[] vectorAt(int slot) {
        float[] out = new float[vectorLength];
        System.arraycopy(slab, slot * vectorLength, out, 0, vectorLength);
        return out;
    }

    /** Copies the vector in an occupied slot into {@code out}. */
    void copyVectorAt(int slot, float[] out) {
        System.arraycopy(slab, slot * vectorLength, out, 0, vectorLength);
    }

    /** Overwrites the vector in an occupied slot. */
    void setVectorAt(int slot, float[] vector) {
        System.arraycopy(vector, 0, slab, slot * vectorLength, vectorLength);
    }

    /** {@code vector(slot) += alpha * x} for an occupied slot. */
    void axpyAt(int slot, float alpha, float[] x) {
        int base = slot * vectorLength;
        for (int d = 0; d < vectorLength; d++) {
            slab[base + d] += alpha * x[d];
        }
        if (featuresOfSlot != null && featuresOfSlot[slot] != null) {
            // The update belongs to the id part (the features learn at the ItemTower), so that a recomposition
            // before the next snapshot keeps it.
            for (int d = 0; d < vectorLength; d++) {
                idSlab[base + d] += alpha * x[d];
            }
        }
    }

    /** Copies the vector of {@code itemId} into {@code out}; false (out untouched) when not cached. */
    public boolean get(String itemId, float[] out) {
        int slot = touch(itemId);
        if (slot < 0) {
            return false;
        }
        System.arraycopy(slab, slot * vectorLength, out, 0, vectorLength);
        return true;
    }

    /** {@link #get(String, float[])} without counting as a use (the recency order stays as it is). */
    public boolean peek(String itemId, float[] out) {
        int slot = slots.get(itemId);
        if (slot < 0) {
            return false;
        }
        System.arraycopy(slab, slot * vectorLength, out, 0, vectorLength);
        return true;
    }

    /**
     * The slot of {@code itemId}, -1 when not cached. A read-only look-up: it does not count as a use (the items a
     * query reads are kept recent by their own events and by every snapshot that carries them), which spares a
     * reordering of the recency list per read.
     */
    int peekSlot(String itemId) {
        return slots.get(itemId);
    }

    /** {@code acc[d] += factor * vector(slot)[d]} for d below {@code n}, for an occupied slot; not a use. */
    void addScaledAt(int slot, float factor, float[] acc, int n) {
        int base = slot * vectorLength;
        for (int d = 0; d < n; d++) {
            acc[d] += factor * slab[base + d];
        }
    }

    /** A copy of the vector of {@code itemId}, or null when not cached. */
    public float[] get(String itemId) {
        float[] out = new float[vectorLength];
        return get(itemId, out) ? out : null;
    }

    /** Moves {@code itemId} to the most-recent end; returns its slot, or -1 when absent. */
    private int touch(String itemId) {
        int slot = slots.get(itemId);
        if (slot >= 0 && slot != tail) {
            unlink(slot);
            linkAtTail(slot);
        }
        return slot;
    }

    private void unlink(int s) {
        int p = prev[s];
        int n = next[s];
        if (p >= 0) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
    }

    private void linkAtTail(int s) {
        prev[s] = tail;
        next[s] = -1;
        if (tail >= 0) {
            next[tail] = s;
        } else {
            head = s;
        }
        tail = s;
    }

    /** Whether {@code itemId} is cached; does not count as a use. */
    public boolean contains(String itemId) {
        return slots.containsKey(itemId);
    }

    /**
     * Rank of {@code targetId} for {@code query} among all cached items except those in {@code exclude}: the number
     * of other cached, non-excluded items scoring at least as high (ties count against the target, so the metric is
     * never flattered). -1 when the target is not cached. Does not count as a use.
     */
    public int rankOf(float[] query, String targetId, Set<String> exclude) {
        return rankOf(query, targetId, exclude, Integer.MAX_VALUE);
    }

    /**
     * {@link #rankOf(float[], String, Set)} capped at {@code limit}: returns {@code limit} as soon as that many
     * items are known to outrank the target (a metric that only asks "in the top k?" needs no more).
     */
    public int rankOf(float[] query, String targetId, Set<String> exclude, int limit) {
        int target = slots.get(targetId);
        if (target < 0) {
            return -1;
        }
        int n = slots.size();
        float ts = scoreOf(query, target, n);
        float[] s = scores;
        int rank = 0;
        // Block by block, so that a target outranked by `limit` items early in the slab stops the scan there.
        for (int from = 0; from < n; from += RANK_BLOCK) {
            int to = Math.min(n, from + RANK_BLOCK);
            scoreRange(query, from, to, n);
            for (int j = from; j < to; j++) {
                // The exclusion set is consulted only for items that outrank the target: a few per event, not n.
                if (s[j] >= ts && j != target && !exclude.contains(idOfSlot[j]) && ++rank >= limit) {
                    return limit;
                }
            }
        }
        return rank;
    }

    /** Slots per block of {@link #rankOf}'s scan; a multiple of 4, so blocks split no group of the kernel. */
    private static final int RANK_BLOCK = 1024;

    /** The score {@link #scores} gives slot {@code j} of {@code n}, bit for bit (same order of operations). */
    private float scoreOf(float[] query, int j, int n) {
        int len = vectorLength;
        int base = j * len;
        float prior = priorOfSlot == null ? 0f : priorOfSlot[j];
        if (j >= (n & ~3)) {
            return Vectors.dot(query, slab, base, len) + prior; // the kernel's tail
        }
        float sum = 0f;
        for (int d = 0; d < len; d++) {
            sum += query[d] * slab[base + d];
        }
        return sum + prior;
    }

    /** Scores of slots [0, n) for {@code query}, in the reused scratch array; four items per step. */
    private float[] scores(float[] query, int n) {
        scoreRange(query, 0, n, n);
        return scores;
    }

    /**
     * Scores of slots [from, to) of {@code n} into the scratch array; {@code from} a multiple of 4 and {@code to}
     * either one or {@code n}, so that every slot gets the score a single pass over [0, n) would give it.
     */
    private void scoreRange(float[] query, int from, int to, int n) {
        float[] s = scores;
        float[] m = slab;
        int len = vectorLength;
        int j = from;
        for (; j + 3 < to; j += 4) {
            int b0 = j * len;
            int b1 = b0 + len;
            int b2 = b1 + len;
            int b3 = b2 + len;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (int d = 0; d < len; d++) {
                float q = query[d];
                s0 += q * m[b0 + d];
                s1 += q * m[b1 + d];
                s2 += q * m[b2 + d];
                s3 += q * m[b3 + d];
            }
            s[j] = s0;
            s[j + 1] = s1;
            s[j + 2] = s2;
            s[j + 3] = s3;
        }
        for (; j < to; j++) {
            s[j] = Vectors.dot(query, m, j * len, len);
        }
        float[] p = priorOfSlot;
        if (p != null) {
            for (int i = from; i < to; i++) {
                s[i] += p[i];
            }
        }
    }

    /**
     * The {@code k} best-scoring cached items for {@code query} that are not in {@code exclude}, best first
     * (ties: lower slot first). For diagnostics and the simulator; serving has its own index.
     */
    public List<String> topK(float[] query, int k, Set<String> exclude) {
        int n = slots.size();
        float[] s = scores(query, n);
        // A simple bounded selection: k is small (tens), so insertion into a sorted prefix is fine.
        int[] best = new int[Math.max(0, Math.min(k, n))];
        int size = 0;
        for (int j = 0; j < n && best.length > 0; j++) {
            if (size == best.length && s[j] <= s[best[size - 1]]) {
                continue;
            }
            // After the threshold test: the exclusion set is consulted for the few items that would enter the top
            // k, not for every cached item (its look-ups cost more than the scores).
            if (exclude.contains(idOfSlot[j])) {
                continue;
            }
            int pos = size < best.length ? size++ : size - 1;
            while (pos > 0 && s[best[pos - 1]] < s[j]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = j;
        }
        List<String> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(idOfSlot[best[i]]);
        }
        return out;
    }

    public int size() {
        return slots.size();
    }

    public int capacity() {
        return capacity;
    }

    public int vectorLength() {
        return vectorLength;
    }

    /** The cached ids, least recently used first. */
    public List<String> idsByRecency() {
        List<String> ids = new ArrayList<>(slots.size());
        for (int s = head; s >= 0; s = next[s]) {
            ids.add(idOfSlot[s]);
        }
        return ids;
    }

    /** Serializes capacity, vector length and the entries eldest first. */
    public byte[] toBytes() {
        return StateBytes.write(FORMAT, out -> {
            out.writeInt(capacity);
            out.writeInt(vectorLength);
            out.writeInt(slots.size());
            for (int s = head; s >= 0; s = next[s]) {
                StateBytes.writeString(out, idOfSlot[s]);
                for (int d = 0; d < vectorLength; d++) {
                    out.writeFloat(slab[s * vectorLength + d]);
                }
            }
        });
    }

    /** Restores a cache written by {@link #toBytes}, with the same contents and LRU order. */
    public static ItemVectorCache fromBytes(byte[] data) {
        return StateBytes.read(data, FORMAT, "item vector cache", in -> {
            ItemVectorCache c = new ItemVectorCache(in.readInt(), in.readInt());
            int n = in.readInt();
            float[] v = new float[c.vectorLength];
            for (int k = 0; k < n; k++) {
                String id = StateBytes.readString(in);
                for (int i = 0; i < v.length; i++) {
                    v[i] = in.readFloat();
                }
                c.put(id, v);
            }
            return c;
        });
    }
}
