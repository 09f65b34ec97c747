package io.streamrec.local.replay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Splits a file into numbered text lines: bytes in, one {@link Line} per line out, without the line terminator
 * ({@code \n} or {@code \r\n}) and without a leading UTF-8 byte order mark. A {@code .gz} file is decompressed.
 *
 * <p>Lines are decoded one at a time, strictly as UTF-8 (or another charset given, such as ISO-8859-1 for MovieLens'
 * {@code u.item}), so a line with invalid bytes becomes a bad line with its number instead of either failing the
 * whole file (a strict Reader) or silently altering ids (a replacing one).
 *
 * <p>Used by the log readers here and the catalog readers ({@code io.streamrec.local.catalog}). Not thread-safe.
 */
public final class LineSource implements AutoCloseable {
    /** Longer lines are reported and skipped rather than buffered: a binary file must not exhaust the heap. */
    static final int MAX_LINE_BYTES = 32 * 1024 * 1024;

    /** One line: its 1-based number and either its text or, when it cannot be decoded, an error. */
    public record Line(long number, String text, String error) {}

    /** The reason under which {@link #nextGood} counts an empty line. */
    public static final String EMPTY_LINE = "empty line";

    private final InputStream in;
    private final CountingInputStream counting;
    private final long totalBytes;
    private final Charset charset;
    private final CharsetDecoder decoder;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLen;
    private long lineNumber;
    private boolean eof;

    /** Reads {@code file} as UTF-8. */
    public LineSource(Path file) throws IOException {
        this(file, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file} in {@code charset}; bytes that are not valid in it make a line bad, never replaced.
     *
     * @throws IllegalArgumentException for a charset that does not write ASCII as single bytes (UTF-16, UTF-32):
     *     lines are split at the byte {@code \n}
     */
    public LineSource(Path file, Charset charset) throws IOException {
        if (!Arrays.equals("\n,|".getBytes(charset), new byte[] {'\n', ',', '|'})) {
            throw new IllegalArgumentException("encoding " + charset.displayName() + " is not supported: lines are"
                    + " read from ASCII-compatible encodings (UTF-8, ISO-8859-1, windows-1252, ...)");
        }
        this.charset = charset;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.totalBytes = Files.size(file);
        this.counting = new CountingInputStream(Files.newInputStream(file));
        InputStream stream = counting;
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz")) {
            try {
                stream = new GZIPInputStream(counting, 64 * 1024);
            } catch (IOException e) {
                counting.close();
                throw new IOException("not a gzip file (the name ends in .gz): " + e.getMessage(), e);
            }
        }
        this.in = stream;
    }

    /**
     * The next line with text, or null at the end of the file. Lines that cannot be decoded or are too long, and
     * empty lines, are reported to {@code problems} as bad lines and skipped.
     */
    public Line nextGood(ReadProblems problems) throws IOException {
        while (true) {
            Line l = next();
            if (l == null) {
                return null;
            }
            if (l.error() != null) {
                problems.bad(new BadRecord(l.number(), l.error().startsWith("invalid ") ? "invalid "
                        + charset.displayName() : "line too long", l.error()));
            } else if (l.text().isBlank()) {
                problems.bad(new BadRecord(l.number(), EMPTY_LINE, "empty line"));
            } else {
                return l;
            }
        }
    }

    /** The next line, or null at the end of the file. */
    public Line next() throws IOException {
        if (eof) {
            return null;
        }
        lineLen = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (lineLen == 0 && !tooLong) {
                        return null; // the file ended with a line terminator (or is empty)
                    }
                    break;
                }
            }
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            if (!tooLong) {
                int n = end - pos;
                if (lineLen + n > MAX_LINE_BYTES) {
                    tooLong = true;
                } else {
                    ensureCapacity(lineLen + n);
                    System.arraycopy(buf, pos, line, lineLen, n);
                    lineLen += n;
                }
            }
            pos = nl < 0 ? limit : nl + 1;
            if (nl >= 0) {
                break;
            }
        }
        lineNumber++;
        if (tooLong) {
            return new Line(lineNumber, null, "line is longer than " + MAX_LINE_BYTES / (1024 * 1024) + " MiB");
        }
        int len = lineLen;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        int off = 0;
        if (lineNumber == 1 && len >= 3 && charset.equals(StandardCharsets.UTF_8) && (line[0] & 0xFF) == 0xEF
                && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
            off = 3;
        }
        return decode(off, len);
    }

    private Line decode(int off, int len) {
        boolean ascii = true;
        for (int i = off; i < len; i++) {
            if (line[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii && (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.ISO_8859_1))) {
            // Fast path for the common case; ISO-8859-1 decoding of ASCII is a plain copy.
            return new Line(lineNumber, new String(line, off, len - off, StandardCharsets.ISO_8859_1), null);
        }
        try {
            return new Line(lineNumber, decoder.decode(ByteBuffer.wrap(line, off, len - off)).toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(lineNumber, null, "invalid " + charset.displayName()
                    + " (is the file in another encoding?)");
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.max(needed, Math.min(MAX_LINE_BYTES, line.length * 2)));
        }
    }

    public long bytesRead() {
        return counting.count;
    }

    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
