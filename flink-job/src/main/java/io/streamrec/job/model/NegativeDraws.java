package io.streamrec.job.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Opens and closes a subtask's {@link NegativeWindow}: draws its candidates from the {@link NegativeBuffer}, and
 * turns its summed gradients into one record per candidate when it closes.
 *
 * <p>Part of {@link Learner}. Thread-safe (immutable); the windows it fills are not.
 */
final class NegativeDraws implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelParams params;
    private final VectorForms forms;

    /** @param params validated */
    NegativeDraws(ModelParams params, VectorForms forms) {
        this.params = params;
        this.forms = forms;
    }

    /**
     * Draws a new window: {@code model.negatives} draws from the buffer, repeated ids merged into one candidate
     * whose logit correction is lowered by {@code log(multiplicity)} (m equal terms of the sampled sum are one term
     * times m), each distinct candidate's vector copied once. The buffer entry marks its first draw of this window
     * (de-duplication without hashing), knows its window count (logQ) and remembers its cache slot.
     */
    void draw(NegativeWindow w, NegativeBuffer negatives, ItemVectorCache cache, RandomGenerator rng) {
        w.reset(params.sharedNegativeEvents());
        int k = w.draws;
        long epoch = negatives.nextEpoch();
        for (int i = 0; i < k; i++) {
            FrequencyEstimator.Entry e = negatives.sampleEntry(rng);
            if (e.drawEpoch == epoch) {
                w.multiplicity[e.firstDraw]++;
                continue;
            }
            e.drawEpoch = epoch;
            int j = w.add(e);
            e.firstDraw = j;
            int s = slotOf(e, cache);
            w.slot[j] = s;
            cache.copyVectorAt(s, w.vectors[j]);
            w.correction[j] = params.logq() ? Math.log(k * negatives.probability(e)) : 0.0;
        }
        for (int j = 0; j < w.size; j++) {
            if (w.multiplicity[j] > 1) {
                w.correction[j] -= Math.log(w.multiplicity[j]);
            }
        }
    }

    /** {@link VectorForms#slotOf} through the entry's slot hint: no hash look-up when it holds. */
    private int slotOf(FrequencyEstimator.Entry e, ItemVectorCache cache) {
        int s = e.cacheSlot;
        if (cache.holds(s, e.id)) {
            cache.use(s);
            return s;
        }
        s = forms.slotOf(e.id, cache);
        e.cacheSlot = s;
        return s;
    }

    /**
     * Closes the subtask's open negative window early and returns its summed gradients (one record per candidate
     * with a pending gradient; empty when none): call before sending a bundle or taking a checkpoint, so that the
     * negatives' gradients travel with it. The next step draws a new window.
     */
    StepResult closeNegatives(NegativeBuffer negatives) {
        NegativeWindow w = negatives.currentWindow();
        if (w == null || !w.isOpen()) {
            return new StepResult(0.0, List.of(), 0, 0, null);
        }
        ArrayList<ItemGradient> out = new ArrayList<>(w.size);
        IntList outSlots = new IntList(w.size);
        close(w, out, outSlots);
        return new StepResult(0.0, out, 0, 0, null, outSlots.toArray());
    }

    /** Appends the window's pending sums to a step's records and empties it. */
    static void close(NegativeWindow w, List<ItemGradient> out, IntList outSlots) {
        for (int j = 0; j < w.size; j++) {
            if (w.appearances[j] > 0) {
                out.add(new ItemGradient(w.entries[j].id, w.gradients[j].clone(), w.appearances[j]));
                outSlots.add(w.slot[j]);
            }
        }
        w.reset(0);
    }
}
