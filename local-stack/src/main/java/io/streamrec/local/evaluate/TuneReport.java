package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} of a tune run: the outcome, a chart of the metric of every trial (one column per
 * configuration, one mark per rung) and the table of trials, best first. Self-contained (inline SVG, no scripts).
 */
final class TuneReport {
    private static final String[] RUNG_COLORS = {"#9aa5b1", "#e8903c", "#1f6fb4", "#2a9d4a"};

    private TuneReport() {}

    static String html(JsonNode r) {
        String metric = r.path("metric").asText();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>streamrec tune</title>\n")
                .append("<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;")
                .append("margin:2em auto;padding:0 1em;color:#222;line-height:1.45}table{border-collapse:collapse;")
                .append("margin:.8em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}")
                .append("th{background:#f4f4f4}td:last-child{text-align:left}.best{background:#eef6ee}")
                .append("svg{max-width:100%}</style></head><body>\n<h1>streamrec tune</h1>\n");
        h.append("<p>Log <code>").append(esc(r.path("log").asText())).append("</code>, ")
                .append(String.format(Locale.ROOT, "%,d events; %s protocol, metric <b>%s</b>. ", r.path("events")
                        .asLong(), esc(r.path("protocol").asText()), esc(metric)))
                .append("Each trial is the protocol on the in-process simulator of the trainer; successive halving ")
                .append("keeps the best third of the configurations at each share of the training data ")
                .append(esc(r.path("fractions").toString())).append(String.format(Locale.ROOT,
                        ". %.0f s (budget %d s%s).</p>\n", r.path("elapsed_s").asDouble(),
                        r.path("budget_s").asLong(), r.path("budget_spent").asBoolean() ? ", spent" : ""));
        JsonNode best = r.path("best");
        JsonNode defaults = r.path("defaults");
        h.append("<table><tr><th></th><th>").append(esc(metric)).append(" (").append(r.path("protocol").asText()
                .equals("prequential") ? "the stream" : "validation split").append(")</th><th>held-out test</th>")
                .append("<th>settings</th></tr>\n");
        h.append(String.format(Locale.ROOT, "<tr class=\"best\"><td>best (config %d)</td><td>%.4f</td><td>%s</td>"
                        + "<td>%s</td></tr>\n", best.path("config").asInt(), best.path("validation").asDouble(),
                number(best.path("test")), esc(best.path("settings").toString())));
        h.append(String.format(Locale.ROOT, "<tr><td>defaults (config 0)</td><td>%.4f</td><td>%s</td><td></td></tr>"
                + "</table>\n", defaults.path("validation").asDouble(), number(defaults.path("test"))));
        chart(h, r, metric);
        List<JsonNode> trials = new ArrayList<>();
        r.path("trials").forEach(trials::add);
        trials.sort(Comparator.comparingInt((JsonNode t) -> -t.path("rung").asInt())
                .thenComparingDouble(t -> -t.path(metric).asDouble()));
        h.append("<h2>Trials</h2>\n<table><tr><th>config</th><th>rung</th><th>share</th><th>").append(esc(metric))
                .append("</th><th>s</th><th>settings (over the defaults)</th></tr>\n");
        for (JsonNode t : trials) {
            boolean isBest = t.path("config").asInt() == best.path("config").asInt();
            h.append(String.format(Locale.ROOT, "<tr%s><td>%d</td><td>%d</td><td>%.2f</td><td>%.4f</td><td>%.1f</td>"
                            + "<td>%s</td></tr>\n", isBest ? " class=\"best\"" : "", t.path("config").asInt(),
                    t.path("rung").asInt() + 1, t.path("fraction").asDouble(), t.path(metric).asDouble(),
                    t.path("seconds").asDouble(), t.path("settings").size() == 0 ? "(the defaults)"
                            : esc(t.path("settings").toString())));
        }
        h.append("</table>\n<h2>Search space</h2>\n<ul>\n");
        r.path("space").forEach(s -> h.append("<li><code>").append(esc(s.asText())).append("</code></li>\n"));
        h.append("</ul>\n</body></html>\n");
        return h.toString();
    }

    /** The metric per configuration (x) and rung (colour). */
    private static void chart(StringBuilder h, JsonNode r, String metric) {
        int configs = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (JsonNode t : r.path("trials")) {
            configs = Math.max(configs, t.path("config").asInt() + 1);
            lo = Math.min(lo, t.path(metric).asDouble());
            hi = Math.max(hi, t.path(metric).asDouble());
        }
        if (configs == 0) {
            return;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1e-3;
        }
        int w = 860;
        int ht = 300;
        int left = 60;
        int bottom = 40;
        int top = 20;
        double xs = (w - left - 20) / (double) Math.max(1, configs);
        double yLo = lo - 0.05 * (hi - lo);
        double yHi = hi + 0.05 * (hi - lo);
        h.append(String.format(Locale.ROOT, "<h2>%s per trial</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" font-size=\"11\">\n", esc(metric), w, ht));
        for (int i = 0; i <= 4; i++) {
            double v = yLo + i * (yHi - yLo) / 4;
            double y = y(v, yLo, yHi, ht, top, bottom);
            h.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"4\" y=\"%.1f\">%.4f</text>\n", left, w - 20, y, y, y + 4, v));
        }
        for (int c = 0; c < configs; c += Math.max(1, configs / 12)) {
            h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    left + (c + 0.5) * xs, ht - bottom + 16, c));
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">configuration (0 = the defaults)</text>\n",
                left, ht - 6));
        for (JsonNode t : r.path("trials")) {
            int rung = t.path("rung").asInt();
            double x = left + (t.path("config").asInt() + 0.5) * xs;
            double y = y(t.path(metric).asDouble(), yLo, yHi, ht, top, bottom);
            h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>config "
                            + "%d, rung %d: %.4f</title></circle>\n", x, y, 3 + rung,
                    RUNG_COLORS[Math.min(rung, RUNG_COLORS.length - 1)], t.path("config").asInt(), rung + 1,
                    t.path(metric).asDouble()));
        }
        JsonNode fr = r.path("fractions");
        for (int i = 0; i < fr.size(); i++) {
            h.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"%s\"/><text x=\"%d\" "
                            + "y=\"%d\">rung %d (%.0f%% of training)</text>\n", w - 200, top + 4 + 16 * i, 3 + i,
                    RUNG_COLORS[Math.min(i, RUNG_COLORS.length - 1)], w - 190, top + 8 + 16 * i, i + 1,
                    fr.get(i).asDouble() * 100));
        }
        h.append("</svg>\n");
    }

    private static double y(double v, double lo, double hi, int height, int top, int bottom) {
        return top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);
    }

    private static String number(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.4f", n.asDouble()) : "-";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
