package io.streamrec.local.replay;

import io.streamrec.local.cli.ProgressDisplay;
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

    private static final int BAR_WIDTH = 24;
    private static final Duration BAR_REDRAW = Duration.ofMillis(200);

    private final PrintStream out;
    private final ProgressDisplay display;
    private final int maxDetailed;
    private final String prefix;
    private final String unit;
    private long badSeen;
    private boolean started;
    private ReplayProgress last;

    public ConsoleProgress(PrintStream out, PrintStream err, ProgressDisplay.Mode mode, int maxDetailed,
                           Duration plainInterval) {
        this(out, err, mode, maxDetailed, plainInterval, "replay", "events");
    }

    /**
     * @param tool prefixes notices and plain progress lines ("replay: ...")
     * @param unit what is counted ("events", "records")
     */
    public ConsoleProgress(PrintStream out, PrintStream err, ProgressDisplay.Mode mode, int maxDetailed,
                           Duration plainInterval, String tool, String unit) {
        this.prefix = tool + ": ";
        this.unit = unit;
        this.out = out;
        this.display = new ProgressDisplay(err, mode, BAR_REDRAW, plainInterval);
        this.maxDetailed = maxDetailed;
    }

    @Override
    public void onNotice(String message) {
        display.message(prefix + message);
    }

    @Override
    public void onBadRecord(BadRecord bad) {
        badSeen++;
        if (badSeen <= maxDetailed) {
            display.message(bad.toString());
        } else if (badSeen == maxDetailed + 1) {
            display.message("(more bad lines: only counted from here on; see the summary)");
        }
    }

    @Override
    public void onProgress(ReplayProgress p) {
        last = p;
        if (!display.due()) {
            return;
        }
        if (display.mode() == ProgressDisplay.Mode.BAR) {
            display.show(describe(p, true));
        } else if (!started) { // no line at the very start: the first one comes after one interval
            started = true;
            display.postpone();
        } else {
            display.show(prefix + describe(p, false));
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
        if (display.mode() == ProgressDisplay.Mode.BAR && last != null) {
            display.show(describe(new ReplayProgress("done", published, bad, 1.0, elapsed.toNanos()), true));
            display.endLine();
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

    public static void appendCounts(StringBuilder sb, Map<String, Long> counts) {
        counts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "  %,9d  %s%n", e.getValue(), e.getKey())));
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

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return formatClock(d) + (ms >= 3_600_000 ? " h" : " min");
    }
}
