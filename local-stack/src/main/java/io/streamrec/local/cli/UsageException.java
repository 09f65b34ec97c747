package io.streamrec.local.cli;

/** A command line that cannot be run as given; the message names the option at fault and says what it expected. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
