package io.streamrec.job.model;

/** A growable list of ints, for the few dozen cache slots of one training step. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
        values = new int[Math.max(1, capacity)];
    }

    void add(int v) {
        if (size == values.length) {
            values = java.util.Arrays.copyOf(values, 2 * size);
        }
        values[size++] = v;
    }

    int[] toArray() {
        return java.util.Arrays.copyOf(values, size);
    }
}
