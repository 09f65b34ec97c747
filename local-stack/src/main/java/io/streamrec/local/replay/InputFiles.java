package io.streamrec.local.replay;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on an input file before anything is read or sent, shared by {@code replay} and {@code catalog load}. */
public final class InputFiles {
    private InputFiles() {}

    /** @throws ReplayException with {@link ReplayException#INPUT_ERROR} when the file cannot be read */
    public static void requireReadable(Path file) {
        if (!Files.exists(file)) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + file + ": it is a directory");
        }
        if (!Files.isReadable(file)) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + file + ": permission denied");
        }
    }
}
