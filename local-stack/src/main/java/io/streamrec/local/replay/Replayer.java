package io.streamrec.local.replay;

import io.streamrec.local.publish.EventSink;
import io.streamrec.local.publish.KafkaEventSink;
import io.streamrec.local.publish.Pacing;
import io.streamrec.local.publish.PublishException;
import io.streamrec.local.publish.SpeedPacing;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes one log file as event JSON: a file and {@link ReplayOptions} in, events on the Kafka topic (keyed by
 * user id) and a {@link ReplaySummary} out, with notices, bad records and progress reported to a
 * {@link ProgressListener} along the way. The publishing loop behind {@code streamrec replay} and
 * {@code streamrec demo --replay}.
 *
 * <p>Order of work: check the file is readable (exit code 2), tell the format, check Kafka (exit code 1; skipped in
 * a dry run), then read. In file order by default; with sorting the whole file is loaded first and stably sorted
 * by timestamp (memory grows with the file, about 200 bytes per event: fine for MovieLens 100K/1M, several GB
 * for ML-25M). Every event is serialized and checked with the trainer's strict {@link EventParser} before it is
 * sent, so what is published is exactly what the trainer accepts; an event it rejects is a bad record with the
 * parser's reason.
 *
 * <p>{@link #run()} runs on the caller's thread; {@link #stop()} may be called from any other thread.
 */
public final class Replayer {
    private final ReplayOptions options;
    private final ProgressListener listener;
    private final EventSink injectedSink;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    // Counters; only the replaying thread writes them.
    private final Map<String, Long> badByReason = new LinkedHashMap<>();
    private final Map<String, Long> ignoredByReason = new LinkedHashMap<>();
    private long bad;
    private long ignored;
    private long filtered;
    private long sent;
    private long firstTs = Long.MAX_VALUE;
    private long lastTs = Long.MIN_VALUE;
    private long shiftMs;
    private String stopReason;
    private long startNanos;
    private long nextProgressNanos;
    private long progressCalls;
    private final List<String> notices = new ArrayList<>();

    /** Publishes to Kafka as {@link ReplayOptions#target()} says (or nowhere in a dry run). */
    public Replayer(ReplayOptions options, ProgressListener listener) {
        this(options, listener, null);
    }

    /**
     * Publishes to the given sink instead of opening one; the sink is flushed but not closed (the caller owns it),
     * and no Kafka check is made.
     */
    public Replayer(ReplayOptions options, ProgressListener listener, EventSink sink) {
        this.options = options;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.injectedSink = sink;
    }

    /** Asks a running replay to stop after the event in hand (it still flushes); also ends a pacing pause. */
    public void stop() {
        stopRequested.countDown();
    }

    /**
     * Replays the file. Can be called once.
     *
     * @throws ReplayException with the exit code for the failure (unreadable file 2, Kafka 1, bad options 64)
     */
    public ReplaySummary run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a Replayer runs once");
        }
        startNanos = System.nanoTime();
        Path file = options.file();
        requireReadable(file);
        Resolved r = resolve(file);
        notice("reading " + file + " as " + r.format.cliName() + " (" + r.how + ")");
        boolean sort = options.sort() != null ? options.sort() : r.format.sortedByDefault();
        Instant earliest = options.earliestTimestamp() != null ? options.earliestTimestamp()
                : r.format.defaultEarliestTimestamp();
        EventParser parser = new EventParser(ParserOptions.defaults()
                .withTimestampRange(earliest, ParserOptions.DEFAULT_MAX_FUTURE_SKEW));

        probe(r);
        EventSink sink = openSink();
        Pacing pacing = options.speed() > 0
                ? new SpeedPacing(options.speed(),
                        options.backlogUntil() == null ? Long.MIN_VALUE : options.backlogUntil().toEpochMilli(),
                        options.maxWait() == null ? Long.MAX_VALUE : options.maxWait().toNanos())
                : Pacing.unlimited();
        try {
            if (sort) {
                replaySorted(r, parser, sink, pacing);
            } else {
                replayInFileOrder(r, parser, sink, pacing);
            }
            sink.flush();
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage() + " (" + sink.acknowledged()
                    + " events were published before that)", e);
        } catch (IOException | UncheckedIOException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "reading " + file + " failed: " + e.getMessage(),
                    e);
        } finally {
            if (injectedSink == null) {
                sink.close();
            }
        }
        ReplaySummary summary = summarize(r.format, sink, pacing);
        listener.onFinished(summary);
        return summary;
    }

    private void requireReadable(Path file) {
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

    private record Resolved(LogFormat format, ReaderOptions readerOptions, String how) {}

    private Resolved resolve(Path file) {
        LogFormat format = options.format();
        CsvLayout layout = options.csvLayout();
        TypeMapping base = null;
        String how;
        if (format != null) {
            how = "--format " + format.cliName();
        } else if (layout != null) {
            format = LogFormat.CSV;
            how = "CSV column options";
        } else {
            LogFormat.Detection d;
            try {
                d = LogFormat.detect(file);
            } catch (IOException e) {
                throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + file + ": " + e.getMessage(),
                        e);
            }
            if (d == null) {
                throw new ReplayException(ReplayException.USAGE_ERROR, "cannot tell the format of " + file
                        + " from its name or first line; pass --format " + LogFormat.names().replace(", ", "|")
                        + " (or --preset rees46|otto)");
            }
            format = d.format();
            layout = d.csvLayout();
            base = d.types();
            how = "detected: " + d.how();
        }
        if (format == LogFormat.CSV && layout == null) {
            throw new ReplayException(ReplayException.USAGE_ERROR, "--format csv needs --csv.user-column,"
                    + " --csv.item-column, --csv.timestamp-column and --csv.type-column (or --preset rees46)");
        }
        TypeMapping types = base != null ? base : format.defaultTypes();
        if (options.typeMapping() != null) {
            types = types.overriddenBy(options.typeMapping());
        }
        Instant earliest = options.earliestTimestamp() != null ? options.earliestTimestamp()
                : format.defaultEarliestTimestamp();
        ParserOptions eventOptions = ParserOptions.defaults()
                .withTimestampRange(earliest, ParserOptions.DEFAULT_MAX_FUTURE_SKEW);
        return new Resolved(format, new ReaderOptions(types, layout, options.minRating(), eventOptions), how);
    }

    private EventSink openSink() {
        if (injectedSink != null) {
            return injectedSink;
        }
        if (options.dryRun()) {
            notice("dry run: nothing is published");
            return EventSink.discarding();
        }
        try {
            return KafkaEventSink.open(options.target());
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage(), e);
        }
    }

    /** Opens and closes a reader: options that do not fit the file (a CSV column) fail before Kafka is contacted. */
    private void probe(Resolved r) {
        try {
            open(r, ReadProblems.NONE).close();
        } catch (IOException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + options.file() + ": "
                    + e.getMessage(), e);
        }
    }

    private LogReader open(Resolved r, ReadProblems problems) throws IOException {
        try {
            return r.format.open(options.file(), r.readerOptions, problems);
        } catch (IllegalArgumentException e) {
            throw new ReplayException(ReplayException.USAGE_ERROR, e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + options.file() + ": no such file",
                    e);
        }
    }

    private final ReadProblems problems = new ReadProblems() {
        @Override
        public void bad(BadRecord record) {
            countBad(record);
        }

        @Override
        public void ignored(String reason) {
            ignored++;
            ignoredByReason.merge(reason, 1L, Long::sum);
        }
    };

    private void countBad(BadRecord record) {
        bad++;
        badByReason.merge(record.reason(), 1L, Long::sum);
        listener.onBadRecord(record);
    }

    private boolean inRange(InteractionEvent e) {
        if ((options.from() != null && e.timestamp < options.from().toEpochMilli())
                || (options.to() != null && e.timestamp >= options.to().toEpochMilli())) {
            filtered++;
            return false;
        }
        return true;
    }

    private void replayInFileOrder(Resolved r, EventParser parser, EventSink sink, Pacing pacing) throws IOException {
        if (options.shiftToNow()) {
            shiftMs = System.currentTimeMillis() - shiftAnchor(r);
            notice("shifting timestamps by " + formatShift(shiftMs) + shiftWhat());
        }
        try (LogReader reader = open(r, problems)) {
            SourcedEvent se;
            while (!stopping() && (se = reader.next()) != null) {
                if (!inRange(se.event())) {
                    continue;
                }
                if (!publish(se, parser, sink, pacing)) {
                    break;
                }
                progress("publishing", reader.bytesRead(), reader.totalBytes());
            }
        }
    }

    /** The file-time instant that becomes "now": the backlog end, else the newest event that will be published. */
    private long shiftAnchor(Resolved r) throws IOException {
        if (options.backlogUntil() != null) {
            return options.backlogUntil().toEpochMilli();
        }
        // A pre-pass in file order (no memory): same filters and limit, problems reported by the main pass only.
        long max = Long.MIN_VALUE;
        long count = 0;
        try (LogReader reader = r.format.open(options.file(), r.readerOptions, ReadProblems.NONE)) {
            SourcedEvent se;
            while (count < options.limit() && (se = reader.next()) != null) {
                long ts = se.event().timestamp;
                if ((options.from() == null || ts >= options.from().toEpochMilli())
                        && (options.to() == null || ts < options.to().toEpochMilli())) {
                    max = Math.max(max, ts);
                    count++;
                }
            }
        }
        return max == Long.MIN_VALUE ? System.currentTimeMillis() : max;
    }

    private void replaySorted(Resolved r, EventParser parser, EventSink sink, Pacing pacing) throws IOException {
        List<SourcedEvent> events = new ArrayList<>();
        try (LogReader reader = open(r, problems)) {
            SourcedEvent se;
            while (!stopping() && (se = reader.next()) != null) {
                if (inRange(se.event())) {
                    events.add(se);
                }
                progress("reading", reader.bytesRead(), reader.totalBytes());
            }
        }
        // List.sort is a stable merge sort: events with equal timestamps keep their file order.
        events.sort(Comparator.comparingLong(s -> s.event().timestamp));
        notice("sorted " + String.format(java.util.Locale.ROOT, "%,d", events.size()) + " events by timestamp");
        if (options.shiftToNow() && !events.isEmpty()) {
            long anchor = options.backlogUntil() != null ? options.backlogUntil().toEpochMilli()
                    : events.get((int) Math.min(events.size(), options.limit()) - 1).event().timestamp;
            shiftMs = System.currentTimeMillis() - anchor;
            notice("shifting timestamps by " + formatShift(shiftMs) + shiftWhat());
        }
        for (int i = 0; i < events.size() && !stopping(); i++) {
            if (!publish(events.get(i), parser, sink, pacing)) {
                break;
            }
            events.set(i, null); // let the published part be collected
            progress("publishing", i + 1, events.size());
        }
    }

    private boolean stopping() {
        if (sent >= options.limit()) {
            stopReason = "limit";
            return true;
        }
        if (stopRequested.getCount() == 0) {
            stopReason = "stopped";
            return true;
        }
        return false;
    }

    /** Paces, shifts, validates and publishes one event; false when the replay should stop. */
    private boolean publish(SourcedEvent se, EventParser parser, EventSink sink, Pacing pacing) {
        InteractionEvent e = se.event();
        long wait = pacing.waitNanos(e, System.nanoTime());
        if (wait > 0) {
            try {
                if (stopRequested.await(wait, TimeUnit.NANOSECONDS)) {
                    stopReason = "stopped";
                    return false;
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                stopReason = "stopped";
                return false;
            }
        }
        e.timestamp += shiftMs;
        byte[] json = EventJson.toBytes(e);
        ParseResult check = parser.parse(json);
        if (!check.isValid()) {
            countBad(new BadRecord(se.line(), "invalid event (" + check.rejection().code() + ")",
                    check.rejection().reason()));
            return true;
        }
        sink.publish(e, json);
        sent++;
        firstTs = Math.min(firstTs, e.timestamp);
        lastTs = Math.max(lastTs, e.timestamp);
        return true;
    }

    private void progress(String phase, long done, long total) {
        // nanoTime per event is measurable at a million events/s; every 64th is plenty for a 100 ms cadence.
        if ((++progressCalls & 63) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now < nextProgressNanos) {
            return;
        }
        nextProgressNanos = now + options.progressInterval().toNanos();
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : -1;
        listener.onProgress(new ReplayProgress(phase, sent, bad, fraction, now - startNanos));
    }

    private void notice(String message) {
        notices.add(message);
        listener.onNotice(message);
    }

    private ReplaySummary summarize(LogFormat format, EventSink sink, Pacing pacing) {
        long outOfOrder = pacing instanceof SpeedPacing ? ((SpeedPacing) pacing).outOfOrder() : 0;
        List<String> endNotices = new ArrayList<>();
        if (outOfOrder > 0) {
            endNotices.add(outOfOrder + " events were older than an event already sent and went without delay;"
                    + " pacing needs timestamp order (--sort)");
        }
        if (sent > 0 && firstTs < LogFormat.TRAINER_DEFAULT_EARLIEST.toEpochMilli()) {
            Instant first = Instant.ofEpochMilli(firstTs);
            endNotices.add("events date back to " + first + "; the trainer accepts them only with"
                    + " ingest.timestamp.earliest at or before that (e.g. "
                    + first.atZone(java.time.ZoneOffset.UTC).withDayOfYear(1).toLocalDate() + "T00:00:00Z),"
                    + " or replay with --shift-to-now");
        }
        endNotices.forEach(this::notice);
        String destination = injectedSink != null ? "the given sink"
                : options.dryRun() ? "nowhere (dry run)"
                : "topic " + options.target().topic() + " at " + options.target().bootstrapServers();
        return new ReplaySummary(
                options.file().toString(), format, destination, sink.acknowledged(),
                bad, Collections.unmodifiableMap(new LinkedHashMap<>(badByReason)),
                ignored, Collections.unmodifiableMap(new LinkedHashMap<>(ignoredByReason)),
                filtered, outOfOrder, stopReason,
                Duration.ofNanos(System.nanoTime() - startNanos),
                sent > 0 ? Instant.ofEpochMilli(firstTs) : null,
                sent > 0 ? Instant.ofEpochMilli(lastTs) : null,
                shiftMs, List.copyOf(notices));
    }

    private String shiftWhat() {
        return options.backlogUntil() != null ? " (the end of the backlog becomes now)"
                : " (the last event becomes now)";
    }

    private static String formatShift(long ms) {
        Duration d = Duration.ofMillis(Math.abs(ms));
        return (ms < 0 ? "-" : "+") + d.toDays() + " d " + d.toHoursPart() + " h " + d.toMinutesPart() + " min";
    }
}
