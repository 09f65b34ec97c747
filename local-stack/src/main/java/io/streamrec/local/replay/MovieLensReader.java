package io.streamrec.local.replay;

import io.streamrec.schema.InteractionEvent;

/**
 * Reads MovieLens ratings: {@code u.data} (tab-separated, ML-100K), {@code ratings.dat} ({@code ::}-separated,
 * ML-1M/10M) and {@code ratings.csv} (comma-separated with the header {@code userId,movieId,rating,timestamp},
 * ML-20M/25M/latest). The separator is recognised from the first line. Out: one event per rating, of the type the
 * mapping gives {@code rating} (by default {@code rating}), with the rating as the value and the timestamp (epoch
 * seconds in every MovieLens release) converted to milliseconds. User and item ids must be integers.
 */
final class MovieLensReader extends LineLogReader {
    static final String SOURCE_TYPE = "rating";
    static final String CSV_HEADER = "userId,movieId,rating,timestamp";

    private final TypeMapping.Target target;
    private final String typeProblem;
    private final Double minRating;
    private String separator;

    MovieLensReader(LineSource lines, ReaderOptions options, ReadProblems problems) {
        super(lines, problems);
        this.target = options.types().lookup(SOURCE_TYPE);
        this.typeProblem = target == null ? "type 'rating' is not mapped; map it with --type-map rating=rating (or"
                + " click, purchase, ...)" : null;
        this.minRating = options.minRating();
    }

    @Override
    void parseLine(long line, String text) {
        if (separator == null) {
            separator = text.contains("::") ? "::" : text.indexOf('\t') >= 0 ? "\t" : ",";
            if (text.strip().equals(CSV_HEADER)) {
                return;
            }
        }
        String[] f = split(text);
        if (f.length != 4) {
            bad(line, "wrong number of columns", "expected 4 " + separatorName()
                    + "-separated columns (user, item, rating, timestamp), got " + f.length);
            return;
        }
        String user = f[0].strip();
        String item = f[1].strip();
        if (!isInteger(user)) {
            bad(line, "bad user id", "user id " + quote(user) + " is not an integer");
            return;
        }
        if (!isInteger(item)) {
            bad(line, "bad item id", "item id " + quote(item) + " is not an integer");
            return;
        }
        double rating;
        try {
            rating = Double.parseDouble(f[2].strip());
            if (!Double.isFinite(rating)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            bad(line, "bad rating", "rating " + quote(f[2].strip()) + " is not a number");
            return;
        }
        long seconds;
        try {
            seconds = Long.parseLong(f[3].strip());
        } catch (NumberFormatException e) {
            bad(line, "bad timestamp", "timestamp " + quote(f[3].strip()) + " is not an integer (epoch seconds)");
            return;
        }
        if (typeProblem != null) {
            bad(line, "unknown type", typeProblem);
            return;
        }
        if (target.skip()) {
            ignored("type 'rating' mapped to skip");
            return;
        }
        if (minRating != null && rating < minRating) {
            ignored("rating below --movielens.min-rating " + minRating);
            return;
        }
        emit(line, new InteractionEvent(user, item, target.type(), seconds * 1000L).withValue(rating));
    }

    private String[] split(String text) {
        if (separator.equals("\t")) {
            return text.split("\t", -1);
        }
        if (separator.equals("::")) {
            return text.split("::", -1);
        }
        return text.split(",", -1);
    }

    private String separatorName() {
        return separator.equals("\t") ? "tab" : separator.equals("::") ? "'::'" : "comma";
    }

    private static boolean isInteger(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
