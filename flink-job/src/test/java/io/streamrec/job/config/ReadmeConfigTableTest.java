package io.streamrec.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.config.Option;
import io.streamrec.job.model.ModelParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's trainer configuration tables are the code's: every key the trainer accepts (what {@code evaluate --help}
 * and {@code cluster submit --help} point to) has a row with its default exactly as the code writes it, every row
 * is a key the trainer accepts, and every deprecated key is in the README's list of deprecated names.
 */
class ReadmeConfigTableTest {
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z][a-z0-9_.-]*)` \\| ([^|]*) \\|");

    static String readme() throws IOException {
        Path p = Path.of("..", "README.md");
        if (!Files.exists(p)) {
            p = Path.of("README.md");
        }
        return Files.readString(p);
    }

    /** key -> default cell of the rows of the section "Configuration (trainer)" up to the next "## ". */
    static Map<String, String> trainerRows(String readme) {
        int from = readme.indexOf("## Configuration (trainer)");
        assertTrue(from >= 0, "README has a section '## Configuration (trainer)'");
        int to = readme.indexOf("\n## ", from + 1);
        Matcher m = ROW.matcher(readme.substring(from, to < 0 ? readme.length() : to));
        Map<String, String> rows = new LinkedHashMap<>();
        while (m.find()) {
            rows.put(m.group(1), m.group(2).strip());
        }
        return rows;
    }

    static String cell(Option<?> o) {
        return o.defaultText().isEmpty() ? "(none)" : "`" + o.defaultText() + "`";
    }

    @Test
    void everyTrainerKeyHasARowWithItsDefault() throws IOException {
        Map<String, String> rows = trainerRows(readme());
        List<String> wrong = new ArrayList<>();
        for (Option<?> o : JobConfig.OPTIONS.options()) {
            String cell = rows.get(o.key());
            if (cell == null) {
                wrong.add(o.key() + " (no row)");
            } else if (!cell.equals(cell(o))) {
                wrong.add(o.key() + " (README says " + cell + ", the default is " + cell(o) + ")");
            }
        }
        assertTrue(wrong.isEmpty(), "README.md trainer configuration tables out of date: " + wrong);
    }

    @Test
    void everyRowIsAKeyTheTrainerAccepts() throws IOException {
        List<String> unknown = new ArrayList<>(trainerRows(readme()).keySet());
        unknown.removeAll(JobConfig.knownKeys());
        assertEquals(List.of(), unknown, "README.md documents keys the trainer does not accept");
    }

    @Test
    void modelDescriptionsAreTheCodes() throws IOException {
        String readme = readme();
        for (Option<?> o : ModelParams.options()) {
            String row = "| `" + o.key() + "` | " + cell(o) + " | ";
            int at = readme.indexOf(row);
            assertTrue(at >= 0, "no row " + row);
            String meaning = readme.substring(at + row.length(), readme.indexOf(" |\n", at + row.length()));
            assertEquals(o.description(), meaning.replace("`", ""), o.key() + ": README's meaning is the code's "
                    + "description (backticks aside)");
        }
    }

    @Test
    void deprecatedKeysAreListed() throws IOException {
        String readme = readme();
        for (Option<?> o : JobConfig.OPTIONS.options()) {
            for (Option.Deprecated d : o.deprecatedNames()) {
                assertTrue(readme.contains("`" + d.name() + "`") && readme.contains("`" + o.key() + "`"),
                        "README lists the deprecated " + d.name() + " (now " + o.key() + ")");
            }
        }
    }
}
