package io.streamrec.job.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The shared datasets (never copied into the repository): {@code -Dstreamrec.data.dir}, which the build sets to
 * {@code ../shared/data}. Tests that need a file skip with a message saying where it was looked for.
 */
public final class TestData {
    private TestData() {}

    public static Path dataDir() {
        return Path.of(System.getProperty("streamrec.data.dir", "../shared/data"));
    }

    /** The file, or a skipped test when it is absent. */
    public static Path require(String relative) {
        Path p = dataDir().resolve(relative);
        assumeTrue(Files.isReadable(p), "dataset not found at " + p.toAbsolutePath()
                + " (set -Dstreamrec.data.dir); skipping");
        return p;
    }

    /** MovieLens 100K u.data as rating events, in timestamp order (ties keep file order). */
    public static List<InteractionEvent> movieLens100k() throws IOException {
        Path p = require("ml-100k/u.data");
        List<InteractionEvent> events = new ArrayList<>(100_000);
        for (String line : Files.readAllLines(p)) {
            String[] f = line.split("\t");
            events.add(new InteractionEvent(f[0], f[1], EventType.RATING, Long.parseLong(f[3]) * 1000L)
                    .withValue(Double.parseDouble(f[2])));
        }
        events.sort(Comparator.comparingLong(e -> e.timestamp));
        return events;
    }
}
