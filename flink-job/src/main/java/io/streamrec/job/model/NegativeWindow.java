package io.streamrec.job.model;

import java.util.Arrays;

/**
 * One draw of negatives shared by the next {@code model.negatives.shared-events} training steps of a UserTower
 * subtask, the streaming form of a batch's in-batch negatives: {@link Learner#train} draws K ids from the
 * {@link NegativeBuffer}, merges repeated draws into one candidate with a multiplicity, copies their vectors once,
 * and then every step of the window scores against the same candidates and adds its gradients to per-candidate
 * sums. When the window closes (after its last step, or earlier on {@link Learner#closeNegatives} before a bundle
 * is sent or a checkpoint is taken) the sums leave as one gradient record per candidate.
 *
 * <p>Within a window the candidates' vectors are those of the draw (a mini-batch reads its negatives once); the
 * summed update reaches the local cache and the ItemTower when the window closes. With one event per window this
 * is exactly per-event sampling.
 *
 * <p>Owned by a {@link NegativeBuffer} ({@link NegativeBuffer#window}) and not part of its snapshot: callers close
 * it before a checkpoint, so nothing pending is lost. Not thread-safe.
 */
final class NegativeWindow {
    /** Draws per window (model.negatives) and floats per vector. */
    final int draws;
    final int length;

    /** Distinct candidates in [0, size). */
    int size;
    final FrequencyEstimator.Entry[] entries;
    /** How many of the draws were this candidate. */
    final int[] multiplicity;
    /** Logit correction: log(K * Q) with the logQ correction (0 without), minus log(multiplicity). */
    final double[] correction;
    /** Cache slot of the candidate when drawn (a hint for the closing update; verified before use). */
    final int[] slot;
    /** The candidates' vectors as drawn, one array per candidate. */
    final float[][] vectors;
    /** Summed gradients with respect to each candidate's vector over the window's steps so far. */
    final float[][] gradients;
    /** Summed draw appearances (unmasked) per candidate. */
    final int[] appearances;
    /** Steps left before the window closes; 0 when no window is open. */
    int stepsLeft;

    NegativeWindow(int draws, int length) {
        this.draws = draws;
        this.length = length;
        entries = new FrequencyEstimator.Entry[draws];
        multiplicity = new int[draws];
        correction = new double[draws];
        slot = new int[draws];
        vectors = new float[draws][length];
        gradients = new float[draws][length];
        appearances = new int[draws];
    }

    boolean isOpen() {
        return stepsLeft > 0;
    }

    /** Starts an empty window of {@code steps} steps. */
    void reset(int steps) {
        for (int j = 0; j < size; j++) {
            entries[j] = null;
            Arrays.fill(gradients[j], 0f);
            appearances[j] = 0;
        }
        size = 0;
        stepsLeft = steps;
    }

    /** Adds a candidate (its first draw) and returns its index. */
    int add(FrequencyEstimator.Entry e) {
        int j = size++;
        entries[j] = e;
        multiplicity[j] = 1;
        return j;
    }
}
