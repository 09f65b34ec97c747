package io.streamrec.job.model;

import io.streamrec.schema.features.ContextSpec;
import io.streamrec.schema.features.QuerySpec;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Forms a user's query as the {@link QuerySpec} says, the same way the serving node forms it from what is
 * published: the user's own vector, plus the weighted recent history items' vectors, plus the mean of the event's
 * context vectors; published as is, or normalized and divided by the temperature.
 *
 * <p>Why the history term: a user who arrived a few events ago has an almost untrained vector, but the items they
 * just touched are well trained; their mean points at similar items at once (the asymmetric, FISM/SVD++ style of
 * factorization), while the user vector learns the rest.
 *
 * <p>Part of {@link Learner}. Thread-safe (immutable), apart from the slot hints it leaves in the user's state.
 */
final class Queries implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * A query as a training step uses it: the recent history items in it and their cache slots (-1: not cached),
     * the raw query and its published form.
     */
    record Query(List<String> recent, int[] recentSlots, float[] raw, float[] serving) {}

    private final ModelParams params;
    private final int dim;
    /** How queries are formed; shared with the serving node, which forms the same queries from what is published. */
    private final QuerySpec querySpec;
    private final ContextSpec contextSpec;
    private final VectorForms forms;

    /** @param params validated */
    Queries(ModelParams params, VectorForms forms) {
        this.params = params;
        this.dim = params.dim();
        this.querySpec = params.querySpec();
        this.contextSpec = querySpec.context();
        this.forms = forms;
    }

    QuerySpec spec() {
        return querySpec;
    }

    /** The context keys of an event at {@code timeMs} with these properties (none when context is off). */
    String[] contextOf(long timeMs, Map<String, String> properties) {
        return contextSpec.keys(timeMs, properties);
    }

    /** The user's query in a context, with the parts a training step needs. */
    Query query(UserState user, ItemVectorCache cache, String[] context) {
        List<String> recent = recentHistory(user);
        int[] slots = recentSlots(user, recent, cache);
        float[] raw = rawQuery(user, cache, recent, slots, context);
        return new Query(recent, slots, raw, servingForm(raw));
    }

    /** The published form of a raw query: itself, or normalized and divided by the temperature. */
    private float[] servingForm(float[] raw) {
        return querySpec.servingForm(raw);
    }

    /**
     * The raw query ({@link QuerySpec}): the user vector plus the weighted recent history items' vectors (as cached;
     * the recent items' cache slots resolved, -1: not cached) plus the context keys' vectors (those in the feature
     * table; an unpublished key counts in the mean and adds nothing, as in serving).
     */
    private float[] rawQuery(UserState user, ItemVectorCache cache, List<String> recent, int[] slots,
                             String[] context) {
        float[] q = user.vector.clone();
        if (!recent.isEmpty()) {
            float[] f = querySpec.historyFactors(recent.size());
            for (int h = 0; h < f.length; h++) {
                if (slots[h] >= 0) {
                    cache.addScaledAt(slots[h], f[h], q, dim);
                } else { // not cached: its initial vector (serving does the same for an item it has none of)
                    querySpec.addTerm(f[h], forms.initialItemVector(recent.get(h)), q);
                }
            }
        }
        if (context.length > 0) {
            float c = contextSpec.factor(context.length);
            FeatureTable table = cache.features();
            for (String key : context) {
                int row = table.rowOf(key);
                if (row >= 0) {
                    table.addScaledTo(row, c, q, 0, dim);
                }
            }
        }
        return q;
    }

    /**
     * The cache slot of each recent history item, -1 for one not cached; read-only (not a use). Most come from
     * the user's hints of the previous query (the window moves by one item per event), checked against the cache,
     * so that a query costs no hash look-up per item; the rest are looked up. The result becomes the new hints.
     */
    private int[] recentSlots(UserState user, List<String> recent, ItemVectorCache cache) {
        int n = recent.size();
        int[] slots = new int[n];
        String[] ids = new String[n];
        String[] hintIds = user.slotHintIds;
        int[] hints = user.slotHints;
        for (int h = 0; h < n; h++) {
            String id = recent.get(h);
            int s = -1;
            if (hintIds != null) {
                for (int m = 0; m < hintIds.length; m++) {
                    if (hintIds[m] == id) {
                        s = cache.holds(hints[m], id) ? hints[m] : -1;
                        break;
                    }
                }
            }
            slots[h] = s >= 0 ? s : cache.peekSlot(id);
            ids[h] = id;
        }
        user.slotHintIds = ids;
        user.slotHints = slots;
        return slots;
    }

    /** The user's most recent history items that enter the query (none when the history term is off). */
    private List<String> recentHistory(UserState user) {
        if (params.historyQueryWeight() == 0 || user.history.isEmpty()) {
            return List.of();
        }
        int n = user.history.size();
        return user.history.subList(Math.max(0, n - params.historyQuerySize()), n);
    }
}
