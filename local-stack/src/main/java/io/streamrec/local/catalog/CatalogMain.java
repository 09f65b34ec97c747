package io.streamrec.local.catalog;

import io.streamrec.local.cli.ProgressDisplay;
import io.streamrec.local.cli.CommandLine;
import io.streamrec.local.cli.UsageException;
import io.streamrec.local.publish.KafkaCatalogSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.replay.ConsoleProgress;
import io.streamrec.local.replay.CsvLayout;
import io.streamrec.local.replay.ItemColumnOptions;
import io.streamrec.local.replay.ItemColumns;
import io.streamrec.local.replay.ReplayException;
import io.streamrec.local.replay.ReplayMain;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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

    static final String USAGE = String.join("\n",
            "usage: ./streamrec catalog <command> [options]   (./streamrec catalog <command> --help for its options)",
            "",
            "  load FILE   publish a catalog file (MovieLens u.item, CSV, catalog JSON lines) to the compacted",
            "              topic 'catalog': one record per item, keyed by item id",
            "");

    static final CommandLine.Spec SPEC = ItemColumnOptions.declare(CommandLine.spec(
                    "streamrec catalog load [options] FILE")
            .section("Input (the format is detected from the file name or first line when unambiguous)")
            .option("--format", "F", "movielens (u.item) | csv | jsonl (catalog records, one per line)")
            .option("--preset", "P", "a known layout: completejourney (Complete Journey products.csv)")
            .option("--encoding", "E", "the file's encoding (default UTF-8; ISO-8859-1 for movielens)")
            .option("--csv.item-column", "COL", "column of the item id (a name; a 0-based number without header)")
            .option("--csv.delimiter", "C", "field delimiter (default ,; 'tab' for a tab)")
            .option("--csv.header", "BOOL", "whether the first line is a header (default true)")
            .option("--limit", "N", "stop after publishing N records")
            .section("Item attributes of a CSV file (empty cells are left out)"))
            .section("Kafka")
            .option("--bootstrap-servers", "HOST:PORT", "default " + KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS)
            .option("--topic", "T", "default " + KafkaCatalogSink.DEFAULT_TOPIC)
            .flag("--create-topic", "create the topic, compacted (cleanup.policy=compact), when it does not exist")
            .option("--partitions", "N", "partitions of a created topic (default " + KafkaTarget.DEFAULT_PARTITIONS
                    + ")")
            .option("--connect-timeout", "DUR", "how long to wait for the broker (default 10s)")
            .flag("--dry-run", "read and validate, but publish nothing (no Kafka needed)")
            .section("Output")
            .option("--progress", "M", "auto (default: a bar on a terminal, a line every 5 s otherwise) | bar |\n"
                    + "plain | none")
            .option("--max-reported", "N", "bad lines printed in detail before only counting (default 20)")
            .flag("--help", "print this help")
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
                    + "  streamrec catalog load catalog.jsonl --topic catalog --bootstrap-servers kafka:9092");

    private CatalogMain() {}

    public static void main(String[] args) {
        CountDownLatch done = new CountDownLatch(1);
        int code;
        try {
            code = run(args, System.out, System.err, System.console() != null, loader ->
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
        System.exit(code);
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
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? ReplayException.USAGE_ERROR : ReplayException.OK;
        }
        if (!args[0].equals("load")) {
            err.println("catalog: unknown command '" + args[0] + "'");
            err.print(USAGE);
            return ReplayException.USAGE_ERROR;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        CatalogLoadOptions options;
        ConsoleProgress progress;
        try {
            CommandLine cl = SPEC.parse(rest);
            if (cl.flag("--help")) {
                out.print(SPEC.usage());
                return ReplayException.OK;
            }
            options = toOptions(cl);
            progress = new ConsoleProgress(out, err, progressMode(cl.get("--progress", "auto"), terminal),
                    cl.getInt("--max-reported", 20, 0), Duration.ofSeconds(5), "catalog load", "records");
        } catch (UsageException e) {
            err.println("catalog load: " + e.getMessage());
            err.println("catalog load: --help lists the options");
            return ReplayException.USAGE_ERROR;
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
        return toOptions(SPEC.parse(args));
    }

    /** The usage text of {@code catalog load}. */
    public static String usage() {
        return SPEC.usage();
    }

    static CatalogLoadOptions toOptions(CommandLine cl) throws UsageException {
        List<String> files = cl.positionals();
        if (files.isEmpty()) {
            throw new UsageException("no FILE given: which catalog file should be loaded?");
        }
        if (files.size() > 1) {
            throw new UsageException("one FILE at a time, got " + files.size() + ": " + String.join(" ", files));
        }
        CatalogLoadOptions o = CatalogLoadOptions.of(Path.of(files.get(0)));
        try {
            CatalogFormat format = cl.has("--format") ? CatalogFormat.fromCliName(cl.get("--format")) : null;
            CsvLayout preset = null;
            if (cl.has("--preset")) {
                String name = cl.get("--preset").strip().toLowerCase(Locale.ROOT);
                if (!name.equals("completejourney")) {
                    throw new UsageException("--preset: unknown preset '" + cl.get("--preset")
                            + "'; known presets: completejourney");
                }
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
            if (cl.has("--encoding")) {
                o = o.withEncoding(charset(cl.get("--encoding")));
            }
            if (cl.has("--limit")) {
                o = o.withLimit(cl.getLong("--limit", Long.MAX_VALUE, 1));
            }
            KafkaTarget target = new KafkaTarget(
                    cl.get("--bootstrap-servers", KafkaTarget.DEFAULT_BOOTSTRAP_SERVERS),
                    cl.get("--topic", KafkaCatalogSink.DEFAULT_TOPIC),
                    cl.flag("--create-topic"),
                    cl.getInt("--partitions", KafkaTarget.DEFAULT_PARTITIONS, 1),
                    cl.getDuration("--connect-timeout", KafkaTarget.DEFAULT_CONNECT_TIMEOUT));
            return o.withTarget(target).withDryRun(cl.flag("--dry-run"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static CsvLayout csvLayout(CommandLine cl, CsvLayout preset) throws UsageException {
        boolean any = cl.has("--csv.item-column") || cl.has("--csv.delimiter") || cl.has("--csv.header")
                || ItemColumnOptions.any(cl);
        if (!any) {
            return preset;
        }
        CsvLayout.Builder b = preset != null ? preset.toBuilder() : CsvLayout.builder();
        if (cl.has("--csv.item-column")) {
            b.itemColumn(cl.get("--csv.item-column"));
        }
        if (cl.has("--csv.delimiter")) {
            b.delimiter(ReplayMain.parseDelimiter(cl.get("--csv.delimiter")));
        }
        b.header(cl.getBoolean("--csv.header", preset == null || preset.header()));
        b.itemColumns(ItemColumnOptions.apply(cl, preset != null ? preset.itemColumns() : ItemColumns.NONE));
        try {
            return b.build().validateCatalog();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Charset charset(String name) throws UsageException {
        try {
            return Charset.forName(name.strip());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new UsageException("--encoding: unknown encoding '" + name + "' (e.g. UTF-8, ISO-8859-1,"
                    + " windows-1252)");
        }
    }

    private static ProgressDisplay.Mode progressMode(String m, boolean terminal) throws UsageException {
        switch (m.toLowerCase(Locale.ROOT)) {
            case "auto": return terminal ? ProgressDisplay.Mode.BAR : ProgressDisplay.Mode.PLAIN;
            case "bar": return ProgressDisplay.Mode.BAR;
            case "plain": return ProgressDisplay.Mode.PLAIN;
            case "none": return ProgressDisplay.Mode.NONE;
            default: throw new UsageException("--progress: expected auto, bar, plain or none, got '" + m + "'");
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
