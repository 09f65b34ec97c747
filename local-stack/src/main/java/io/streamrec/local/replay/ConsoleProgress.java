package io.streamrec.local.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a replay to a person: on a terminal a single progress line redrawn in place ({@code \r}) with a bar,
 * events/s and ETA; otherwise (a log file, CI) a plain line every few seconds. Bad records are printed in detail
 * up to a limit and then only counted; the summary goes to {@code out}, everything else to {@code err}. Also shows
 * {@code catalog load} (its own tool name and unit, and its own summary: {@link #finishBar}).
 *
 * <p>Used from the replaying thread only.
 */
public final class ConsoleProgress implements ProgressListener {

    /** How progress is shown. */
    public enum Mode {
        /** Redrawn single line; for terminals. */
        BAR,
        /** A line every {@code plainInterval}; for logs. */
        PLAIN,
        /** No progress; notices, bad records and the summary only. */
        NONE
    }

    private static final int BAR_WIDTH = 24;
    private static final long BAR_REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final PrintStream err;
    private final Mode mode;
    private final int maxDetailed;
    private final long plainIntervalNanos;
    private final String prefix;
    private final String unit;
    private long badSeen;
    private long nextDrawNanos;
    private int drawnLength;
    private ReplayProgress last;

    public ConsoleProgress(PrintStream out, PrintStream err, Mode mode, int maxDetailed, Duration plainInterval) {
        this(out, err, mode, maxDetailed, plainInterval, "replay", "events");
    }

    /**
     * @param tool prefixes notices and plain progress lines ("replay: ...")
     * @param unit what is counted ("events", "records")
     */
    public ConsoleProgress(PrintStream out, PrintStream err, Mode mode, int maxDetailed, Duration plainInterval,
                           String tool, String unit) {
        this.out = out;
        this.err = err;
        this.mode = mode;
        this.maxDetailed = maxDetailed;
        this.plainIntervalNanos = plainInterval.toNanos();
        this.prefix = tool + ": ";
        this.unit = unit;
    }

    @Override
    public void onNotice(String message) {
        clearBar();
        err.println(prefix + message);
        redraw();
    }

    @Override
    public void onBadRecord(BadRecord bad) {
        badSeen++;
        if (badSeen <= maxDetailed) {
            clearBar();
            err.println(bad);
            redraw();
        } else if (badSeen == maxDetailed + 1) {
            clearBar();
            err.println("(more bad lines: only counted from here on; see the summary)");
            redraw();
        }
    }

    @Override
    public void onProgress(ReplayProgress p) {
        last = p;
        long now = System.nanoTime();
        if (mode == Mode.NONE || now < nextDrawNanos) {
            return;
        }
        if (mode == Mode.BAR) {
            nextDrawNanos = now + BAR_REDRAW_NANOS;
            draw(p);
        } else {
            if (nextDrawNanos == 0) { // no line at the very start: the first one comes after one interval
                nextDrawNanos = now + plainIntervalNanos;
                return;
            }
            nextDrawNanos = now + plainIntervalNanos;
            err.println(prefix + describe(p, false));
        }
    }

    @Override
    public void onFinished(ReplaySummary s) {
        finishBar(s.published(), s.bad(), s.elapsed());
        out.print(summaryText(s));
        out.flush();
    }

    /** Draws the bar at 100% and ends its line (on a terminal); call before printing a summary. */
    public void finishBar(long published, long bad, Duration elapsed) {
        if (mode == Mode.BAR && last != null) {
            draw(new ReplayProgress("done", published, bad, 1.0, elapsed.toNanos()));
            err.println();
            drawnLength = 0;
        }
    }

    /** The summary as printed at the end: counts, bad records by reason, ignored and filtered records. */
    public static String summaryText(ReplaySummary s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "published %,d events from %s (%s) to %s in %s (%,.0f events/s)%n",
                s.published(), s.file(), s.format().cliName(), s.destination(), formatDuration(s.elapsed()),
                s.eventsPerSecond()));
        if (s.firstTimestamp() != null) {
            sb.append(String.format(Locale.ROOT, "  event time %s .. %s%n", s.firstTimestamp(), s.lastTimestamp()));
        }
        if (s.catalogDestination() != null) {
            sb.append(String.format(Locale.ROOT, "published %,d catalog records (%,d items, a record when an item is"
                    + " first seen or changes) to %s%n", s.catalogRecords(), s.catalogItems(), s.catalogDestination()));
        }
        if ("limit".equals(s.stopReason())) {
            sb.append("  stopped at --limit\n");
        } else if ("stopped".equals(s.stopReason())) {
            sb.append("  stopped before the end of the file\n");
        }
        if (s.bad() > 0) {
            sb.append(String.format(Locale.ROOT, "skipped %,d bad %s:%n", s.bad(), s.bad() == 1 ? "record" : "records"));
            appendCounts(sb, s.badByReason());
        }
        if (s.ignored() > 0) {
            sb.append(String.format(Locale.ROOT, "ignored %,d records on purpose:%n", s.ignored()));
            appendCounts(sb, s.ignoredByReason());
        }
        if (s.filtered() > 0) {
            sb.append(String.format(Locale.ROOT, "left out %,d events outside --from/--to%n", s.filtered()));
        }
        return sb.toString();
    }

    /** Counts by reason, largest first, one indented line each (for summaries). */
    public static void appendCounts(StringBuilder sb, Map<String, Long> counts) {
        counts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "  %,9d  %s%n", e.getValue(), e.getKey())));
    }

    private void draw(ReplayProgress p) {
        String line = describe(p, true);
        int pad = Math.max(0, drawnLength - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        drawnLength = line.length();
    }

    private void clearBar() {
        if (mode == Mode.BAR && drawnLength > 0) {
            err.print("\r" + " ".repeat(drawnLength) + "\r");
            drawnLength = 0;
        }
    }

    private void redraw() {
        if (mode == Mode.BAR && last != null) {
            draw(last);
        }
    }

    private String describe(ReplayProgress p, boolean bar) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-11s", p.phase()));
        if (bar) {
            int filled = p.fraction() < 0 ? 0 : (int) Math.round(p.fraction() * BAR_WIDTH);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        }
        if (p.fraction() >= 0) {
            sb.append(String.format(Locale.ROOT, "%3.0f%%  ", p.fraction() * 100));
        }
        sb.append(String.format(Locale.ROOT, "%,d %s  %,.0f %s", p.published(), unit, p.eventsPerSecond(),
                unit.equals("events") ? "ev/s" : unit + "/s"));
        Duration eta = p.eta();
        if (eta != null && !"done".equals(p.phase())) {
            sb.append("  ETA ").append(formatClock(eta));
        }
        if (p.bad() > 0) {
            sb.append(String.format(Locale.ROOT, "  %,d bad", p.bad()));
        }
        return sb.toString();
    }

    static String formatClock(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** "12.3 s", "4:05 min", "1:02:03 h". */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return formatClock(d) + (ms >= 3_600_000 ? " h" : " min");
    }
}
