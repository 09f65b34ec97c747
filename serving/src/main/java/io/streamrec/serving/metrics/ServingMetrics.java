package io.streamrec.serving.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;

/**
 * Every metric of one serving node, in its own {@link PrometheusRegistry} (not the global default, so several
 * nodes can live in one test JVM), written in the Prometheus text format by {@link #write}.
 *
 * <p>Thread-safe: the client library's metrics are.
 */
public final class ServingMetrics {
    private static final double[] LATENCY_BOUNDS = {
        0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** HTTP requests by route and status code. */
    public final Counter httpRequests;
    /** HTTP handling time by route. */
    public final Histogram httpLatency;
    /** Records read per topic. */
    public final Counter recordsConsumed;
    /** Records skipped per topic and reason (unparseable, wrong dimension, ...). */
    public final Counter recordsSkipped;
    /** Time from a record's Kafka timestamp to its being applied, per topic. */
    public final Histogram applyDelay;
    /** Item snapshot swaps; {@code verified=false} when the record-wait ran out before every counted record. */
    public final Counter snapshotSwaps;
    /** Version of the served item snapshot (-1 before the first). */
    public final Gauge snapshotVersion;
    /** Items in the served snapshot. */
    public final Gauge snapshotItems;
    public final Gauge snapshotFeatures;
    /** Model answers the ranker ordered. */
    public final Counter rankerRanked;
    /** Model answers given in retrieval order although the request allowed the ranker, by reason. */
    public final Counter rankerFallbacks;
    /** Time of the ranking stage per ranked answer: features, the model's forward pass, the ordering. */
    public final Histogram rankerLatency;

    public ServingMetrics() {
        JvmMetrics.builder().register(registry);
        httpRequests = Counter.builder().name("streamrec_http_requests_total")
                .help("HTTP requests by route and status code").labelNames("route", "status").register(registry);
        httpLatency = Histogram.builder().name("streamrec_http_request_duration_seconds")
                .help("HTTP request handling time by route").labelNames("route")
                .classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars().register(registry);
        recordsConsumed = Counter.builder().name("streamrec_records_consumed_total")
                .help("Kafka records read, by topic").labelNames("topic").register(registry);
        recordsSkipped = Counter.builder().name("streamrec_records_skipped_total")
                .help("Kafka records skipped as invalid, by topic and reason").labelNames("topic", "reason")
                .register(registry);
        applyDelay = Histogram.builder().name("streamrec_record_apply_delay_seconds")
                .help("Time from a record's Kafka timestamp until the node applied it, by topic")
                .labelNames("topic").classicOnly()
                .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .withoutExemplars().register(registry);
        snapshotSwaps = Counter.builder().name("streamrec_snapshot_swaps_total")
                .help("Item snapshots swapped in; verified=false when not every record a marker counted had arrived")
                .labelNames("verified").register(registry);
        snapshotVersion = Gauge.builder().name("streamrec_snapshot_version")
                .help("Version of the served item snapshot, -1 before the first").register(registry);
        snapshotVersion.set(-1);
        snapshotItems = Gauge.builder().name("streamrec_snapshot_items")
                .help("Items in the served snapshot").register(registry);
        snapshotFeatures = Gauge.builder().name("streamrec_snapshot_features")
                .help("Feature and context vectors in the served snapshot").register(registry);
        rankerRanked = Counter.builder().name("streamrec_ranker_ranked_total")
                .help("Model answers ordered by the ranker").register(registry);
        rankerFallbacks = Counter.builder().name("streamrec_ranker_fallbacks_total")
                .help("Model answers given in retrieval order although the request allowed the ranker, by reason "
                        + "(no_model, vector_length, error, non_finite)")
                .labelNames("reason").register(registry);
        // Finer than the HTTP bounds: the stage is meant to take well under a millisecond.
        rankerLatency = Histogram.builder().name("streamrec_ranker_duration_seconds")
                .help("Time of the ranking stage per ranked answer: features, forward pass, ordering")
                .classicOnly().classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1)
                .withoutExemplars().register(registry);
    }

    /** A gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /** A gauge with one label per value, read at scrape time. */
    public void gauge(String name, String help, String label, java.util.Map<String, DoubleSupplier> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label)
                .callback(cb -> values.forEach((l, v) -> cb.call(v.getAsDouble(), l))).register(registry);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public PrometheusRegistry registry() {
        return registry;
    }
}
