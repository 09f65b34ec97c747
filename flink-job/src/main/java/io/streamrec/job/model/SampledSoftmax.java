package io.streamrec.job.model;

/**
 * Sampled softmax loss of one query against one positive and a few sampled negatives, with the logQ correction:
 * a query vector, candidate vectors (index 0 is the positive), per-candidate logit corrections and a mask go in;
 * the weighted loss and its gradients with respect to the query and every candidate come out.
 *
 * <pre>
 *   z_j  = (q . c_j) / temperature - correction_j          for unmasked j
 *   loss = weight * (logsumexp_j z_j - z_0)
 *   dL/dq   = sum_j weight * (p_j - [j == 0]) * c_j / temperature
 *   dL/dc_j = weight * (p_j - [j == 0]) / temperature * q  = coefficient_j * q
 * </pre>
 *
 * <p>The correction is {@code log(K * Q(j))} for a negative drawn K times from a proposal Q: it turns the sampled
 * sum into an importance-sampling estimate of the full softmax's partition function, so the model learns the
 * full-softmax scores (which rank all items) instead of scores that punish popular items for being sampled often
 * (Yi et al., RecSys 2019; Bengio and Senecal 2008). Masked candidates (accidental hits of the positive, items the
 * user already has) drop out of the softmax and get no gradient.
 *
 * <p>The gradient with respect to a candidate is always a multiple of the query, so it is returned as one
 * coefficient per candidate; this is also what lets the caller sum gradients per item cheaply.
 *
 * <p>Arithmetic is in double (logits, log-sum-exp, probabilities), gradients are returned as float. Thread-safe.
 */
public final class SampledSoftmax {
    private SampledSoftmax() {}

    /** What one evaluation of the loss produced. */
    public static final class Result {
        /** Weighted loss; 0 when every negative is masked (a softmax over the positive alone is constant). */
        public final double loss;
        /** dLoss/dQuery, same length as the query. */
        public final float[] queryGradient;
        /** dLoss/dCandidate_j = candidateCoefficients[j] * query; 0 for masked candidates. */
        public final float[] candidateCoefficients;
        /** Softmax probability of each candidate (0 when masked). */
        public final double[] probabilities;

        Result(double loss, float[] queryGradient, float[] candidateCoefficients, double[] probabilities) {
            this.loss = loss;
            this.queryGradient = queryGradient;
            this.candidateCoefficients = candidateCoefficients;
            this.probabilities = probabilities;
        }

        /** The gradient with respect to candidate {@code j} as a new vector (coefficient times query). */
        public float[] candidateGradient(int j, float[] query) {
            float[] g = new float[query.length];
            Vectors.axpy(candidateCoefficients[j], query, g);
            return g;
        }
    }

    /**
     * Evaluates the loss and its gradients.
     *
     * @param query the query (user) vector
     * @param candidates candidate vectors, each as long as the query; index 0 is the positive
     * @param correction subtracted from each candidate's logit (logQ correction); null for none
     * @param masked true for candidates to leave out; null for none; index 0 must not be masked
     * @param temperature divides the dot products; 1 for plain logits
     * @param weight multiplies the loss and the gradients (event weight)
     */
    public static Result compute(float[] query, float[][] candidates, double[] correction, boolean[] masked,
                                 float temperature, float weight) {
        int n = candidates.length;
        if (n == 0) {
            throw new IllegalArgumentException("need at least the positive candidate");
        }
        if (masked != null && masked[0]) {
            throw new IllegalArgumentException("the positive (index 0) cannot be masked");
        }
        double invT = 1.0 / temperature;
        double[] z = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (masked != null && masked[j]) {
                continue;
            }
            double zj = Vectors.dot(query, candidates[j]) * invT - (correction == null ? 0.0 : correction[j]);
            z[j] = zj;
            max = Math.max(max, zj);
        }
        double sum = 0.0;
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            if (masked == null || !masked[j]) {
                p[j] = Math.exp(z[j] - max);
                sum += p[j];
            }
        }
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
        }
        double loss = weight * (max + Math.log(sum) - z[0]);

        float[] gq = new float[query.length];
        float[] coef = new float[n];
        for (int j = 0; j < n; j++) {
            if (masked != null && masked[j]) {
                continue;
            }
            double dz = weight * (p[j] - (j == 0 ? 1.0 : 0.0));
            if (dz == 0.0) {
                continue;
            }
            float c = (float) (dz * invT);
            coef[j] = c;
            Vectors.axpy(c, candidates[j], gq);
        }
        return new Result(loss, gq, coef, p);
    }
}
