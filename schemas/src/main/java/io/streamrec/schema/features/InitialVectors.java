package io.streamrec.schema.features;

import java.nio.charset.StandardCharsets;

/**
 * The starting vector of a never-seen user or item: a string id goes in, {@code dim} gaussian floats with mean 0
 * and standard deviation {@code scale} come out, as a pure function of (id, seed, dim, scale).
 *
 * <p>Every UserTower subtask, the ItemTower and the serving node must agree on this vector without talking to each
 * other (a cache miss on one subtask and the first gradient on another must refer to the same point), on every
 * JVM and in every run. So nothing here uses {@link java.util.Random}, {@code String.hashCode} or {@code Math}
 * transcendental functions: the id is hashed with FNV-1a 64 over its UTF-8 bytes and a splitmix64 finalizer, the
 * stream is splitmix64, and the Box-Muller transform uses {@link StrictMath}, which is specified bit-for-bit
 * (fdlibm), whereas {@code Math.log/cos} may use CPU intrinsics that differ in the last bit.
 *
 * <p>Thread-safe (stateless).
 */
public final class InitialVectors {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private InitialVectors() {}

    /**
     * The deterministic initial vector of {@code id}.
     *
     * @param id user or item id (any string; hashed as UTF-8)
     * @param seed mixes into the hash, so that users and items (or two models) can use unrelated vectors
     * @param dim number of floats returned
     * @param scale standard deviation of each coordinate; 0 gives the zero vector
     * @return a new array of {@code dim} floats
     */
    public static float[] gaussian(String id, long seed, int dim, float scale) {
        float[] v = new float[dim];
        fillGaussian(id, seed, scale, v, 0, dim);
        return v;
    }

    /** Writes the first {@code n} coordinates of {@link #gaussian} into {@code out[from..from+n)}. */
    public static void fillGaussian(String id, long seed, float scale, float[] out, int from, int n) {
        long state = hash64(id, seed);
        for (int i = 0; i < n; i += 2) {
            state += GOLDEN_GAMMA;
            double u1 = toUnitOpen(mix64(state));
            state += GOLDEN_GAMMA;
            double u2 = toUnitOpen(mix64(state));
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * StrictMath.PI * u2;
            out[from + i] = (float) (scale * r * StrictMath.cos(theta));
            if (i + 1 < n) {
                out[from + i + 1] = (float) (scale * r * StrictMath.sin(theta));
            }
        }
    }

    /** 64-bit hash of the UTF-8 bytes of {@code id}, mixed with {@code seed}; stable across JVMs and runs. */
    public static long hash64(String id, long seed) {
        long h = FNV_OFFSET ^ mix64(seed);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= FNV_PRIME;
        }
        // FNV alone avalanches poorly in the high bits for short ids ("1", "2", ...); the finalizer fixes that.
        return mix64(h);
    }

    /** The splitmix64 / murmur3 finalizer: a bijection on longs with good avalanche. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Top 53 bits as a double in (0, 1]: never 0, so that log() in Box-Muller stays finite. */
    private static double toUnitOpen(long bits) {
        return ((bits >>> 11) + 1) * 0x1.0p-53;
    }
}
