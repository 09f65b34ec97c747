package io.streamrec.local.evaluate;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows where an evaluation is: the protocol, the phase (publishing, training, final snapshot, prequential), events
 * done of the total and events per second in this phase. On a terminal one line redrawn in place; otherwise (a log,
 * CI) a plain line every few seconds. Used from the evaluating thread only.
 */
final class ProgressLine implements TrainerRun.Progress {

    /** How progress is shown. */
    enum Mode { BAR, PLAIN, NONE }

    private static final long REDRAW_NANOS = 250_000_000L;
    private static final long PLAIN_NANOS = 5_000_000_000L;

    private final PrintStream err;
    private final Mode mode;
    private String label = "";
    private String phase;
    private long phaseStart;
    private long phaseStartDone;
    private long nextDraw;
    private long lastDrawnDone = -1;
    private int drawn;

    ProgressLine(PrintStream err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    /** Starts a protocol's run: its label prefixes the line. */
    void begin(String label) {
        this.label = label;
        this.phase = null;
    }

    @Override
    public void update(String newPhase, long done, long total) {
        long now = System.nanoTime();
        boolean phaseChanged = !newPhase.equals(phase);
        if (phaseChanged) {
            lastDrawnDone = -1;
            phase = newPhase;
            phaseStart = now;
            phaseStartDone = done;
        }
        boolean finished = done >= total && done != lastDrawnDone;
        if (mode == Mode.NONE || (!phaseChanged && now < nextDraw && !finished)) {
            return;
        }
        lastDrawnDone = done;
        nextDraw = now + (mode == Mode.BAR ? REDRAW_NANOS : PLAIN_NANOS);
        double seconds = (now - phaseStart) / 1e9;
        double rate = seconds > 0.5 ? (done - phaseStartDone) / seconds : 0;
        String line = String.format(Locale.ROOT, "evaluate [%s] %s: %,d / %,d events (%.0f%%)%s, %.0f s", label,
                phase, done, total, total == 0 ? 100.0 : 100.0 * done / total,
                rate > 0 ? String.format(Locale.ROOT, ", %,.0f events/s", rate) : "", seconds);
        if (mode == Mode.BAR) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
            drawn = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Prints a message on its own line (clearing a drawn progress line first). */
    void message(String text) {
        clear();
        err.println(text);
    }

    /** Ends the drawn line, if any. */
    void clear() {
        if (mode == Mode.BAR && drawn > 0) {
            err.print("\r" + " ".repeat(drawn) + "\r");
            err.flush();
            drawn = 0;
        }
    }
}
