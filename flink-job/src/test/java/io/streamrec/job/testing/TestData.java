package io.streamrec.job.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamrec.job.model.MovieLens100k;
import io.streamrec.schema.InteractionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assumeTrue(Files.isReadable(p), "[needs data] dataset not found at " + p.toAbsolutePath()
                + " (set -Dstreamrec.data.dir); skipping");
        return p;
    }

    /** MovieLens 100K u.data as rating events with u.data's own ids, in timestamp order (ties keep file order). */
    public static List<InteractionEvent> movieLens100k() {
        return MovieLens100k.load(require("ml-100k/u.data"), "", "");
    }
}
