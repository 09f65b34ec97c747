package io.streamrec.local.catalog;

import io.streamrec.local.publish.CatalogSink;
import io.streamrec.local.publish.KafkaCatalogSink;
import io.streamrec.local.publish.PublishException;
import io.streamrec.local.replay.BadRecord;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.InputFiles;
import io.streamrec.local.replay.ProgressListener;
import io.streamrec.local.replay.ReadProblems;
import io.streamrec.local.replay.ReplayException;
import io.streamrec.local.replay.ReplayProgress;
import io.streamrec.schema.catalog.CatalogJson;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.catalog.CatalogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes one catalog file to the catalog topic: a file and {@link CatalogLoadOptions} in, one record per item on
 * the topic (keyed by item id) and a {@link CatalogLoadSummary} out, with notices, bad lines and progress reported to
 * a {@link ProgressListener}. The loop behind {@code streamrec catalog load}, and behind
 * {@link CatalogSources#fromFile} (with a collecting sink).
 *
 * <p>Order of work, as replay's: check the file is readable (exit code 2), tell the format, open a reader (options
 * that do not fit the file: 64), check Kafka (1; skipped in a dry run), then read in file order. Every record is
 * written with {@link CatalogJson} and checked with the strict {@link CatalogParser}, key included, before it is
 * sent: what is published is exactly what the trainer accepts. Memory: the item ids seen so far (to count
 * duplicates), about 60 bytes per item.
 *
 * <p>{@link #run()} runs on the caller's thread; {@link #stop()} may be called from any other thread.
 */
public final class CatalogLoader {
    private final CatalogLoadOptions options;
    private final ProgressListener listener;
    private final CatalogSink injectedSink;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final CatalogParser parser = new CatalogParser();

    private final Map<String, Long> badByReason = new LinkedHashMap<>();
    private final List<String> notices = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private long bad;
    private long sent;
    private long retired;
    private long duplicates;
    private String stopReason;
    private long startNanos;
    private long nextProgressNanos;

    /** Publishes to Kafka as {@link CatalogLoadOptions#target()} says (or nowhere in a dry run). */
    public CatalogLoader(CatalogLoadOptions options, ProgressListener listener) {
        this(options, listener, null);
    }

    /** Publishes to the given sink (flushed, not closed: the caller owns it); no Kafka check is made. */
    public CatalogLoader(CatalogLoadOptions options, ProgressListener listener, CatalogSink sink) {
        this.options = options;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.injectedSink = sink;
    }

    /** Asks a running load to stop after the record in hand (it still flushes). */
    public void stop() {
        stopRequested.countDown();
    }

    private record Resolved(CatalogFormat format, CsvLayout layout, Charset charset, String how) {}

    /**
     * Loads the file. Can be called once.
     *
     * @throws ReplayException with the exit code for the failure (unreadable file 2, Kafka 1, bad options 64)
     */
    public CatalogLoadSummary run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a CatalogLoader runs once");
        }
        startNanos = System.nanoTime();
        Path file = options.file();
        InputFiles.requireReadable(file);
        Resolved r = resolve(file);
        notice("reading " + file + " as " + r.format.cliName() + " (" + r.how + ")");
        probe(r);
        CatalogSink sink = openSink();
        try (CatalogReader reader = open(r, problems)) {
            SourcedCatalogRecord sr;
            while (!stopping() && (sr = reader.next()) != null) {
                publish(sr, sink);
                progress(reader.bytesRead(), reader.totalBytes());
            }
            sink.flush();
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage() + " (" + sink.acknowledged()
                    + " records were published before that)", e);
        } catch (IOException | UncheckedIOException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "reading " + file + " failed: " + e.getMessage(),
                    e);
        } finally {
            if (injectedSink == null) {
                sink.close();
            }
        }
        if (duplicates > 0) {
            notice(String.format(java.util.Locale.ROOT, "%,d records were for an item id already loaded from this"
                    + " file; the later record replaces the earlier (is --csv.item-column the item id?)", duplicates));
        }
        String destination = injectedSink != null ? "the given sink" : options.dryRun() ? "nowhere (dry run)"
                : "topic " + options.target().topic() + " at " + options.target().bootstrapServers();
        return new CatalogLoadSummary(file.toString(), r.format, destination, sink.acknowledged(), retired, bad,
                Collections.unmodifiableMap(new LinkedHashMap<>(badByReason)), duplicates, stopReason,
                Duration.ofNanos(System.nanoTime() - startNanos), List.copyOf(notices));
    }

    private Resolved resolve(Path file) {
        CatalogFormat format = options.format();
        CsvLayout layout = options.csvLayout();
        String how;
        if (format != null) {
            how = "--format " + format.cliName();
        } else if (layout != null) {
            format = CatalogFormat.CSV;
            how = "CSV column options";
        } else {
            CatalogFormat.Detection d;
            try {
                d = CatalogFormat.detect(file);
            } catch (IOException e) {
                throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + file + ": " + e.getMessage(),
                        e);
            }
            if (d == null) {
                throw new ReplayException(ReplayException.USAGE_ERROR, "cannot tell the format of " + file
                        + " from its name or first line; pass --format " + CatalogFormat.names().replace(", ", "|")
                        + " (a CSV file with --csv.item-column and the attribute columns, or --preset"
                        + " completejourney)");
            }
            format = d.format();
            layout = d.csvLayout();
            how = "detected: " + d.how();
        }
        if (format == CatalogFormat.CSV && layout == null) {
            throw new ReplayException(ReplayException.USAGE_ERROR, "--format csv needs --csv.item-column and the"
                    + " attribute columns (--csv.category-columns, --csv.text-columns, --csv.number-columns, ...),"
                    + " or --preset completejourney");
        }
        if (format == CatalogFormat.CSV && layout.itemColumns().isEmpty()) {
            notice("no attribute columns given (--csv.category-columns, --csv.text-columns, ...): the records only"
                    + " say that the items exist");
        }
        Charset charset = options.encoding() != null ? options.encoding() : format.defaultCharset();
        return new Resolved(format, layout, charset, how);
    }

    private CatalogReader open(Resolved r, ReadProblems p) {
        try {
            return r.format.open(options.file(), r.charset, r.layout, parser, p);
        } catch (IllegalArgumentException e) {
            throw new ReplayException(ReplayException.USAGE_ERROR, e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + options.file() + ": no such file",
                    e);
        } catch (IOException e) {
            throw new ReplayException(ReplayException.INPUT_ERROR, "cannot read " + options.file() + ": "
                    + e.getMessage(), e);
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

    private CatalogSink openSink() {
        if (injectedSink != null) {
            return injectedSink;
        }
        if (options.dryRun()) {
            notice("dry run: nothing is published");
            return CatalogSink.discarding();
        }
        try {
            return KafkaCatalogSink.open(options.target(), "--topics.catalog", this::notice);
        } catch (PublishException e) {
            throw new ReplayException(ReplayException.KAFKA_ERROR, e.getMessage(), e);
        }
    }

    private final ReadProblems problems = new ReadProblems() {
        @Override
        public void bad(BadRecord record) {
            countBad(record);
        }

        @Override
        public void ignored(String reason) {
            // Catalog readers skip nothing on purpose.
        }
    };

    private void countBad(BadRecord record) {
        bad++;
        badByReason.merge(record.reason(), 1L, Long::sum);
        listener.onBadRecord(record);
    }

    private void publish(SourcedCatalogRecord sr, CatalogSink sink) {
        CatalogRecord record = sr.record();
        byte[] json = CatalogJson.toBytes(record);
        CatalogParseResult check = parser.parse(record.itemId().getBytes(StandardCharsets.UTF_8), json);
        if (!check.isValid()) {
            countBad(new BadRecord(sr.line(), "invalid record (" + check.rejection().code() + ")",
                    check.rejection().reason()));
            return;
        }
        sink.publish(record, json);
        sent++;
        if (!record.available()) {
            retired++;
        }
        if (!seen.add(record.itemId())) {
            duplicates++;
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

    private void progress(long done, long total) {
        long now = System.nanoTime();
        if (now < nextProgressNanos) {
            return;
        }
        nextProgressNanos = now + options.progressInterval().toNanos();
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : -1;
        listener.onProgress(new ReplayProgress("loading", sent, bad, fraction, now - startNanos));
    }

    private void notice(String message) {
        notices.add(message);
        listener.onNotice(message);
    }
}
