package io.streamrec.local.replay;

import io.streamrec.local.publish.CatalogBeforeEvents;
import io.streamrec.local.publish.CatalogSink;
import io.streamrec.local.publish.EventSink;
import io.streamrec.local.publish.KafkaEventSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.publish.Pacing;
import io.streamrec.local.publish.PublishException;
import io.streamrec.local.publish.SpeedPacing;
import io.streamrec.schema.EventJson;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
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
 * <p>Catalog records: when the log describes items ({@link SourcedEvent#item()}, e.g. REES46's category, brand and
 * price), the record of an item is published to the catalog topic when the item is first seen and again whenever
 * its attributes change ({@link CatalogChanges}), checked with the strict {@link CatalogParser} (a line whose item
 * attributes break the catalog contract is a bad line), through the events' producer, and stored before the first
 * event that carries it is sent ({@link CatalogBeforeEvents}). {@code --no-catalog} turns this off.
 *
 * <p>{@link #run()} runs on the caller's thread; {@link #stop()} may be called from any other thread.
 */
public final class Replayer {
    private final ReplayOptions options;
    private final ProgressListener listener;
    private final EventSink injectedSink;
    private final CatalogSink injectedCatalogSink;
    private final CatalogChanges catalogChanges = new CatalogChanges();
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
     * and no Kafka check is made. No catalog records are published.
     */
    public Replayer(ReplayOptions options, ProgressListener listener, EventSink sink) {
        this(options, listener, sink, null);
    }

    /**
     * Publishes events to {@code sink} and the catalog records the log implies to {@code catalogSink} (none when it
     * is null or {@link ReplayOptions#catalog()} is off) instead of opening sinks; both are flushed but not closed
     * (the caller owns them), and no Kafka check is made. With a discarding event sink this collects the catalog
     * records of a log, as {@code io.streamrec.local.catalog.CatalogSources#fromLog} does.
     */
    public Replayer(ReplayOptions options, ProgressListener listener, EventSink sink, CatalogSink catalogSink) {
        this.options = options;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.injectedSink = sink;
        this.injectedCatalogSink = catalogSink;
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
        InputFiles.requireReadable(file);
        Resolved r = resolve(file);
        notice("reading " + file + " as " + r.format.cliName() + " (" + r.how + ")");
        boolean sort = options.sort() != null ? options.sort() : r.format.sortedByDefault();
        Instant earliest = options.earliestTimestamp() != null ? options.earliestTimestamp()
                : r.format.defaultEarliestTimestamp();
        EventParser parser = new EventParser(ParserOptions.defaults()
                .withTimestampRange(earliest, ParserOptions.DEFAULT_MAX_FUTURE_SKEW));

        probe(r);
        EventSink sink = openSink();
        CatalogSink catalogSink;
        try {
            catalogSink = openCatalogSink(r, sink);
        } catch (ReplayException e) {
            if (injectedSink == null) {
                sink.close();
            }
            throw e;
        }
        CatalogParser catalogParser = catalogSink == null ? null : new CatalogParser(ParserOptions.defaults());
        CatalogBeforeEvents out = new CatalogBeforeEvents(
                catalogSink == null ? CatalogSink.discarding() : catalogSink, sink, MAX_HELD_EVENTS);
        Pacing pacing = options.speed() > 0
                ? new SpeedPacing(options.speed(),
                        options.backlogUntil() == null ? Long.MIN_VALUE : options.backlogUntil().toEpochMilli(),
                        options.maxWait() == null ? Long.MAX_VALUE : options.maxWait().toNanos())
                : options.rate() > 0 ? Pacing.rate(options.rate()) : Pacing.unlimited();
        try {
            Publishing p = new Publishing(parser, catalogParser, out, pacing);
            if (sort) {
                replaySorted(r, p);
            } else {
                replayInFileOrder(r, p);
            }
            out.flush();
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage() + " (" + sink.acknowledged()
                    + " events" + (catalogSink == null ? "" : " and " + catalogSink.acknowledged() + " catalog records")
                    + " were published before that)", e);
        } catch (IOException | UncheckedIOException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "reading " + file + " failed: " + e.getMessage(),
                    e);
        } finally {
            if (injectedSink == null) {
                if (catalogSink != null) {
                    catalogSink.close();
                }
                sink.close();
            }
        }
        ReplaySummary summary = summarize(r.format, sink, catalogSink, pacing);
        listener.onFinished(summary);
        return summary;
    }

    /** Events held behind unconfirmed catalog records before a flush (see {@link CatalogBeforeEvents}). */
    static final int MAX_HELD_EVENTS = 2_000;

    /** What publishing one event needs. */
    private record Publishing(EventParser parser, CatalogParser catalogParser, CatalogBeforeEvents out,
                              Pacing pacing) {}

    private record Resolved(LogFormat format, ReaderOptions readerOptions, String how) {
        /** Whether the log's lines describe their items (and so imply catalog records). */
        boolean describesItems() {
            return readerOptions.csvLayout() != null && !readerOptions.csvLayout().itemColumns().isEmpty();
        }
    }

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
                        + " (or --preset rees46|completejourney|otto)");
            }
            format = d.format();
            layout = d.csvLayout();
            base = d.types();
            how = "detected: " + d.how();
        }
        if (format == LogFormat.CSV && layout == null) {
            throw new ReplayException(ReplayException.USAGE_ERROR, "--format csv needs --csv.user-column,"
                    + " --csv.item-column, --csv.timestamp-column and --csv.type-column (or --preset rees46 or"
                    + " completejourney)");
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

    /** The catalog sink to use, or null when no catalog records are published. */
    private CatalogSink openCatalogSink(Resolved r, EventSink events) {
        if (!options.catalog() || !r.describesItems()) {
            return null;
        }
        if (injectedSink != null) {
            return injectedCatalogSink;
        }
        if (options.dryRun()) {
            return CatalogSink.discarding();
        }
        KafkaTarget target = options.catalogTarget();
        try {
            CatalogSink c = ((KafkaEventSink) events).catalogSink(target, "--topics.catalog", this::notice);
            notice("item attributes go to topic " + target.topic() + " as catalog records (--no-catalog: not)");
            return c;
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage()
                    + "; or pass --no-catalog to publish the events only", e);
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

    private void replayInFileOrder(Resolved r, Publishing p) throws IOException {
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
                if (!publish(se, p)) {
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

    private void replaySorted(Resolved r, Publishing p) throws IOException {
        List<SourcedEvent> events = new ArrayList<>();
        // Lines of one item usually describe it alike: keep one copy of equal records, not one per event.
        Map<String, CatalogRecord> lastItem = new HashMap<>();
        try (LogReader reader = open(r, problems)) {
            SourcedEvent se;
            while (!stopping() && (se = reader.next()) != null) {
                if (inRange(se.event())) {
                    CatalogRecord item = se.item();
                    if (item != null) {
                        CatalogRecord before = lastItem.get(item.itemId());
                        if (item.equals(before)) {
                            se = new SourcedEvent(se.line(), se.event(), before);
                        } else {
                            lastItem.put(item.itemId(), item);
                        }
                    }
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
            if (!publish(events.get(i), p)) {
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

    /**
     * Paces, shifts, validates and publishes one event, after its item's catalog record when that is new or changed;
     * false when the replay should stop.
     */
    private boolean publish(SourcedEvent se, Publishing p) {
        InteractionEvent e = se.event();
        long wait = p.pacing.waitNanos(e, System.nanoTime());
        if (wait > 0) {
            p.out.release(); // held events go now, not after the pause
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
        ParseResult check = p.parser.parse(json);
        if (!check.isValid()) {
            countBad(new BadRecord(se.line(), "invalid event (" + check.rejection().code() + ")",
                    check.rejection().reason()));
            return true;
        }
        CatalogRecord item = se.item();
        if (p.catalogParser != null && item != null) {
            byte[] itemJson = CatalogJson.toBytes(item);
            if (catalogChanges.isNew(item.itemId(), itemJson)) {
                CatalogParseResult itemCheck = p.catalogParser.parse(item.itemId().getBytes(StandardCharsets.UTF_8),
                        itemJson);
                if (!itemCheck.isValid()) {
                    countBad(new BadRecord(se.line(), "invalid item attributes (" + itemCheck.rejection().code() + ")",
                            "item attributes: " + itemCheck.rejection().reason()));
                    return true;
                }
                p.out.catalog(item, itemJson);
                catalogChanges.published(item.itemId(), itemJson);
            }
        }
        p.out.event(e, json);
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

    private ReplaySummary summarize(LogFormat format, EventSink sink, CatalogSink catalogSink, Pacing pacing) {
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
                shiftMs, List.copyOf(notices),
                catalogSink == null ? 0 : catalogSink.acknowledged(), catalogChanges.items(),
                catalogSink == null ? null : injectedSink != null ? "the given sink"
                        : options.dryRun() ? "nowhere (dry run)"
                        : "topic " + options.catalogTopic() + " at " + options.target().bootstrapServers());
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
