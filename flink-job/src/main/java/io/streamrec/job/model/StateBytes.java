package io.streamrec.job.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Tiny helpers for the byte[] snapshots of the per-subtask structures: length-prefixed UTF-8 strings and float
 * arrays over Data streams, and a leading format byte that restore checks, so that a future layout change fails
 * loudly on an old checkpoint instead of misreading it.
 */
final class StateBytes {
    private StateBytes() {}

    /** Something that writes its content; lets callers use a lambda without handling IOException. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Something that reads content back. */
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static byte[] write(byte format, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            writer.write(out);
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; this is unreachable but the signature demands it.
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    interface VersionedReader<T> {
        T read(byte format, DataInputStream in) throws IOException;
    }

    /** {@link #read} of any format from {@code oldest} to {@code newest}; the reader is told which. */
    static <T> T read(byte[] data, byte oldest, byte newest, String what, VersionedReader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte found = in.readByte();
            if (found < oldest || found > newest) {
                throw new IllegalArgumentException(what + " snapshot has format " + found
                        + ", this version reads formats " + oldest + " to " + newest);
            }
            return reader.read(found, in);
        } catch (IOException e) {
            throw new UncheckedIOException("truncated or corrupt " + what + " snapshot", e);
        }
    }

    static <T> T read(byte[] data, byte format, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte found = in.readByte();
            if (found != format) {
                throw new IllegalArgumentException(
                        what + " snapshot has format " + found + ", this version reads format " + format);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("truncated or corrupt " + what + " snapshot", e);
        }
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    static float[] readFloats(DataInputStream in) throws IOException {
        float[] v = new float[in.readInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
