package io.streamrec.serving.retrieval;

/** How a query scores a candidate. */
public enum Similarity {
    /** The two-tower model's score: the plain dot product. */
    DOT,
    /** Dot product of the normalized vectors; used for item-to-item similarity, where popularity (norm) should
     * not dominate. */
    COSINE
}
