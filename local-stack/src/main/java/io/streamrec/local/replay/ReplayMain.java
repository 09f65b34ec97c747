package io.streamrec.local.replay;

import io.streamrec.local.cli.CommandLine;
import io.streamrec.local.cli.ProgressDisplay;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.publish.KafkaCatalogSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.schema.EventType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code streamrec replay}: publishes a historical log file into Kafka as event JSON. Arguments in, an exit code
 * out (0 done, 1 Kafka error, 2 unreadable input, 3 nothing valid to publish, 64 bad options); the summary goes to
 * stdout, progress, notices and bad lines to stderr. {@link #run} does the work without exiting the JVM, for tests
 * and for the demo; {@link #parse} turns the same arguments into {@link ReplayOptions}.
 */
public final class ReplayMain {

    static final CommandLine.Spec SPEC = ItemColumnOptions.declare(CommandLine.spec("streamrec replay [options] FILE")
            .section("Input (the format is detected from the file name or first line when unambiguous)")
            .option("--format", "F", "movielens | csv | otto | events (our event JSON, one per line)")
            .option("--preset", "P", "a known layout: rees46 (CSV), completejourney (CSV, Complete Journey\n"
                    + "transactions), otto, movielens")
            .option("--type-map", "A=B,..", "map source types to view, click, add_to_cart, purchase, rating or skip;\n"
                    + "adds to the defaults: otto clicks=click,carts=add_to_cart,orders=purchase;\n"
                    + "movielens rating=rating; rees46 view=view,cart=add_to_cart,purchase=purchase,\n"
                    + "remove_from_cart=skip; csv/events: our own type names")
            .option("--csv.user-column", "COL", "column of the user id (a name; a 0-based number without header)")
            .option("--csv.item-column", "COL", "column of the item id")
            .option("--csv.type-column", "COL", "column of the event type (mapped by --type-map)")
            .option("--csv.type", "TYPE", "one fixed type for every row instead of a type column")
            .option("--csv.timestamp-column", "COL", "column of the timestamp")
            .option("--csv.timestamp-format", "F", "auto (default) | epoch-s | epoch-ms | iso | a java.time pattern\n"
                    + "such as \"yyyy-MM-dd HH:mm:ss z\"")
            .option("--csv.timezone", "ZONE", "zone of timestamps without one (default UTC)")
            .option("--csv.value-column", "COL", "column of the value (e.g. price or rating); optional")
            .option("--csv.session-column", "COL", "column of the session id; optional")
            .option("--csv.property-columns", "A,B", "columns copied into properties; optional")
            .option("--csv.delimiter", "C", "field delimiter (default ,; 'tab' for a tab)")
            .option("--csv.header", "BOOL", "whether the first line is a header (default true)")
            .option("--movielens.min-rating", "X", "ignore ratings below X (default: keep all)")
            .section("Item attributes in a CSV log, published as catalog records (rees46 has them built in)"))
            .section("Selection and order")
            .option("--from", "ISO", "only events at or after this instant (file time), e.g. 2019-10-01T00:00:00Z")
            .option("--to", "ISO", "only events before this instant (file time)")
            .option("--limit", "N", "stop after publishing N events")
            .flag("--sort", "sort by timestamp first; loads the whole file into memory (~200 bytes/event).\n"
                    + "Default for movielens (u.data is not in time order); file order otherwise")
            .flag("--no-sort", "keep file order (also for movielens)")
            .flag("--shift-to-now", "shift all timestamps so that the last event is now (keeps relative timing);\n"
                    + "with --backlog-until, so that the end of the backlog is now")
            .option("--earliest-timestamp", "ISO", "events before this are bad (the trainer's ingest.timestamp.earliest);\n"
                    + "default 2000-01-01T00:00:00Z, movielens 1995-01-01T00:00:00Z")
            .section("Pacing")
            .option("--speed", "S", "max (default: as fast as possible) or Nx, e.g. 10x: the events' own\n"
                    + "timestamp gaps divided by N; out-of-order events go without delay")
            .option("--backlog-until", "ISO", "with --speed: events before this instant go at full speed first,\n"
                    + "the rest paced (bootstrap from history, then continue)")
            .option("--max-wait", "DUR", "with --speed: no single pause longer than this, e.g. 5s")
            .section("Kafka")
            .option("--bootstrap-servers", "HOST:PORT", "default " + KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS)
            .option("--topic", "T", "default " + KafkaTarget.DEFAULT_TOPIC)
            .flag("--create-topic", "create the topic (and a missing catalog topic, compacted) when it does not\n"
                    + "exist")
            .option("--partitions", "N", "partitions of a created topic (default " + KafkaTarget.DEFAULT_PARTITIONS
                    + ")")
            .option("--connect-timeout", "DUR", "how long to wait for the broker (default 10s)")
            .flag("--dry-run", "read, map and validate, but publish nothing (no Kafka needed)")
            .option("--catalog-topic", "T", "where the catalog records a log implies go (REES46: an item's category,\n"
                    + "brand and price, when first seen and when changed), before the item's events;\n"
                    + "default " + KafkaCatalogSink.DEFAULT_TOPIC + " (compacted, key = item id)")
            .flag("--no-catalog", "publish the events only, no catalog records")
            .section("Output")
            .option("--progress", "M", "auto (default: a bar on a terminal, a line every 5 s otherwise) | bar |\n"
                    + "plain | none")
            .option("--max-reported", "N", "bad lines printed in detail before only counting (default 20)")
            .flag("--help", "print this help")
            .epilogue("Events are published as event JSON keyed by user id (UTF-8), idempotent producer, acks=all.\n"
                    + "Exit codes: 0 done (bad lines skipped), 1 Kafka unreachable/topic missing/publish failed,\n"
                    + "2 input file unreadable, 3 every record was bad, 64 bad options.")
            .epilogue("Examples:\n"
                    + "  streamrec replay ../shared/data/ml-100k/u.data --speed max\n"
                    + "  streamrec replay train.jsonl --sort --speed 60x --max-wait 5s\n"
                    + "  streamrec replay 2019-Oct.csv --preset rees46 --limit 100000 --shift-to-now\n"
                    + "  streamrec replay clicks.csv --csv.user-column uid --csv.item-column sku \\\n"
                    + "      --csv.type-column action --csv.timestamp-column ts --csv.timestamp-format epoch-ms \\\n"
                    + "      --type-map open=view,buy=purchase\n"
                    + "  streamrec replay ../shared/data/completejourney/transactions_sample.csv --preset completejourney");

    private ReplayMain() {}

    public static void main(String[] args) {
        CountDownLatch done = new CountDownLatch(1);
        int code;
        try {
            code = run(args, System.out, System.err, System.console() != null, replayer ->
                    // Ctrl-C: stop after the current event and flush what was sent, instead of losing the batch.
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        replayer.stop();
                        try {
                            done.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "replay-shutdown")));
        } finally {
            done.countDown();
        }
        System.exit(code);
    }

    /**
     * Runs a replay as the command line would, without exiting.
     *
     * @param terminal whether stderr is a terminal (a redrawn progress bar) or not (plain lines)
     * @param onStart gets the replayer before it runs, e.g. to stop it from a shutdown hook
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal,
                          Consumer<Replayer> onStart) {
        ReplayOptions options;
        ProgressDisplay.Mode mode;
        int maxReported;
        try {
            CommandLine cl = SPEC.parse(args);
            if (cl.flag("--help")) {
                out.print(SPEC.usage());
                return ReplayException.OK;
            }
            options = toOptions(cl);
            mode = progressMode(cl.get("--progress", "auto"), terminal);
            maxReported = cl.getInt("--max-reported", 20, 0);
        } catch (UsageException e) {
            err.println("replay: " + e.getMessage());
            err.println("replay: --help lists the options");
            return ReplayException.USAGE_ERROR;
        }
        Replayer replayer = new Replayer(options,
                new ConsoleProgress(out, err, mode, maxReported, Duration.ofSeconds(5)));
        onStart.accept(replayer);
        ReplaySummary summary;
        try {
            summary = replayer.run();
        } catch (ReplayException e) {
            err.println("replay: error: " + e.getMessage());
            return e.exitCode();
        }
        if (summary.published() == 0 && summary.bad() > 0) {
            err.println("replay: nothing was published: every record was bad; check --format and the column options");
            return ReplayException.NOTHING_PUBLISHED;
        }
        return ReplayException.OK;
    }

    /** As {@link #run(String[], PrintStream, PrintStream, boolean, Consumer)} with nothing to do at the start. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false, r -> { });
    }

    /**
     * Parses replay arguments (as documented by {@code --help}, FILE included) into options: for the demo's
     * {@code --replay FILE [format options]}.
     *
     * @throws UsageException naming the option at fault
     */
    public static ReplayOptions parse(String... args) throws UsageException {
        CommandLine cl = SPEC.parse(args);
        return toOptions(cl);
    }

    /** The usage text. */
    public static String usage() {
        return SPEC.usage();
    }

    static ReplayOptions toOptions(CommandLine cl) throws UsageException {
        List<String> files = cl.positionals();
        if (files.isEmpty()) {
            throw new UsageException("no FILE given: which log should be replayed?");
        }
        if (files.size() > 1) {
            throw new UsageException("one FILE at a time, got " + files.size() + ": " + String.join(" ", files));
        }
        ReplayOptions.Builder b = ReplayOptions.builder(Path.of(files.get(0)));
        try {
            LogFormat format = cl.has("--format") ? LogFormat.fromCliName(cl.get("--format")) : null;
            CsvLayout presetLayout = null;
            TypeMapping presetTypes = null;
            if (cl.has("--preset")) {
                String preset = cl.get("--preset").toLowerCase(Locale.ROOT);
                LogFormat presetFormat;
                switch (preset) {
                    case "rees46":
                        presetFormat = LogFormat.CSV;
                        presetLayout = CsvLayout.REES46;
                        presetTypes = CsvLayout.REES46_TYPES;
                        break;
                    case "completejourney":
                        presetFormat = LogFormat.CSV;
                        presetLayout = CsvLayout.COMPLETE_JOURNEY;
                        break;
                    case "otto":
                        presetFormat = LogFormat.OTTO;
                        break;
                    case "movielens":
                        presetFormat = LogFormat.MOVIELENS;
                        break;
                    default:
                        throw new UsageException("--preset: unknown preset '" + cl.get("--preset")
                                + "'; known presets: rees46, completejourney, otto, movielens");
                }
                if (format != null && format != presetFormat) {
                    throw new UsageException("--preset " + preset + " is --format " + presetFormat.cliName()
                            + ", but --format " + format.cliName() + " was given");
                }
                format = presetFormat;
            }
            b.format(format);
            CsvLayout layout = csvLayout(cl, presetLayout);
            if (layout != null && format != null && format != LogFormat.CSV) {
                throw new UsageException("--csv.* options apply to --format csv, not " + format.cliName());
            }
            b.csvLayout(layout);
            TypeMapping types = presetTypes;
            if (cl.has("--type-map")) {
                TypeMapping given = parseTypes(cl.get("--type-map"));
                types = types == null ? given : types.overriddenBy(given);
            }
            b.typeMapping(types);
            if (cl.has("--movielens.min-rating")) {
                b.minRating(cl.getDouble("--movielens.min-rating", 0));
            }
            b.from(cl.getInstant("--from")).to(cl.getInstant("--to"));
            if (cl.has("--limit")) {
                b.limit(cl.getLong("--limit", Long.MAX_VALUE, 1));
            }
            if (cl.flag("--sort") && cl.flag("--no-sort")) {
                throw new UsageException("--sort and --no-sort contradict each other");
            }
            b.sort(cl.flag("--sort") ? Boolean.TRUE : cl.flag("--no-sort") ? Boolean.FALSE : null);
            b.shiftToNow(cl.flag("--shift-to-now"));
            b.earliestTimestamp(cl.getInstant("--earliest-timestamp"));
            b.speed(parseSpeed(cl.get("--speed", "max")));
            b.backlogUntil(cl.getInstant("--backlog-until"));
            b.maxWait(cl.getDuration("--max-wait", null));
            KafkaTarget target = new KafkaTarget(
                    cl.get("--bootstrap-servers", KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS),
                    cl.get("--topic", KafkaTarget.DEFAULT_TOPIC),
                    cl.flag("--create-topic"),
                    cl.getInt("--partitions", KafkaTarget.DEFAULT_PARTITIONS, 1),
                    cl.getDuration("--connect-timeout", KafkaTarget.DEFAULT_CONNECT_TIMEOUT));
            b.target(target);
            b.dryRun(cl.flag("--dry-run"));
            b.catalog(!cl.flag("--no-catalog"));
            if (cl.has("--catalog-topic")) {
                if (cl.flag("--no-catalog")) {
                    throw new UsageException("--catalog-topic and --no-catalog contradict each other");
                }
                b.catalogTopic(cl.get("--catalog-topic"));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // Builders and parsers validate with IllegalArgumentException; their messages name the option.
            throw new UsageException(e.getMessage());
        }
    }

    private static TypeMapping parseTypes(String spec) throws UsageException {
        try {
            return TypeMapping.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--type-map: " + e.getMessage());
        }
    }

    private static CsvLayout csvLayout(CommandLine cl, CsvLayout preset) throws UsageException {
        boolean any = Arrays.stream(new String[] {"--csv.user-column", "--csv.item-column", "--csv.type-column",
            "--csv.type", "--csv.timestamp-column", "--csv.timestamp-format", "--csv.timezone", "--csv.value-column",
            "--csv.session-column", "--csv.property-columns", "--csv.delimiter", "--csv.header"}).anyMatch(cl::has)
                || ItemColumnOptions.any(cl);
        if (!any) {
            return preset;
        }
        CsvLayout.Builder b = preset != null ? preset.toBuilder() : CsvLayout.builder();
        if (cl.has("--csv.user-column")) {
            b.userColumn(cl.get("--csv.user-column"));
        }
        if (cl.has("--csv.item-column")) {
            b.itemColumn(cl.get("--csv.item-column"));
        }
        if (cl.has("--csv.type-column") && cl.has("--csv.type")) {
            throw new UsageException("--csv.type-column and --csv.type exclude each other");
        }
        if (cl.has("--csv.type-column")) {
            b.typeColumn(cl.get("--csv.type-column"));
        }
        if (cl.has("--csv.type")) {
            EventType t = EventType.fromWireName(cl.get("--csv.type"));
            if (t == null) {
                throw new UsageException("--csv.type: unknown type '" + cl.get("--csv.type") + "'; known types: "
                        + EventType.KNOWN_NAMES);
            }
            b.fixedType(t);
        }
        if (cl.has("--csv.timestamp-column")) {
            b.timestampColumn(cl.get("--csv.timestamp-column"));
        }
        if (cl.has("--csv.timestamp-format")) {
            try {
                TimestampFormat.of(cl.get("--csv.timestamp-format"), java.time.ZoneOffset.UTC);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--csv.timestamp-format: " + e.getMessage());
            }
            b.timestampFormat(cl.get("--csv.timestamp-format"));
        }
        if (cl.has("--csv.timezone")) {
            try {
                b.timezone(ZoneId.of(cl.get("--csv.timezone")));
            } catch (DateTimeException e) {
                throw new UsageException("--csv.timezone: unknown zone '" + cl.get("--csv.timezone")
                        + "' (e.g. UTC, Europe/Berlin, +02:00)");
            }
        }
        if (cl.has("--csv.value-column")) {
            b.valueColumn(cl.get("--csv.value-column"));
        }
        if (cl.has("--csv.session-column")) {
            b.sessionColumn(cl.get("--csv.session-column"));
        }
        if (cl.has("--csv.property-columns")) {
            b.propertyColumns(Arrays.stream(cl.get("--csv.property-columns").split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList());
        }
        if (cl.has("--csv.delimiter")) {
            b.delimiter(parseDelimiter(cl.get("--csv.delimiter")));
        }
        b.header(cl.getBoolean("--csv.header", preset == null || preset.header()));
        b.itemColumns(ItemColumnOptions.apply(cl, preset != null ? preset.itemColumns() : ItemColumns.NONE));
        try {
            return b.build().validate();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** "tab" (or "\\t") is a tab; anything else must be one character. */
    public static char parseDelimiter(String d) throws UsageException {
        switch (d) {
            case "tab": case "\\t": case "\t":
                return '\t';
            default:
                if (d.length() != 1) {
                    throw new UsageException("--csv.delimiter: expected one character (or 'tab'), got '" + d + "'");
                }
                return d.charAt(0);
        }
    }

    /** "max" is 0 (unpaced); "10x", "10" and "0.5x" are factors. */
    static double parseSpeed(String s) throws UsageException {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.equals("max")) {
            return 0;
        }
        if (t.endsWith("x")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            double f = Double.parseDouble(t);
            if (!(f > 0) || Double.isInfinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new UsageException("--speed: expected max or a positive factor such as 10x or 0.5x, got '" + s + "'");
        }
    }

    private static ProgressDisplay.Mode progressMode(String m, boolean terminal) throws UsageException {
        try {
            return ProgressDisplay.Mode.parse(m, terminal);
        } catch (UsageException e) {
            throw new UsageException("--progress: " + e.getMessage());
        }
    }
}
