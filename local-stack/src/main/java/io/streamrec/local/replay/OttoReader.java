package io.streamrec.local.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.schema.InteractionEvent;

/**
 * Reads the OTTO session layout, one session per line:
 * {@code {"session":0,"events":[{"aid":1517085,"ts":1659304800025,"type":"clicks"},...]}}. Out: one event per
 * element of {@code events}, in order, with the session as both user id and session id (OTTO has no user ids; a
 * session is all activity of one user in the period) and {@code aid} as item id. {@code ts} is epoch
 * milliseconds; numbers below 10^11 are read as seconds, since some OTTO releases use seconds.
 *
 * <p>A line that is not a session is one bad line; a bad element inside a good session is reported with its line
 * number and index and only that element is skipped.
 */
final class OttoReader extends LineLogReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TypeMapping types;

    OttoReader(LineSource lines, ReaderOptions options, ReadProblems problems) {
        super(lines, problems);
        this.types = options.types();
    }

    @Override
    void parseLine(long line, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            bad(line, "not JSON", "not valid JSON: " + firstLine(e.getOriginalMessage()));
            return;
        }
        if (root == null || !root.isObject()) {
            bad(line, "not an OTTO session", "expected a JSON object {\"session\":..,\"events\":[..]}");
            return;
        }
        String session = id(root.get("session"));
        if (session == null) {
            bad(line, "not an OTTO session", "'session' is missing or not an integer/string");
            return;
        }
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            bad(line, "not an OTTO session", "'events' is missing or not an array");
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String where = "events[" + i + "]: ";
            if (!e.isObject()) {
                bad(line, "bad OTTO event", where + "not an object");
                continue;
            }
            String aid = id(e.get("aid"));
            if (aid == null) {
                bad(line, "bad OTTO event", where + "'aid' is missing or not an integer/string");
                continue;
            }
            JsonNode ts = e.get("ts");
            if (ts == null || !ts.isIntegralNumber() || !ts.canConvertToLong()) {
                bad(line, "bad timestamp", where + "'ts' is missing or not an integer (epoch ms)");
                continue;
            }
            JsonNode typeNode = e.get("type");
            if (typeNode == null || !typeNode.isTextual()) {
                bad(line, "bad OTTO event", where + "'type' is missing or not a string");
                continue;
            }
            String source = typeNode.textValue();
            TypeMapping.Target t = types.lookup(source);
            if (t == null) {
                bad(line, "unknown type", where + "unknown type " + quote(source) + "; mapped types are "
                        + types.sources() + " (add e.g. --type-map " + source + "=click, or " + source + "=skip)");
                continue;
            }
            if (t.skip()) {
                ignored("type '" + source + "' mapped to skip");
                continue;
            }
            long ms = ts.longValue();
            if (Math.abs(ms) < 100_000_000_000L) {
                ms *= 1000;
            }
            emit(line, new InteractionEvent(session, aid, t.type(), ms).withSessionId(session));
        }
    }

    private static String id(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        if (n.isTextual() && !n.textValue().isBlank()) {
            return n.textValue();
        }
        return null;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() <= 100 ? l : l.substring(0, 97) + "...";
    }
}
