package io.streamrec.local.catalog;

import io.streamrec.config.Option;
import io.streamrec.config.ValueTypes;
import io.streamrec.local.cli.CliCommand;
import io.streamrec.local.cli.CliGroup;
import io.streamrec.local.cli.CommonOptions;
import io.streamrec.local.cli.ParsedArgs;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.replay.ConsoleProgress;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.ItemColumnOptions;
import io.streamrec.local.replay.ItemColumns;
import io.streamrec.local.replay.ReplayException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code streamrec catalog load}: publishes a catalog file (MovieLens {@code u.item}, any CSV, catalog JSON lines)
 * to the compacted catalog topic, one record per item keyed by item id. Arguments in, an exit code out, as replay's
 * (0 done, 1 Kafka error, 2 unreadable input, 3 every record bad, 64 bad options); the summary goes to stdout,
 * progress, notices and bad lines to stderr. {@link #run} does the work without exiting the JVM; {@link #parse} turns
 * the same arguments into {@link CatalogLoadOptions} (e.g. for {@code evaluate --catalog FILE}).
 */
public final class CatalogMain {

    static final Option<CatalogFormat> FORMAT = Option.named("--format", ValueTypes.of("F",
                    CatalogFormat::fromCliName, CatalogFormat::cliName))
            .description("movielens (u.item) | csv | jsonl (catalog records, one per line)").build();
    static final Option<String> PRESET = Option.named("--preset", ValueTypes.of("P", p -> {
                String name = p.strip().toLowerCase(Locale.ROOT);
                if (!name.equals("completejourney")) {
                    throw new IllegalArgumentException("unknown preset '" + p + "'; known presets: completejourney");
                }
                return name;
            }, p -> p))
            .description("a known layout: completejourney (Complete Journey products.csv)").build();
    static final Option<Charset> ENCODING = Option.named("--encoding", ValueTypes.of("E", name -> {
                try {
                    return Charset.forName(name.strip());
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    throw new IllegalArgumentException("unknown encoding '" + name + "' (e.g. UTF-8, ISO-8859-1, "
                            + "windows-1252)");
                }
            }, Charset::name))
            .description("the file's encoding (default UTF-8; ISO-8859-1 for movielens)").build();
    static final Option<Long> LIMIT = CommonOptions.LIMIT.toBuilder().description("stop after publishing N records")
            .build();
    static final Option<String> TOPIC = CommonOptions.CATALOG_TOPIC.toBuilder().deprecatedName("--topic").build();
    static final Option<Boolean> CREATE_TOPIC = CommonOptions.CREATE_TOPIC.toBuilder()
            .description("create the topic, compacted (cleanup.policy=compact), when it does not exist").build();
    static final Option<Boolean> DRY_RUN = CommonOptions.DRY_RUN.toBuilder()
            .description("read and validate, but publish nothing (no Kafka needed)").build();

    static final CliCommand COMMAND = CliCommand.builder("catalog load", "streamrec catalog load [options] FILE")
            .description("Publishes a catalog file (MovieLens u.item, CSV, catalog JSON lines) to the compacted "
                    + "topic 'catalog': one record per item, keyed by item id.")
            .positionals("FILE")
            .section("Input (the format is detected from the file name or first line when unambiguous)")
            .options(FORMAT, PRESET, ENCODING, ItemColumnOptions.ITEM_COLUMN, ItemColumnOptions.DELIMITER,
                    ItemColumnOptions.HEADER, LIMIT)
            .section("Item attributes of a CSV file (empty cells are left out)")
            .options(ItemColumnOptions.ALL)
            .section("Kafka")
            .options(CommonOptions.BOOTSTRAP_SERVERS, TOPIC, CREATE_TOPIC, CommonOptions.PARTITIONS,
                    CommonOptions.CONNECT_TIMEOUT, DRY_RUN)
            .section("Output")
            .options(CommonOptions.PROGRESS, CommonOptions.MAX_REPORTED)
            .epilogue("Records are published as catalog record JSON (schemas/src/main/resources/\n"
                    + "catalog-record.schema.json) keyed by item id (UTF-8), idempotent producer, acks=all; each is\n"
                    + "checked with the trainer's CatalogParser first. A later record of an item replaces the\n"
                    + "earlier one.\n"
                    + "Exit codes: 0 done (bad lines skipped), 1 Kafka unreachable/topic missing/publish failed,\n"
                    + "2 input file unreadable, 3 every record was bad, 64 bad options.")
            .epilogue("Examples:\n"
                    + "  streamrec catalog load ../shared/data/ml-100k/u.item --create-topic\n"
                    + "  streamrec catalog load ../shared/data/completejourney/products.csv --dry-run\n"
                    + "  streamrec catalog load products.csv --csv.item-column sku --csv.category-columns brand,color \\\n"
                    + "      --csv.category-path-columns category_path --csv.text-columns title \\\n"
                    + "      --csv.number-columns price --csv.available-column in_stock\n"
                    + "  streamrec catalog load catalog.jsonl --topics.catalog catalog --kafka.bootstrap.servers kafka:9092")
            .build();

    private CatalogMain() {}

    public static void main(String[] args) {
        System.exit(runMain(args, System.out, System.err));
    }

    /** As {@link #main}, without exiting: Ctrl-C stops after the current record, flushing what was sent. */
    public static int runMain(String[] args, PrintStream out, PrintStream err) {
        CountDownLatch done = new CountDownLatch(1);
        int code;
        try {
            code = run(args, out, err, System.console() != null, loader ->
                    // Ctrl-C: stop after the current record and flush what was sent.
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        loader.stop();
                        try {
                            done.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "catalog-shutdown")));
        } finally {
            done.countDown();
        }
        return code;
    }

    /** Runs {@code catalog ARGS} as the command line would, without exiting; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false, l -> { });
    }

    /**
     * @param terminal whether stderr is a terminal (a redrawn progress bar) or not (plain lines)
     * @param onStart gets the loader before it runs, e.g. to stop it from a shutdown hook
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal,
                          Consumer<CatalogLoader> onStart) {
        CliGroup group = new CliGroup("catalog", "streamrec catalog <command> [options]   (./streamrec catalog "
                + "<command> --help for its options)", "").command("load", COMMAND.description(),
                (rest, o, e) -> load(rest, o, e, terminal, onStart));
        return group.run(args, out, err);
    }

    private static int load(String[] rest, PrintStream out, PrintStream err, boolean terminal,
                            Consumer<CatalogLoader> onStart) {
        CatalogLoadOptions options;
        ConsoleProgress progress;
        try {
            ParsedArgs cl = COMMAND.parse(rest);
            if (cl.helpRequested()) {
                out.print(COMMAND.usage());
                return ReplayException.OK;
            }
            COMMAND.warn(err, cl.warnings());
            options = toOptions(cl);
            progress = new ConsoleProgress(out, err, CommonOptions.progressMode(cl.get(CommonOptions.PROGRESS),
                    terminal), cl.get(CommonOptions.MAX_REPORTED), Duration.ofSeconds(5), "catalog load", "records");
        } catch (UsageException e) {
            return COMMAND.usageError(err, e);
        }
        CatalogLoader loader = new CatalogLoader(options, progress);
        onStart.accept(loader);
        CatalogLoadSummary summary;
        try {
            summary = loader.run();
        } catch (ReplayException e) {
            err.println("catalog load: error: " + e.getMessage());
            return e.exitCode();
        }
        progress.finishBar(summary.published(), summary.bad(), summary.elapsed());
        out.print(summaryText(summary));
        out.flush();
        if (summary.published() == 0 && summary.bad() > 0) {
            err.println("catalog load: nothing was published: every record was bad; check --format and the column"
                    + " options");
            return ReplayException.NOTHING_PUBLISHED;
        }
        return ReplayException.OK;
    }

    /**
     * Parses {@code catalog load} arguments (FILE and the options {@code --help} lists) into options: for callers
     * that read a catalog file themselves ({@link CatalogSources#fromFile}).
     *
     * @throws UsageException naming the option at fault
     */
    public static CatalogLoadOptions parse(String... args) throws UsageException {
        return toOptions(COMMAND.parse(args));
    }

    /** The usage text of {@code catalog load}. */
    public static String usage() {
        return COMMAND.usage();
    }

    static CatalogLoadOptions toOptions(ParsedArgs cl) throws UsageException {
        List<String> files = cl.positionals();
        if (files.isEmpty()) {
            throw new UsageException("no FILE given: which catalog file should be loaded?");
        }
        if (files.size() > 1) {
            throw new UsageException("one FILE at a time, got " + files.size() + ": " + String.join(" ", files));
        }
        CatalogLoadOptions o = CatalogLoadOptions.of(Path.of(files.get(0)));
        try {
            CatalogFormat format = cl.get(FORMAT);
            CsvLayout preset = null;
            if (cl.has(PRESET)) {
                if (format != null && format != CatalogFormat.CSV) {
                    throw new UsageException("--preset completejourney is --format csv, but --format "
                            + format.cliName() + " was given");
                }
                format = CatalogFormat.CSV;
                preset = CatalogPresets.COMPLETE_JOURNEY;
            }
            CsvLayout layout = csvLayout(cl, preset);
            if (layout != null && format != null && format != CatalogFormat.CSV) {
                throw new UsageException("--csv.* options apply to --format csv, not " + format.cliName());
            }
            o = o.withFormat(format, layout);
            if (cl.has(ENCODING)) {
                o = o.withEncoding(cl.get(ENCODING));
            }
            if (cl.has(LIMIT)) {
                o = o.withLimit(cl.get(LIMIT));
            }
            KafkaTarget target = new KafkaTarget(cl.get(CommonOptions.BOOTSTRAP_SERVERS), cl.get(TOPIC),
                    cl.flag(CREATE_TOPIC), cl.get(CommonOptions.PARTITIONS), cl.get(CommonOptions.CONNECT_TIMEOUT));
            return o.withTarget(target).withDryRun(cl.flag(DRY_RUN));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static CsvLayout csvLayout(ParsedArgs cl, CsvLayout preset) throws UsageException {
        boolean any = cl.has(ItemColumnOptions.ITEM_COLUMN) || cl.has(ItemColumnOptions.DELIMITER)
                || cl.has(ItemColumnOptions.HEADER) || ItemColumnOptions.any(cl);
        if (!any) {
            return preset;
        }
        CsvLayout.Builder b = preset != null ? preset.toBuilder() : CsvLayout.builder();
        if (cl.has(ItemColumnOptions.ITEM_COLUMN)) {
            b.itemColumn(cl.get(ItemColumnOptions.ITEM_COLUMN));
        }
        if (cl.has(ItemColumnOptions.DELIMITER)) {
            b.delimiter(cl.get(ItemColumnOptions.DELIMITER));
        }
        b.header(cl.has(ItemColumnOptions.HEADER) ? cl.get(ItemColumnOptions.HEADER)
                : preset == null || preset.header());
        b.itemColumns(ItemColumnOptions.apply(cl, preset != null ? preset.itemColumns() : ItemColumns.NONE));
        try {
            return b.build().validateCatalog();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The summary as printed at the end. */
    static String summaryText(CatalogLoadSummary s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "published %,d catalog records from %s (%s) to %s in %s (%,.0f records/s)%n",
                s.published(), s.file(), s.format().cliName(), s.destination(),
                ConsoleProgress.formatDuration(s.elapsed()), s.recordsPerSecond()));
        if (s.retired() > 0) {
            sb.append(String.format(Locale.ROOT, "  %,d of them retire their item (available: false)%n", s.retired()));
        }
        if (s.duplicates() > 0) {
            sb.append(String.format(Locale.ROOT, "  %,d of them replace an earlier record of the same item%n",
                    s.duplicates()));
        }
        if ("limit".equals(s.stopReason())) {
            sb.append("  stopped at --limit\n");
        } else if ("stopped".equals(s.stopReason())) {
            sb.append("  stopped before the end of the file\n");
        }
        if (s.bad() > 0) {
            sb.append(String.format(Locale.ROOT, "skipped %,d bad %s:%n", s.bad(), s.bad() == 1 ? "line" : "lines"));
            ConsoleProgress.appendCounts(sb, s.badByReason());
        }
        return sb.toString();
    }
}
