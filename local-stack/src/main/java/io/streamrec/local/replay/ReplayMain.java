package io.streamrec.local.replay;

import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.CommonOptions;
import io.streamrec.local.cli.ParsedArgs;
import io.streamrec.local.cli.ProgressDisplay;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.schema.EventType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code streamrec replay}: publishes a historical log file into Kafka as event JSON. Arguments in, an exit code
 * out (0 done, 1 Kafka error, 2 unreadable input, 3 nothing valid to publish, 64 bad options); the summary goes to
 * stdout, progress, notices and bad lines to stderr. {@link #run} does the work without exiting the JVM, for tests
 * and for the demo; {@link #parse} turns the same arguments into {@link ReplayOptions}.
 */
public final class ReplayMain {

    private static final java.util.Map<String, String> PRESETS = new java.util.LinkedHashMap<>();

    static {
        PRESETS.put("rees46", "CSV");
        PRESETS.put("completejourney", "CSV, Complete Journey transactions");
        PRESETS.put("onlineretail", "CSV, UCI Online Retail invoice lines");
        PRESETS.put("otto", "");
        PRESETS.put("movielens", "");
    }

    public static final Option<LogFormat> FORMAT = Option.named("--format", ValueTypes.of("F", LogFormat::fromCliName,
                    LogFormat::cliName))
            .description("movielens | csv | otto | events (our event JSON, one per line)").build();
    public static final Option<String> PRESET = Option.named("--preset", ValueTypes.of("P", p -> {
                String name = p.strip().toLowerCase(Locale.ROOT);
                if (!PRESETS.containsKey(name)) {
                    throw new IllegalArgumentException("unknown preset '" + p + "'; known presets: "
                            + String.join(", ", PRESETS.keySet()));
                }
                return name;
            }, p -> p))
            .description("a known layout: rees46 (CSV), completejourney (CSV, Complete Journey transactions), "
                    + "onlineretail (CSV, UCI Online Retail), otto, movielens").build();
    public static final Option<TypeMapping> TYPE_MAP = Option.named("--type-map", ValueTypes.of("A=B,..",
                    TypeMapping::parse, TypeMapping::toString))
            .description("map source types to view, click, add_to_cart, purchase, rating or skip; adds to the "
                    + "defaults: otto clicks=click,carts=add_to_cart,orders=purchase; movielens rating=rating; rees46 "
                    + "view=view,cart=add_to_cart,purchase=purchase,remove_from_cart=skip; csv/events: our own type "
                    + "names").build();
    static final Option<String> USER_COLUMN = column("--csv.user-column",
            "column of the user id (a name; a 0-based number without header)");
    static final Option<String> TYPE_COLUMN = column("--csv.type-column", "column of the event type (mapped by "
            + "--type-map)");
    static final Option<EventType> FIXED_TYPE = Option.named("--csv.type", ValueTypes.of("TYPE", t -> {
                EventType type = EventType.fromWireName(t.strip());
                if (type == null) {
                    throw new IllegalArgumentException("unknown type '" + t + "'; known types: "
                            + EventType.KNOWN_NAMES);
                }
                return type;
            }, EventType::toString))
            .description("one fixed type for every row instead of a type column").build();
    static final Option<String> TIMESTAMP_COLUMN = column("--csv.timestamp-column", "column of the timestamp");
    static final Option<String> TIMESTAMP_FORMAT = Option.named("--csv.timestamp-format", ValueTypes.STRING)
            .label("F").validate(f -> TimestampFormat.of(f, ZoneOffset.UTC))
            .description("auto (default) | epoch-s | epoch-ms | iso | a java.time pattern such as "
                    + "\"yyyy-MM-dd HH:mm:ss z\"").build();
    static final Option<ZoneId> TIMEZONE = Option.named("--csv.timezone", ValueTypes.of("ZONE", z -> {
                try {
                    return ZoneId.of(z.strip());
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException("unknown zone '" + z + "' (e.g. UTC, Europe/Berlin, +02:00)");
                }
            }, ZoneId::toString))
            .description("zone of timestamps without one (default UTC)").build();
    static final Option<String> VALUE_COLUMN = column("--csv.value-column", "column of the value (e.g. price or "
            + "rating); optional");
    static final Option<String> SESSION_COLUMN = column("--csv.session-column", "column of the session id; optional");
    static final Option<String> PROPERTY_COLUMNS = Option.named("--csv.property-columns", ValueTypes.STRING)
            .label("A,B").description("columns copied into properties; optional").build();
    public static final Option<Double> MIN_RATING = Option.named("--movielens.min-rating", ValueTypes.NUMBER)
            .description("ignore ratings below X (default: keep all)").build();
    public static final Option<Instant> FROM = Option.named("--from", ValueTypes.INSTANT)
            .description("only events at or after this instant (file time), e.g. 2019-10-01T00:00:00Z").build();
    public static final Option<Instant> TO = Option.named("--to", ValueTypes.INSTANT)
            .description("only events before this instant (file time)").build();
    public static final Option<Long> LIMIT = CommonOptions.LIMIT;
    public static final Option<Boolean> SORT = Option.flag("--sort")
            .description("sort by timestamp first; loads the whole file into memory (~200 bytes/event). Default for "
                    + "movielens (u.data is not in time order); file order otherwise").build();
    public static final Option<Boolean> NO_SORT = Option.flag("--no-sort")
            .description("keep file order (also for movielens)").build();
    static final Option<Boolean> SHIFT_TO_NOW = Option.flag("--shift-to-now")
            .description("shift all timestamps so that the last event is now (keeps relative timing); with "
                    + "--backlog-until, so that the end of the backlog is now").build();
    public static final Option<Instant> EARLIEST = Option.named("--ingest.timestamp.earliest", ValueTypes.INSTANT)
            .deprecatedName("--earliest-timestamp")
            .description("events before this are bad, as for the trainer's key of that name (default "
                    + "2000-01-01T00:00:00Z, movielens 1995-01-01T00:00:00Z)").build();
    static final Option<Double> SPEED = Option.named("--speed", ValueTypes.of("S", ReplayMain::parseSpeed,
                    f -> f == 0 ? "max" : f + "x"))
            .defaultValue(0.0).defaultText("max")
            .description("max (as fast as possible) or Nx, e.g. 10x: the events' own timestamp gaps divided by N; "
                    + "out-of-order events go without delay").build();
    static final Option<Double> RATE = Option.named("--rate", ValueTypes.NUMBER).label("N")
            .check(r -> r > 0 && !r.isInfinite(), "must be a positive number of events per second")
            .description("at most N events per second, evenly spaced (instead of --speed): pace a backlog so that "
                    + "the trainer keeps up with its item feed").build();
    static final Option<Instant> BACKLOG_UNTIL = Option.named("--backlog-until", ValueTypes.INSTANT)
            .description("with --speed: events before this instant go at full speed first, the rest paced "
                    + "(bootstrap from history, then continue)").build();
    static final Option<Duration> MAX_WAIT = Option.named("--max-wait", ValueTypes.DURATION)
            .check(d -> !d.isZero(), "must be positive")
            .description("with --speed: no single pause longer than this, e.g. 5s").build();
    static final Option<Boolean> CREATE_TOPIC = CommonOptions.CREATE_TOPIC.toBuilder()
            .description("create the topic (and a missing catalog topic, compacted) when it does not exist").build();
    public static final Option<String> CATALOG_TOPIC = CommonOptions.CATALOG_TOPIC.toBuilder()
            .deprecatedName("--catalog-topic")
            .description("where the catalog records a log implies go (REES46: an item's category, brand and price, "
                    + "when first seen and when changed), before the item's events (compacted, key = item id)")
            .build();
    public static final Option<Boolean> NO_CATALOG = Option.flag("--no-catalog")
            .description("publish the events only, no catalog records").build();

    /** The options that say how a log is read and which events are taken (also evaluate's and demo --replay's). */
    public static final List<Option<?>> READING = List.of(FORMAT, PRESET, TYPE_MAP, USER_COLUMN,
            ItemColumnOptions.ITEM_COLUMN, TYPE_COLUMN, FIXED_TYPE, TIMESTAMP_COLUMN, TIMESTAMP_FORMAT, TIMEZONE,
            VALUE_COLUMN, SESSION_COLUMN, PROPERTY_COLUMNS, ItemColumnOptions.DELIMITER, ItemColumnOptions.HEADER,
            MIN_RATING);

    static final CliCommand COMMAND = CliCommand.builder("replay", "streamrec replay [options] FILE")
            .description("Publishes a historical log (MovieLens, CSV, OTTO, event JSON) into Kafka.")
            .positionals("FILE")
            .section("Input (the format is detected from the file name or first line when unambiguous)")
            .options(READING)
            .section("Item attributes in a CSV log, published as catalog records (rees46 has them built in)")
            .options(ItemColumnOptions.ALL)
            .section("Selection and order")
            .options(FROM, TO, LIMIT, SORT, NO_SORT, SHIFT_TO_NOW, EARLIEST)
            .section("Pacing")
            .options(SPEED, RATE, BACKLOG_UNTIL, MAX_WAIT)
            .section("Kafka")
            .options(CommonOptions.BOOTSTRAP_SERVERS, CommonOptions.INTERACTIONS_TOPIC, CREATE_TOPIC,
                    CommonOptions.PARTITIONS, CommonOptions.CONNECT_TIMEOUT, CommonOptions.DRY_RUN, CATALOG_TOPIC,
                    NO_CATALOG)
            .section("Output")
            .options(CommonOptions.PROGRESS, CommonOptions.MAX_REPORTED)
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
                    + "  streamrec replay ../shared/data/completejourney/transactions_sample.csv --preset completejourney")
            .build();

    private static Option<String> column(String name, String description) {
        return Option.named(name, ValueTypes.STRING).label("COL").check(Option.nonBlank(), "expected a column name")
                .description(description).build();
    }

    private ReplayMain() {}

    public static void main(String[] args) {
        System.exit(runMain(args, System.out, System.err));
    }

    /** As {@link #main}, without exiting: Ctrl-C stops the replay after the current event, flushing what was sent. */
    public static int runMain(String[] args, PrintStream out, PrintStream err) {
        CountDownLatch done = new CountDownLatch(1);
        int code;
        try {
            code = run(args, out, err, System.console() != null, replayer ->
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
        return code;
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
            ParsedArgs cl = COMMAND.parse(args);
            if (cl.helpRequested()) {
                out.print(COMMAND.usage());
                return ReplayException.OK;
            }
            COMMAND.warn(err, cl.warnings());
            options = toOptions(cl);
            mode = CommonOptions.progressMode(cl.get(CommonOptions.PROGRESS), terminal);
            maxReported = cl.get(CommonOptions.MAX_REPORTED);
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
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
        ParsedArgs cl = COMMAND.parse(args);
        return toOptions(cl);
    }

    /** The usage text. */
    public static String usage() {
        return COMMAND.usage();
    }

    /**
     * The replay options of parsed arguments: FILE and every replay option among them (another command, such as
     * evaluate, may parse only some of them; the others keep their defaults).
     *
     * @throws UsageException naming the option at fault
     */
    public static ReplayOptions toOptions(ParsedArgs cl) throws UsageException {
        List<String> files = cl.positionals();
        if (files.isEmpty()) {
            throw new UsageException("no FILE given: which log should be replayed?");
        }
        if (files.size() > 1) {
            throw new UsageException("one FILE at a time, got " + files.size() + ": " + String.join(" ", files));
        }
        ReplayOptions.Builder b = ReplayOptions.builder(Path.of(files.get(0)));
        try {
            LogFormat format = cl.get(FORMAT);
            CsvLayout presetLayout = null;
            TypeMapping presetTypes = null;
            if (cl.has(PRESET)) {
                String preset = cl.get(PRESET);
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
                    case "onlineretail":
                        presetFormat = LogFormat.CSV;
                        presetLayout = CsvLayout.ONLINE_RETAIL;
                        break;
                    case "otto":
                        presetFormat = LogFormat.OTTO;
                        break;
                    default:
                        presetFormat = LogFormat.MOVIELENS;
                        break;
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
            if (cl.has(TYPE_MAP)) {
                TypeMapping given = cl.get(TYPE_MAP);
                types = types == null ? given : types.overriddenBy(given);
            }
            b.typeMapping(types);
            b.minRating(cl.get(MIN_RATING));
            b.from(cl.get(FROM)).to(cl.get(TO));
            if (cl.has(LIMIT)) {
                b.limit(cl.get(LIMIT));
            }
            if (cl.flag(SORT) && cl.flag(NO_SORT)) {
                throw new UsageException("--sort and --no-sort contradict each other");
            }
            b.sort(cl.flag(SORT) ? Boolean.TRUE : cl.flag(NO_SORT) ? Boolean.FALSE : null);
            b.shiftToNow(cl.flag(SHIFT_TO_NOW));
            b.earliestTimestamp(cl.get(EARLIEST));
            b.speed(cl.get(SPEED));
            if (cl.has(RATE)) {
                b.rate(cl.get(RATE));
            }
            b.backlogUntil(cl.get(BACKLOG_UNTIL));
            b.maxWait(cl.get(MAX_WAIT));
            KafkaTarget target = new KafkaTarget(cl.get(CommonOptions.BOOTSTRAP_SERVERS),
                    cl.get(CommonOptions.INTERACTIONS_TOPIC), cl.flag(CREATE_TOPIC), cl.get(CommonOptions.PARTITIONS),
                    cl.get(CommonOptions.CONNECT_TIMEOUT));
            b.target(target);
            b.dryRun(cl.flag(CommonOptions.DRY_RUN));
            b.catalog(!cl.flag(NO_CATALOG));
            if (cl.has(CATALOG_TOPIC)) {
                if (cl.flag(NO_CATALOG)) {
                    throw new UsageException("--topics.catalog and --no-catalog contradict each other");
                }
                b.catalogTopic(cl.get(CATALOG_TOPIC));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // Builders and parsers validate with IllegalArgumentException; their messages name the option.
            throw new UsageException(e.getMessage());
        }
    }

    private static CsvLayout csvLayout(ParsedArgs cl, CsvLayout preset) throws UsageException {
        boolean any = Stream.of(USER_COLUMN, ItemColumnOptions.ITEM_COLUMN, TYPE_COLUMN, FIXED_TYPE, TIMESTAMP_COLUMN,
                TIMESTAMP_FORMAT, TIMEZONE, VALUE_COLUMN, SESSION_COLUMN, PROPERTY_COLUMNS, ItemColumnOptions.DELIMITER,
                ItemColumnOptions.HEADER).anyMatch(cl::has) || ItemColumnOptions.any(cl);
        if (!any) {
            return preset;
        }
        CsvLayout.Builder b = preset != null ? preset.toBuilder() : CsvLayout.builder();
        if (cl.has(USER_COLUMN)) {
            b.userColumn(cl.get(USER_COLUMN));
        }
        if (cl.has(ItemColumnOptions.ITEM_COLUMN)) {
            b.itemColumn(cl.get(ItemColumnOptions.ITEM_COLUMN));
        }
        if (cl.has(TYPE_COLUMN) && cl.has(FIXED_TYPE)) {
            throw new UsageException("--csv.type-column and --csv.type exclude each other");
        }
        if (cl.has(TYPE_COLUMN)) {
            b.typeColumn(cl.get(TYPE_COLUMN));
        }
        if (cl.has(FIXED_TYPE)) {
            b.fixedType(cl.get(FIXED_TYPE));
        }
        if (cl.has(TIMESTAMP_COLUMN)) {
            b.timestampColumn(cl.get(TIMESTAMP_COLUMN));
        }
        if (cl.has(TIMESTAMP_FORMAT)) {
            b.timestampFormat(cl.get(TIMESTAMP_FORMAT));
        }
        if (cl.has(TIMEZONE)) {
            b.timezone(cl.get(TIMEZONE));
        }
        if (cl.has(VALUE_COLUMN)) {
            b.valueColumn(cl.get(VALUE_COLUMN));
        }
        if (cl.has(SESSION_COLUMN)) {
            b.sessionColumn(cl.get(SESSION_COLUMN));
        }
        if (cl.has(PROPERTY_COLUMNS)) {
            b.propertyColumns(Arrays.stream(cl.get(PROPERTY_COLUMNS).split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList());
        }
        if (cl.has(ItemColumnOptions.DELIMITER)) {
            b.delimiter(cl.get(ItemColumnOptions.DELIMITER));
        }
        b.header(cl.has(ItemColumnOptions.HEADER) ? cl.get(ItemColumnOptions.HEADER)
                : preset == null || preset.header());
        b.itemColumns(ItemColumnOptions.apply(cl, preset != null ? preset.itemColumns() : ItemColumns.NONE));
        try {
            return b.build().validate();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** "max" is 0 (unpaced); "10x", "10" and "0.5x" are factors. */
    static double parseSpeed(String s) {
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
            throw new IllegalArgumentException("expected max or a positive factor such as 10x or 0.5x, got '" + s
                    + "'");
        }
    }
}
