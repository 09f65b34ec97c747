package io.streamrec.local.replay;

/**
 * Replay cannot go on: a message for the person running it and the process exit code that goes with it
 * ({@link #KAFKA_ERROR}, {@link #INPUT_ERROR}, {@link #USAGE_ERROR}).
 */
public final class ReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Success, possibly with bad lines skipped. */
    public static final int OK = 0;
    /** Kafka unreachable, topic missing, or publishing failed. */
    public static final int KAFKA_ERROR = 1;
    /** The input file is missing, unreadable or could not be read to the end. */
    public static final int INPUT_ERROR = 2;
    /** Every line was bad: nothing was published (likely the wrong format or column options). */
    public static final int NOTHING_PUBLISHED = 3;
    /** The options are wrong or do not fit the file (sysexits EX_USAGE). */
    public static final int USAGE_ERROR = 64;

    private final int exitCode;

    public ReplayException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ReplayException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
