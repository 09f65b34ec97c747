package io.streamrec.local.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an evaluation report: {@code report.json} (the tree as built by {@link Evaluation}) and {@code report.html},
 * one self-contained page a person can read (inline CSS and SVG charts, no scripts, nothing fetched): per protocol
 * its description, the top-K tables or the prequential summary, a chart (top-K bars; prequential HR@10 over the
 * stream for the model and for popularity), coverage, timings and the full configuration.
 *
 * <p>The root is either one protocol's section, or {@code {"protocol": "all", "reports": {name: section, ...}}}.
 * Stateless.
 */
final class ReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_COLOR = "#1f6fb4";
    private static final String POPULARITY_COLOR = "#e08a1e";

    private ReportWriter() {}

    /** Writes both files into {@code dir} (created if needed) and returns the HTML file. */
    static Path write(Path dir, ObjectNode root) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            Path html = dir.resolve("report.html");
            Files.writeString(html, html(root), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The protocol sections of a root, in order. */
    static List<JsonNode> sections(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        if (root.has("reports")) {
            root.get("reports").forEach(out::add);
        } else {
            out.add(root);
        }
        return out;
    }

    static String html(JsonNode root) {
        StringBuilder h = new StringBuilder(32_768);
        List<JsonNode> sections = sections(root);
        JsonNode first = sections.isEmpty() ? JSON.createObjectNode() : sections.get(0);
        String file = first.path("config").path("evaluate").path("file").asText("");
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>streamrec evaluation")
                .append(file.isEmpty() ? "" : " of " + esc(Path.of(file).getFileName().toString()))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;")
                .append("margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n")
                .append("h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n")
                .append("table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #ccc;padding:.3em .7em;")
                .append("text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}\n")
                .append(".desc{color:#444;max-width:52em}.note{color:#666;font-size:.9em}")
                .append(".model{color:" + MODEL_COLOR + "}.pop{color:" + POPULARITY_COLOR + "}\n")
                .append("pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.85em}svg{max-width:100%}\n")
                .append("</style></head><body>\n");
        h.append("<h1>streamrec evaluation</h1>\n<p>");
        if (!file.isEmpty()) {
            h.append("Log <code>").append(esc(file)).append("</code>, ");
        }
        h.append(String.format(Locale.ROOT, "%,d events. ", first.path("events").asLong()))
                .append("The model is the real trainer job (Flink, RocksDB state, Kafka in and out), with the settings ")
                .append("under \"Configuration\"; <span class=\"pop\">popularity</span> is the most-popular baseline ")
                .append("on the same events.</p>\n");
        if (sections.size() > 1) {
            h.append("<ul>");
            for (JsonNode s : sections) {
                String p = s.path("protocol").asText();
                h.append("<li><a href=\"#").append(esc(p)).append("\">").append(esc(p)).append("</a>: ")
                        .append(headline(s)).append("</li>");
            }
            h.append("</ul>\n");
        }
        for (JsonNode s : sections) {
            section(h, s);
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /** One line: the headline numbers of a section. */
    static String headline(JsonNode s) {
        if ("prequential".equals(s.path("protocol").asText())) {
            return String.format(Locale.ROOT, "HR@10 model %.4f vs popularity %.4f; HR@100 %.4f vs %.4f",
                    s.path("model").path("hr_10").asDouble(), s.path("popularity").path("hr_10").asDouble(),
                    s.path("model").path("hr_100").asDouble(), s.path("popularity").path("hr_100").asDouble());
        }
        if ("cold-items".equals(s.path("protocol").asText())) {
            return String.format(Locale.ROOT, "top-10 among withheld items model %.4f vs random %.4f; top-50 %.4f vs %.4f",
                    s.path("model").path("top_10").asDouble(), s.path("random").path("top_10").asDouble(),
                    s.path("model").path("top_50").asDouble(), s.path("random").path("top_50").asDouble());
        }
        return String.format(Locale.ROOT, "top-100 model %.4f vs popularity %.4f; top-10 %.4f vs %.4f",
                s.path("model").path("top_100").asDouble(), s.path("popularity").path("top_100").asDouble(),
                s.path("model").path("top_10").asDouble(), s.path("popularity").path("top_10").asDouble());
    }

    private static void section(StringBuilder h, JsonNode s) {
        String protocol = s.path("protocol").asText();
        h.append("<h2 id=\"").append(esc(protocol)).append("\">").append(esc(title(protocol))).append("</h2>\n");
        h.append("<p class=\"desc\">").append(esc(s.path("description").asText())).append("</p>\n");
        if ("prequential".equals(protocol)) {
            prequential(h, s);
        } else {
            topK(h, s);
        }
        h.append("<h3>Timings</h3>\n<table><tr>");
        s.path("timings_s").fieldNames().forEachRemaining(n -> h.append("<th>").append(esc(n)).append("</th>"));
        h.append("</tr><tr>");
        s.path("timings_s").forEach(v -> h.append(String.format(Locale.ROOT, "<td>%.1f s</td>", v.asDouble())));
        h.append("</tr></table>\n");
        h.append("<details><summary>Configuration</summary><pre>")
                .append(esc(s.path("config").toPrettyString())).append("</pre></details>\n");
    }

    private static String title(String protocol) {
        switch (protocol) {
            case "seed": return "Seeds' protocol (random split, top-K accuracy)";
            case "temporal": return "Temporal split (train on the past, test on the future)";
            case "prequential": return "Prequential (recommend, then learn)";
            default: return protocol;
        }
    }

    private static void topK(StringBuilder h, JsonNode s) {
        h.append(String.format(Locale.ROOT, "<p>%,d training events x %d passes = %,d trained (%,d rejected); "
                        + "%,d test pairs.</p>\n", s.path("train_events").asLong(), s.path("passes").asInt(),
                s.path("trained_events").asLong(), s.path("rejected_events").asLong(), s.path("test_pairs").asLong()));
        JsonNode m = s.path("model");
        JsonNode p = s.path("popularity");
        JsonNode mx = s.path("model_excluding_seen");
        JsonNode px = s.path("popularity_excluding_seen");
        h.append("<table><tr><th>top-K accuracy</th><th class=\"model\">model</th><th class=\"pop\">popularity</th>")
                .append("<th>model / popularity</th><th class=\"model\">model, excluding seen</th>")
                .append("<th class=\"pop\">popularity, excluding seen</th></tr>\n");
        List<String> keys = new ArrayList<>();
        m.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            double mv = m.path(k).asDouble();
            double pv = p.path(k).asDouble();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%.4f</td>"
                            + "<td>%.4f</td></tr>\n", k.replace("top_", "top-"), mv, pv,
                    pv > 0 ? String.format(Locale.ROOT, "%.2fx", mv / pv) : "-", mx.path(k).asDouble(),
                    px.path(k).asDouble()));
        }
        JsonNode served = s.path("model_as_served");
        if (!served.isMissingNode() && s.path("coverage").path("test_pairs_without_user_vector").asLong() > 0) {
            JsonNode sx = s.path("model_as_served_excluding_seen");
            for (String k : keys) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s as served*</td><td>%.4f</td><td></td><td></td>"
                        + "<td>%.4f</td><td></td></tr>\n", k.replace("top_", "top-"), served.path(k).asDouble(),
                        sx.path(k).asDouble()));
            }
        }
        h.append("</table>\n");
        if (!served.isMissingNode() && s.path("coverage").path("test_pairs_without_user_vector").asLong() > 0) {
            h.append("<p class=\"note\">* as served: users without a vector get the popular items, as the serving "
                    + "node's cold start does.</p>\n");
        }
        barChart(h, keys, m, p, mx, px);
        rankedTopK(h, s, keys);
        JsonNode c = s.path("coverage");
        h.append("<h3>Coverage</h3>\n<table>");
        Iterator<Map.Entry<String, JsonNode>> it = c.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td></tr>", esc(e.getKey().replace('_', ' ')),
                    e.getValue().asLong()));
        }
        h.append("</table>\n<p class=\"note\">Test pairs without a user or item vector count as misses for the "
                + "model; popularity misses test items that never occur in training.</p>\n");
    }

    /** The two stages: retrieval's top candidates re-ordered by the ranker, next to retrieval alone. */
    private static void rankedTopK(StringBuilder h, JsonNode s, List<String> keys) {
        JsonNode ranked = s.path("model_ranked");
        if (ranked.isMissingNode()) {
            return;
        }
        JsonNode r = s.path("ranker");
        h.append(String.format(Locale.ROOT, "<h3>The ranking stage</h3>\n<p>Retrieval's top %d re-ordered by the "
                + "ranker (version %d, %,d rows learned), the items below in retrieval order.</p>\n",
                r.path("candidates").asInt(), r.path("version").asLong(), r.path("examples").asLong()));
        h.append("<table><tr><th>top-K accuracy</th><th class=\"model\">re-ranked</th><th>retrieval</th>")
                .append("<th>ratio</th><th class=\"model\">re-ranked, excluding seen</th>")
                .append("<th>retrieval, excluding seen</th><th>ratio</th></tr>\n");
        JsonNode m = s.path("model");
        JsonNode rx = s.path("model_ranked_excluding_seen");
        JsonNode mx = s.path("model_excluding_seen");
        for (String k : keys) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%.4f</td>"
                    + "<td>%.4f</td><td>%s</td></tr>\n", k.replace("top_", "top-"), ranked.path(k).asDouble(),
                    m.path(k).asDouble(), ratio(ranked.path(k).asDouble(), m.path(k).asDouble()),
                    rx.path(k).asDouble(), mx.path(k).asDouble(),
                    ratio(rx.path(k).asDouble(), mx.path(k).asDouble())));
        }
        h.append("</table>\n");
        if (r.has("rmse")) {
            h.append(String.format(Locale.ROOT, "<p>Predicted ratings of %,d rated test pairs: RMSE %.4f, MAE %.4f "
                    + "(%,d pairs without a user or item vector left out).</p>\n", r.path("rated_test_pairs").asLong(),
                    r.path("rmse").asDouble(), r.path("mae").asDouble(), r.path("unscored_rated_pairs").asLong()));
        }
    }

    private static String ratio(double a, double b) {
        return b > 0 ? String.format(Locale.ROOT, "%.2fx", a / b) : "-";
    }

    private static void prequential(StringBuilder h, JsonNode s) {
        JsonNode m = s.path("model");
        JsonNode p = s.path("popularity");
        h.append(String.format(Locale.ROOT, "<p>%,d events scored (%,d rejected). Events whose item could not be "
                        + "ranked yet (first sight, not yet in the trainer's item cache) count as misses: model %,d, "
                        + "popularity %,d.</p>\n", s.path("evaluated_events").asLong(),
                s.path("rejected_events").asLong(), s.path("unrankable_events").path("model").asLong(),
                s.path("unrankable_events").path("popularity").asLong()));
        JsonNode t = s.path("popularity_in_trainer");
        h.append("<table><tr><th>metric</th><th class=\"model\">model</th><th class=\"pop\">popularity</th>")
                .append("<th>model / popularity</th><th>trainer's live popularity baseline</th></tr>\n");
        for (String k : List.of("hr_10", "hr_100", "ndcg_10")) {
            double mv = m.path(k).asDouble();
            double pv = p.path(k).asDouble();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%s</td>"
                            + "</tr>\n", k.replace("hr_", "HR@").replace("ndcg_", "NDCG@"), mv, pv,
                    pv > 0 ? String.format(Locale.ROOT, "%.2fx", mv / pv) : "-",
                    t.has(k) ? String.format(Locale.ROOT, "%.4f", t.path(k).asDouble()) : "-"));
        }
        h.append("</table>\n");
        JsonNode ranked = s.path("model_ranked");
        if (!ranked.isMissingNode()) {
            h.append(String.format(Locale.ROOT, "<h3>The ranking stage</h3>\n<p>For the %,d events that were ranker "
                    + "examples: the event's item among the user's top %d retrieved candidates, in retrieval order "
                    + "and as the ranker (before learning from the event) re-ordered them.</p>\n",
                    ranked.path("events").asLong(), ranked.path("candidates").asInt()));
            h.append("<table><tr><th>metric</th><th class=\"model\">re-ranked</th><th>retrieval</th><th>ratio</th>"
                    + "</tr>\n");
            for (String k : List.of("hr_10", "ndcg_10")) {
                double a = ranked.path("ranked").path(k).asDouble();
                double b = ranked.path("retrieval").path(k).asDouble();
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%s</td></tr>\n",
                        k.replace("hr_", "HR@").replace("ndcg_", "NDCG@"), a, b, ratio(a, b)));
            }
            h.append("</table>\n");
        }
        JsonNode windows = s.path("windows");
        List<Double> model = new ArrayList<>();
        List<Double> pop = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        windows.forEach(w -> {
            model.add(w.path("model").path("hr_10").asDouble());
            pop.add(w.path("popularity").path("hr_10").asDouble());
            labels.add(String.format(Locale.ROOT, "%,d", w.path("first_event").asLong() + w.path("events").asLong()));
        });
        h.append("<h3>HR@10 over the stream</h3>\n");
        lineChart(h, labels, model, pop);
        h.append("<p class=\"note\">Each point is one window of consecutive events (x: events so far at its end).</p>");
        h.append("<table><tr><th>window</th><th>events</th><th>from</th><th>to</th><th class=\"model\">HR@10</th>")
                .append("<th class=\"pop\">HR@10</th><th class=\"model\">HR@100</th><th class=\"pop\">HR@100</th>")
                .append("<th class=\"model\">NDCG@10</th><th class=\"pop\">NDCG@10</th></tr>\n");
        windows.forEach(w -> h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%,d</td><td>%s</td><td>%s</td>"
                        + "<td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>\n",
                w.path("index").asInt() + 1, w.path("events").asLong(), esc(day(w.path("from").asText())),
                esc(day(w.path("to").asText())), w.path("model").path("hr_10").asDouble(),
                w.path("popularity").path("hr_10").asDouble(), w.path("model").path("hr_100").asDouble(),
                w.path("popularity").path("hr_100").asDouble(), w.path("model").path("ndcg_10").asDouble(),
                w.path("popularity").path("ndcg_10").asDouble())));
        h.append("</table>\n");
    }

    private static String day(String iso) {
        return iso.length() >= 16 ? iso.substring(0, 16).replace('T', ' ') : iso;
    }

    /** HR@10 per window as two lines, with axes and a legend. */
    private static void lineChart(StringBuilder h, List<String> labels, List<Double> model, List<Double> pop) {
        int w = 760;
        int ht = 320;
        int left = 56;
        int right = 150;
        int top = 16;
        int bottom = 44;
        Axis axis = Axis.of(Math.max(max(model), max(pop)));
        double max = axis.max();
        int n = labels.size();
        double plotW = w - left - right;
        double plotH = ht - top - bottom;
        h.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"HR@10 per window, model and popularity\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n", w, ht, w, ht));
        axes(h, left, top, plotW, plotH, axis, "HR@10");
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? left + plotW / 2 : left + plotW * i / (n - 1);
            if (n <= 12 || i % Math.ceil(n / 12.0) == 0 || i == n - 1) {
                h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                        x, top + plotH + 16, esc(labels.get(i))));
            }
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">events</text>\n",
                left + plotW / 2, ht - 6));
        polyline(h, model, MODEL_COLOR, left, top, plotW, plotH, max);
        polyline(h, pop, POPULARITY_COLOR, left, top, plotW, plotH, max);
        legend(h, left + plotW + 14, top + 10, List.of("model", "popularity"), List.of(MODEL_COLOR, POPULARITY_COLOR));
        h.append("</svg>\n");
    }

    private static void polyline(StringBuilder h, List<Double> values, String color, int left, int top, double plotW,
                                 double plotH, double max) {
        int n = values.size();
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? left + plotW / 2 : left + plotW * i / (n - 1);
            double y = top + plotH - plotH * values.get(i) / max;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%.4f"
                    + "</title></circle>\n", x, y, color, values.get(i)));
        }
        h.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                .append(pts.toString().trim()).append("\"/>\n");
    }

    /** Top-K accuracy as grouped bars per K: model and popularity, plain and excluding seen. */
    private static void barChart(StringBuilder h, List<String> keys, JsonNode m, JsonNode p, JsonNode mx,
                                 JsonNode px) {
        int w = 760;
        int ht = 300;
        int left = 56;
        int right = 190;
        int top = 16;
        int bottom = 40;
        double plotW = w - left - right;
        double plotH = ht - top - bottom;
        double max = 0;
        for (String k : keys) {
            max = Math.max(max, Math.max(Math.max(m.path(k).asDouble(), p.path(k).asDouble()),
                    Math.max(mx.path(k).asDouble(), px.path(k).asDouble())));
        }
        Axis axis = Axis.of(max);
        max = axis.max();
        h.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"top-K accuracy, model and popularity\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n", w, ht, w, ht));
        axes(h, left, top, plotW, plotH, axis, "top-K accuracy");
        String[] colors = {MODEL_COLOR, POPULARITY_COLOR, "#8cb8e0", "#f2c48a"};
        double group = plotW / Math.max(keys.size(), 1);
        double bar = group * 0.8 / 4;
        for (int g = 0; g < keys.size(); g++) {
            String k = keys.get(g);
            double[] v = {m.path(k).asDouble(), p.path(k).asDouble(), mx.path(k).asDouble(), px.path(k).asDouble()};
            for (int b = 0; b < 4; b++) {
                double x = left + g * group + group * 0.1 + b * bar;
                double bh = plotH * v[b] / max;
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\"><title>%.4f</title></rect>\n", x, top + plotH - bh, bar - 1, bh, colors[b], v[b]));
            }
            h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                    left + g * group + group / 2, top + plotH + 16, esc(k.replace("top_", "top-"))));
        }
        legend(h, left + plotW + 14, top + 10, List.of("model", "popularity", "model, excl. seen",
                "popularity, excl. seen"), List.of(colors));
        h.append("</svg>\n");
    }

    private static void axes(StringBuilder h, int left, int top, double plotW, double plotH, Axis axis,
                             String yLabel) {
        for (int i = 0; i <= axis.intervals(); i++) {
            double y = top + plotH - plotH * i / axis.intervals();
            h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left, y, left + plotW, y, left - 6,
                    y + 4, axis.label(i)));
        }
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>"
                        + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left, top, left,
                top + plotH, left, top + plotH, left + plotW, top + plotH));
        h.append(String.format(Locale.ROOT, "<text transform=\"translate(14,%.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "%s</text>\n", top + plotH / 2, esc(yLabel)));
    }

    private static void legend(StringBuilder h, double x, double y, List<String> names, List<String> colors) {
        for (int i = 0; i < names.size(); i++) {
            h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, y + i * 20, colors.get(i), x + 18, y + i * 20 + 10,
                    esc(names.get(i))));
        }
    }

    private static double max(List<Double> values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * The y axis: a tick step of 1, 2 or 5 times a power of ten giving about five intervals, the top the first
     * multiple of the step at or above the largest value, and labels with as many decimals as the step needs, so
     * that every label is its tick's true value (with steps like 0.0025 and three decimals the labels 0.002, 0.005,
     * 0.007 stood on ticks 0.0025 apart).
     */
    record Axis(double step, int intervals) {
        static Axis of(double maxValue) {
            if (!(maxValue > 0)) {
                return new Axis(0.02, 5);
            }
            double rough = maxValue / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double step = 10 * magnitude;
            for (double m : new double[] {1, 2, 5}) {
                if (m * magnitude >= rough * (1 - 1e-9)) {
                    step = m * magnitude;
                    break;
                }
            }
            int intervals = (int) Math.ceil(maxValue / step - 1e-9);
            return new Axis(step, Math.max(intervals, 1));
        }

        double max() {
            return tick(intervals);
        }

        double tick(int i) {
            // Through BigDecimal so that e.g. 3 x 0.1 is exactly 0.3, not 0.30000000000000004.
            return java.math.BigDecimal.valueOf(step).multiply(java.math.BigDecimal.valueOf(i)).doubleValue();
        }

        /** Enough decimals for the step (0.002 -> 3, 0.05 -> 2, 1 -> 0), no more. */
        String label(int i) {
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", tick(i));
        }
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
