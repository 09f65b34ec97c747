package io.streamrec.serving.retrieval;

/**
 * The item ordinals a query must not return, as a bitset over one {@link ItemMatrix}'s ordinals. Top-k checks it
 * only when a candidate would enter the heap, so its cost is proportional to k, not to the number of items.
 *
 * <p>Build with {@link #builder}; the built instance is immutable and thread-safe, the builder is not.
 */
public final class Exclusion {
    private static final Exclusion NONE = new Exclusion(new long[0], 0);

    private final long[] bits;
    private final int count;

    private Exclusion(long[] bits, int count) {
        this.bits = bits;
        this.count = count;
    }

    public static Exclusion none() {
        return NONE;
    }

    /** A builder for a matrix of {@code size} items. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    public boolean contains(int ordinal) {
        int w = ordinal >>> 6;
        return w < bits.length && (bits[w] & (1L << ordinal)) != 0;
    }

    /** How many distinct ordinals are excluded. */
    public int count() {
        return count;
    }

    /** Accumulates ordinals; not thread-safe. */
    public static final class Builder {
        private final long[] bits;
        private int count;

        private Builder(int size) {
            this.bits = new long[(size + 63) >>> 6];
        }

        /** Adds an ordinal; negative ordinals (items not in the matrix) are ignored. */
        public Builder add(int ordinal) {
            if (ordinal >= 0) {
                int w = ordinal >>> 6;
                long m = 1L << ordinal;
                if ((bits[w] & m) == 0) {
                    bits[w] |= m;
                    count++;
                }
            }
            return this;
        }

        public Exclusion build() {
            return count == 0 ? NONE : new Exclusion(bits, count);
        }
    }
}
