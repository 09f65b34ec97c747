package io.streamrec.job.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.job.model.ModelParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** README's configuration tables list every key the job accepts, each with its actual default. */
class ReadmeConfigTableTest {

    private static String readme() throws IOException {
        Path p = Path.of("..", "README.md");
        if (!Files.exists(p)) {
            p = Path.of("README.md");
        }
        return Files.readString(p);
    }

    @Test
    void everyTrainerKeyIsDocumentedWithItsDefault() throws IOException {
        String readme = readme();
        List<String> missing = new ArrayList<>();
        for (ConfigOption<?> o : TrainerOptions.all()) {
            String row = "| `" + o.key() + "` | ";
            int at = readme.indexOf(row);
            if (at < 0) {
                missing.add(o.key() + " (no row)");
                continue;
            }
            Object def = o.defaultValue();
            if (def instanceof Duration || def instanceof Number || def instanceof Boolean || def instanceof Enum) {
                String cell = readme.substring(at + row.length(), readme.indexOf('|', at + row.length())).trim();
                if (!cell.equals("`" + render(def) + "`")) {
                    missing.add(o.key() + " (README says " + cell + ", default is " + render(def) + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), "README.md configuration table out of date: " + missing);
    }

    @Test
    void everyModelKeyIsDocumentedWithItsDefault() throws IOException {
        String readme = readme();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : ModelParams.defaults().toMap().entrySet()) {
            String shown = e.getValue().isEmpty() ? "(none)" : "`" + e.getValue() + "`";
            if (!readme.contains("| `" + e.getKey() + "` | " + shown + " |")) {
                missing.add(e.getKey() + "=" + e.getValue());
            }
        }
        assertTrue(missing.isEmpty(), "README.md model table lacks (or has another default for): " + missing);
    }

    private static String render(Object v) {
        if (v instanceof Duration) {
            Duration d = (Duration) v;
            if (d.toMillis() % 86_400_000L == 0) {
                return d.toDays() + " d";
            }
            if (d.toMillis() % 1000 == 0) {
                return d.toSeconds() + " s";
            }
            return d.toMillis() + " ms";
        }
        return String.valueOf(v);
    }
}
