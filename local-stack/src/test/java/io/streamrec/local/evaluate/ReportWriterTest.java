package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** report.html's y axes: every tick label is the true value at its tick, on steps of 1, 2 or 5 x 10^n. */
class ReportWriterTest {

    private static final Pattern Y_TICK = Pattern.compile(
            "<line x1=\"56\" y1=\"([0-9.]+)\"[^>]*stroke=\"#e4e4e4\"/><text x=\"50\" y=\"[0-9.]+\" "
                    + "text-anchor=\"end\">([^<]*)</text>");

    @ParameterizedTest
    @ValueSource(doubles = {0.0087, 0.0093, 0.012, 0.05, 0.0999, 0.1, 0.204, 0.333, 0.57, 0.9, 1.0, 0.0, 3e-4})
    void tickLabelsAreTheirTicksTrueValues(double maxHr) {
        String html = ReportWriter.html(prequentialReport(maxHr));
        Matcher m = Y_TICK.matcher(html);
        List<Double> ys = new ArrayList<>();
        List<BigDecimal> labels = new ArrayList<>();
        while (m.find()) {
            ys.add(Double.parseDouble(m.group(1)));
            labels.add(new BigDecimal(m.group(2)));
        }
        assertTrue(labels.size() >= 3 && labels.size() <= 7, "3 to 7 ticks: " + labels);
        assertEquals(0, labels.get(0).signum(), "the axis starts at 0: " + labels);
        BigDecimal step = labels.get(1).subtract(labels.get(0));
        assertTrue(List.of("1", "2", "5").contains(step.stripTrailingZeros().unscaledValue().toString()),
                "step 1, 2 or 5 x 10^n: " + step);
        double pixelsPerUnit = (ys.get(0) - ys.get(1)) / step.doubleValue();
        for (int i = 0; i < labels.size(); i++) {
            assertEquals(0, labels.get(i).compareTo(step.multiply(BigDecimal.valueOf(i))),
                    "label " + i + " is i x step: " + labels);
            double expectedY = ys.get(0) - pixelsPerUnit * labels.get(i).doubleValue();
            assertEquals(expectedY, ys.get(i), 0.11, "tick " + labels.get(i) + " sits at its value: " + ys);
        }
        assertTrue(labels.get(labels.size() - 1).doubleValue() >= maxHr, "the top tick covers the data: " + labels);
    }

    /** The old labels for a top of 0.0087: 0, 0.002, 0.005, 0.007 ... on ticks 0.0025 apart. */
    @Test
    void smallRatesGetStepsOfTwoThousandths() {
        ReportWriter.Axis axis = ReportWriter.Axis.of(0.0087);
        assertEquals(0.002, axis.step(), 1e-15);
        assertEquals(List.of("0.000", "0.002", "0.004", "0.006", "0.008", "0.010"),
                List.of(axis.label(0), axis.label(1), axis.label(2), axis.label(3), axis.label(4), axis.label(5)));
    }

    private static ObjectNode prequentialReport(double maxHr) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("protocol", "prequential");
        root.put("events", 1000);
        root.putObject("model").put("hr_10", maxHr);
        root.putObject("popularity").put("hr_10", maxHr / 3);
        ArrayNode windows = root.putArray("windows");
        for (int i = 0; i < 4; i++) {
            ObjectNode w = windows.addObject();
            w.put("index", i);
            w.put("first_event", i * 250);
            w.put("events", 250);
            w.putObject("model").put("hr_10", maxHr * (i + 1) / 4);
            w.putObject("popularity").put("hr_10", maxHr * (4 - i) / 12);
        }
        return root;
    }

    @Test
    void coldItemsHeadlineAndSummaryCompareWithARandomOrderNotPopularity() throws Exception {
        ObjectNode s = new ObjectMapper().createObjectNode();
        s.put("protocol", "cold-items");
        s.putObject("model").put("top_1", 0.02).put("top_10", 0.14).put("top_50", 0.46);
        s.putObject("random").put("top_1", 0.006).put("top_10", 0.06).put("top_50", 0.3);
        s.putObject("model_all_items").put("top_10", 0.001).put("top_100", 0.059);
        assertEquals("top-10 among withheld items model 0.1400 vs random 0.0600; top-50 0.4600 vs 0.3000",
                ReportWriter.headline(s));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        EvaluateMain.printSummary(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), s);
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s).*cold-items\\s+top-10\\s+0\\.1400\\s+0\\.0600\\s+2\\.33x.*"), out);
        assertTrue(out.matches("(?s).*cold-items\\s+top-100\\s+0\\.0590\\s+\\(among all items.*"), out);
    }
}
