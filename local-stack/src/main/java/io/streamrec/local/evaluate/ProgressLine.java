package io.streamrec.local.evaluate;

import io.streamrec.local.cli.ProgressDisplay;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows where an evaluation is: the protocol, the phase (publishing, training, final snapshot, prequential), events
 * done of the total and events per second in this phase. On a terminal one line redrawn in place; otherwise (a log,
 * CI) a plain line every few seconds (drawn by the CLI's {@link ProgressDisplay}). Used from the evaluating thread
 * only.
 */
final class ProgressLine implements TrainerRun.Progress {

    private static final Duration REDRAW = Duration.ofMillis(250);
    private static final Duration PLAIN = Duration.ofSeconds(5);

    private final ProgressDisplay display;
    private String label = "";
    private String phase;
    private long phaseStart;
    private long phaseStartDone;
    private long lastDrawnDone = -1;

    ProgressLine(PrintStream err, ProgressDisplay.Mode mode) {
        this.display = new ProgressDisplay(err, mode, REDRAW, PLAIN);
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
        if (display.mode() == ProgressDisplay.Mode.NONE || (!phaseChanged && !display.due() && !finished)) {
            return;
        }
        lastDrawnDone = done;
        double seconds = (now - phaseStart) / 1e9;
        double rate = seconds > 0.5 ? (done - phaseStartDone) / seconds : 0;
        // The catalog phase counts items the trainer has published; every other phase counts events.
        String unit = phase.equals("catalog") ? "items" : "events";
        display.show(String.format(Locale.ROOT, "evaluate [%s] %s: %,d / %,d %s (%.0f%%)%s, %.0f s", label,
                phase, done, total, unit, total == 0 ? 100.0 : 100.0 * done / total,
                rate > 0 ? String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit) : "", seconds));
    }

    /** Prints a message on its own line (clearing a drawn progress line first; the next update draws it again). */
    void message(String text) {
        display.clear();
        display.println(text);
    }

    /** Ends the drawn line, if any. */
    void clear() {
        display.clear();
    }
}
