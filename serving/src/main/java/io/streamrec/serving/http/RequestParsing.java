package io.streamrec.serving.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict parsing of what clients send: percent-decoding (malformed escapes and invalid UTF-8 are errors, not
 * replacement characters), query strings with a bounded number of parameters, ids with the same rules as the
 * event parser, k, and request bodies read with a hard limit (Content-Length is not trusted).
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestParsing {
    /** Ids: at most this many UTF-8 bytes (the event contract's limit). */
    public static final int MAX_ID_BYTES = 256;
    /** More query parameters than this is refused before looking at them. */
    public static final int MAX_QUERY_PARAMS = 5000;

    private RequestParsing() {}

    /** Decodes %XX escapes (and '+' as space when {@code plusIsSpace}); the result must be valid UTF-8. */
    public static String percentDecode(String raw, boolean plusIsSpace, String parameter) throws ApiException {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw ApiException.invalid(parameter, "malformed percent-encoding at position " + i);
                }
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
                    b = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(b, 0, b.length);
            }
        }
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid(parameter, "percent-encoded bytes are not valid UTF-8");
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Query parameters in order, each name with all its values. */
    public static Map<String, List<String>> query(String rawQuery) throws ApiException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        String[] pairs = rawQuery.split("&", MAX_QUERY_PARAMS + 2);
        if (pairs.length > MAX_QUERY_PARAMS) {
            throw new ApiException(400, "too_many_parameters", null,
                    "more than " + MAX_QUERY_PARAMS + " query parameters");
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq), true, "query");
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1), true, name);
            out.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        return out;
    }

    /** The single value of a parameter, null if absent; given twice is an error. */
    public static String single(Map<String, List<String>> q, String name) throws ApiException {
        List<String> v = q.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw ApiException.invalid(name, "'" + name + "' given " + v.size() + " times; give it once");
        }
        return v.get(0);
    }

    /** Parses k: an integer in [1, maxK]; absent means {@code defaultK}. */
    public static int k(String raw, int defaultK, int maxK) throws ApiException {
        if (raw == null) {
            return defaultK;
        }
        long k;
        try {
            k = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("k", "k must be an integer between 1 and " + maxK + ", got '"
                    + abbreviate(raw) + "'");
        }
        return checkK(k, maxK);
    }

    public static int checkK(long k, int maxK) throws ApiException {
        if (k < 1 || k > maxK) {
            throw ApiException.invalid("k", "k must be between 1 and " + maxK + ", got " + k);
        }
        return (int) k;
    }

    /** Checks an id (user or item): non-blank, at most 256 UTF-8 bytes, no control characters or lone surrogates. */
    public static String id(String id, String parameter) throws ApiException {
        if (id == null || id.isBlank()) {
            throw ApiException.invalid(parameter, parameter + " must not be empty or blank");
        }
        int bytes = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= id.length() || !Character.isLowSurrogate(id.charAt(i + 1))) {
                    throw ApiException.invalid(parameter, parameter + " contains an unpaired surrogate");
                }
                bytes += 4;
                i++;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw ApiException.invalid(parameter, parameter + " contains an unpaired surrogate");
            }
            if (Character.isISOControl(c)) {
                throw ApiException.invalid(parameter, String.format("%s contains control character U+%04X",
                        parameter, (int) c));
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (bytes > MAX_ID_BYTES) {
            throw ApiException.invalid(parameter, parameter + " is " + bytes + " UTF-8 bytes, over the limit of "
                    + MAX_ID_BYTES);
        }
        return id;
    }

    /**
     * Reads a request body of at most {@code max} bytes. A declared Content-Length over the limit is refused
     * before reading; a body that turns out longer than the limit (chunked, or a lying header) is refused after
     * reading at most {@code max + 1} bytes, so memory stays bounded whatever the client sends.
     */
    public static byte[] body(InputStream in, String contentLength, int max) throws ApiException, IOException {
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, "invalid_header", "Content-Length", "Content-Length is not a number");
            }
            if (declared > max) {
                drain(in, max);
                throw tooLarge(max);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] buf = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buf, 0, Math.min(buf.length, max + 1 - total))) > 0) {
            out.write(buf, 0, n);
            total += n;
            if (total > max) {
                drain(in, max);
                throw tooLarge(max);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads and discards up to {@code 4 * max} more bytes before a 413. Closing a connection with unread request
     * bytes makes TCP send a reset, which can destroy the 413 before the client reads it; beyond the bound the
     * client may see that reset, but the server never spends more than a bounded read on it (memory stays flat).
     */
    private static void drain(InputStream in, int max) throws IOException {
        byte[] buf = new byte[8192];
        long left = 4L * max;
        int n;
        while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            left -= n;
        }
    }

    private static ApiException tooLarge(int max) {
        return new ApiException(413, "body_too_large", "body", "request body is over the limit of " + max
                + " bytes");
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
