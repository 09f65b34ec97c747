package io.streamrec.local.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The CLI's one progress display: on a terminal a single status line redrawn in place ({@code \r}, padded over the
 * previous one), in a log a plain line now and then, or nothing; messages in between go on lines of their own. What
 * a line says is the caller's ({@code replay}'s {@code ConsoleProgress}, {@code evaluate}'s {@code ProgressLine});
 * when one is due and how it is drawn is this class's.
 *
 * <p>Used from one thread (the one doing the work).
 */
public final class ProgressDisplay {

    /** How progress is shown. */
    public enum Mode {
        /** A redrawn single line; for terminals. */
        BAR,
        /** A line every so often; for logs and CI. */
        PLAIN,
        /** No progress lines; messages only. */
        NONE
    }

    private final PrintStream err;
    private final Mode mode;
    private final long intervalNanos;
    private long nextDrawNanos;
    private int drawnLength;
    private String shown;

    /**
     * @param barInterval   shortest time between two redraws of the bar
     * @param plainInterval time between two plain lines
     */
    public ProgressDisplay(PrintStream err, Mode mode, Duration barInterval, Duration plainInterval) {
        this.err = err;
        this.mode = mode;
        this.intervalNanos = (mode == Mode.BAR ? barInterval : plainInterval).toNanos();
    }

    public Mode mode() {
        return mode;
    }

    /** Whether a progress line is due now (never in {@link Mode#NONE}). */
    public boolean due() {
        return mode != Mode.NONE && System.nanoTime() >= nextDrawNanos;
    }

    /** The next line is due one interval from now, without showing one now. */
    public void postpone() {
        nextDrawNanos = System.nanoTime() + intervalNanos;
    }

    /** Shows a progress line: redraws the bar, or prints a plain line; the next one is due an interval later. */
    public void show(String line) {
        if (mode == Mode.NONE) {
            return;
        }
        postpone();
        draw(line);
    }

    private void draw(String line) {
        if (mode == Mode.BAR) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
            drawnLength = line.length();
            shown = line;
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Prints a message on its own line, then draws the bar again under it (without delaying the next redraw). */
    public void message(String text) {
        clear();
        err.println(text);
        if (shown != null && mode == Mode.BAR) {
            draw(shown);
        }
    }

    /** Prints a line as it is (after {@link #clear}, it stands where the bar was). */
    public void println(String text) {
        err.println(text);
        err.flush();
    }

    /** Erases the drawn bar, if any (the next {@link #show} draws afresh). */
    public void clear() {
        if (mode == Mode.BAR && drawnLength > 0) {
            err.print("\r" + " ".repeat(drawnLength) + "\r");
            err.flush();
            drawnLength = 0;
        }
    }

    /** Leaves the drawn bar as it is and moves to the next line. */
    public void endLine() {
        if (mode == Mode.BAR && drawnLength > 0) {
            err.println();
            drawnLength = 0;
            shown = null;
        }
    }
}
