package io.streamrec.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every command answers {@code --help} with exit code 0, a bad option with 64 and a message naming it; and every
 * trainer key a {@code --help} lists, with its default, is in README's configuration tables.
 */
class CliHelpTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return StreamrecCli.COMMANDS.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyCommandHasHelpAndUsageErrors() {
        assertEquals(64, run());
        assertTrue(err().contains("Commands:") && err().contains("evaluate"), err());
        assertEquals(0, run("--help"));
        for (String c : List.of("demo", "replay", "catalog", "generate", "cluster", "evaluate")) {
            assertTrue(out().contains("  " + c + " "), c + " missing from\n" + out());
        }
        assertEquals(64, run("replya"));
        assertTrue(err().contains("streamrec: unknown command 'replya' (did you mean replay?)"), err());
        List<String[]> commands = List.of(new String[] {"demo"}, new String[] {"replay"},
                new String[] {"catalog", "load"}, new String[] {"generate"}, new String[] {"evaluate"},
                new String[] {"cluster", "start"}, new String[] {"cluster", "submit"}, new String[] {"cluster", "status"},
                new String[] {"cluster", "taskmanager"}, new String[] {"cluster", "kill-taskmanager"},
                new String[] {"cluster", "serve"}, new String[] {"cluster", "stop"});
        for (String[] c : commands) {
            List<String> args = new ArrayList<>(List.of(c));
            args.add("--help");
            assertEquals(0, run(args.toArray(String[]::new)), String.join(" ", c));
            assertTrue(out().startsWith("Usage: streamrec " + String.join(" ", c)), out());
            args.set(args.size() - 1, "--no-such-option");
            if (!String.join(" ", c).equals("cluster submit") && !String.join(" ", c).equals("cluster serve")) {
                assertEquals(64, run(args.toArray(String[]::new)), String.join(" ", c));
                assertTrue(err().contains("--no-such-option: unknown option"), err());
            }
        }
    }

    @Test
    void durationsNeedAUnitInEveryCommand() {
        assertEquals(64, run("demo", "--backfill", "300"));
        assertTrue(err().contains("demo: --backfill: '300' has no unit: write e.g. 300ms or 300s"), err());
        assertEquals(64, run("generate", "--duration", "10"));
        assertTrue(err().contains("generate: --duration: '10' has no unit"), err());
        assertEquals(64, run("cluster", "start", "--taskmanager-memory", "1600"));
        assertTrue(err().contains("cluster start: --taskmanager-memory: '1600' has no unit"), err());
    }

    @Test
    void trainerSettingsAreCheckedAtStartNamingTheKey() {
        assertEquals(64, run("demo", "--trainer.model.dimm", "8"));
        assertTrue(err().contains("demo: --trainer.model.dimm: unknown key (did you mean model.dim?)"), err());
        assertEquals(64, run("demo", "--trainer.snapshot.interval", "5000"));
        assertTrue(err().contains("demo: --trainer.snapshot.interval: '5000' has no unit"), err());
        assertEquals(64, run("demo", "--trainer.job.parallelism", "3"));
        assertTrue(err().contains("--trainer.job.parallelism: the demo sets job.parallelism; use --parallelism"),
                err());
        assertEquals(64, run("cluster", "submit", "--snapshot.interval", "500ms"));
        assertTrue(err().contains("cluster submit: --snapshot.interval: must be at least 1s, got 500ms"), err());
        assertEquals(64, run("cluster", "submit", "--no.such.key", "1"));
        assertTrue(err().contains("cluster submit: --no.such.key: unknown key"), err());
    }

    /** What {@code evaluate --help} lists (the model keys and their defaults) is in README, default and all. */
    @Test
    void theTrainerKeysHelpListsAreInTheReadme() throws IOException {
        assertEquals(0, run("evaluate", "--help"));
        String readme = Files.readString(Path.of(System.getProperty("streamrec.home", ".."), "README.md"));
        Matcher m = Pattern.compile("(?m)^  (model\\.[a-z0-9_.-]+) = (.*)$").matcher(out());
        int listed = 0;
        while (m.find()) {
            listed++;
            String cell = m.group(2).isEmpty() ? "(none)" : "`" + m.group(2) + "`";
            assertTrue(readme.contains("| `" + m.group(1) + "` | " + cell + " |"),
                    "README lacks the row of " + m.group(1) + " with default " + cell);
        }
        assertTrue(listed > 40, "evaluate --help lists the model keys:\n" + out());
        assertEquals(0, run("demo", "--help"));
        assertTrue(out().contains("--trainer.KEY VALUE"), out());
    }
}
