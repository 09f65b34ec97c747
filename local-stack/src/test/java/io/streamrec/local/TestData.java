package io.streamrec.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared datasets (../shared/data, set by surefire as streamrec.data.dir); skips tests without them, with
 * a message starting "[needs data]" that .ci/run looks for (it fails when the data is there but a test skipped).
 */
public final class TestData {
    private TestData() {}

    /** The file under the data directory; the calling test is skipped, with a message, when it is absent. */
    public static Path file(String relative) {
        String dir = System.getProperty("streamrec.data.dir");
        assumeTrue(dir != null, "[needs data] streamrec.data.dir is not set (run through Maven, or pass -Dstreamrec.data.dir=...);"
                + " skipping the test on " + relative);
        Path p = Path.of(dir).resolve(relative);
        assumeTrue(Files.isRegularFile(p), "[needs data] dataset file " + p + " is absent; skipping (see ../shared/data/README.md)");
        return p;
    }

    public static Path movieLens100k() {
        return file("ml-100k/u.data");
    }

    public static Path ottoSample() {
        return file("otto-sample/train.jsonl");
    }

    public static Path rees46Sample() {
        return file("rees46-ecommerce-sample/2019-Oct-sample.csv");
    }
}
