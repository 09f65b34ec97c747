package io.streamrec.local.catalog;

import io.streamrec.local.publish.KafkaCatalogSink;
import io.streamrec.local.publish.KafkaTarget;
import io.streamrec.local.replay.CsvLayout;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link CatalogLoader} needs: the file and how to read it, how many records at most, and where to
 * publish. Immutable; {@link #of(Path)} gives the defaults (format detected, topic {@code catalog} at
 * {@code localhost:9092}).
 *
 * @param format the format, or null to detect it
 * @param csvLayout the CSV layout (csv only), or null (detected, or not CSV)
 * @param encoding the file's encoding, or null for the format's default (ISO-8859-1 for u.item, else UTF-8)
 * @param limit stop after publishing this many records
 */
public record CatalogLoadOptions(Path file, CatalogFormat format, CsvLayout csvLayout, Charset encoding, long limit,
                                 KafkaTarget target, boolean dryRun, Duration progressInterval) {

    public CatalogLoadOptions {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        }
    }

    /** The file with every default: detected format, no limit, topic catalog at localhost:9092. */
    public static CatalogLoadOptions of(Path file) {
        return new CatalogLoadOptions(file, null, null, null, Long.MAX_VALUE,
                KafkaTarget.defaults().withTopic(KafkaCatalogSink.DEFAULT_TOPIC), false, Duration.ofMillis(100));
    }

    public CatalogLoadOptions withFormat(CatalogFormat f, CsvLayout layout) {
        return new CatalogLoadOptions(file, f, layout, encoding, limit, target, dryRun, progressInterval);
    }

    public CatalogLoadOptions withEncoding(Charset e) {
        return new CatalogLoadOptions(file, format, csvLayout, e, limit, target, dryRun, progressInterval);
    }

    public CatalogLoadOptions withLimit(long n) {
        return new CatalogLoadOptions(file, format, csvLayout, encoding, n, target, dryRun, progressInterval);
    }

    public CatalogLoadOptions withTarget(KafkaTarget t) {
        return new CatalogLoadOptions(file, format, csvLayout, encoding, limit, t, dryRun, progressInterval);
    }

    public CatalogLoadOptions withDryRun(boolean d) {
        return new CatalogLoadOptions(file, format, csvLayout, encoding, limit, target, d, progressInterval);
    }
}
