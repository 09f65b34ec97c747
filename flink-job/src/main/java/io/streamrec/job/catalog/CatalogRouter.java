package io.streamrec.job.catalog;

import io.streamrec.job.ingest.DeadLetter;
import io.streamrec.schema.features.ItemFeatures;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits parsed catalog records: valid ones continue to the ItemTower as catalog updates, rejected ones go to the
 * {@link #DEAD_LETTERS} side output. Counted: {@code catalogRecordsValid}, {@code catalogItemsRetired} (retirements
 * among the valid), {@code catalogRecordsRejected} and {@code catalogRecordsRejected_<CODE>}. Stateless.
 */
public final class CatalogRouter extends ProcessFunction<CatalogInput, ItemInput> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("catalog-dead-letters") {};

    private transient Counter valid;
    private transient Counter retired;
    private transient Counter rejected;
    private transient Map<String, Counter> rejectedByCode;
    private transient MetricGroup metrics;

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMetricGroup();
        valid = metrics.counter("catalogRecordsValid");
        retired = metrics.counter("catalogItemsRetired");
        rejected = metrics.counter("catalogRecordsRejected");
        rejectedByCode = new HashMap<>();
    }

    @Override
    public void processElement(CatalogInput in, Context ctx, Collector<ItemInput> out) {
        if (in.isValid()) {
            valid.inc();
            if (!in.available) {
                retired.inc();
            }
            out.collect(ItemInput.catalog(in.itemId, in.available,
                    in.featureKeys.length == 0 ? ItemFeatures.NONE : ItemFeatures.of(in.featureKeys, in.featureWeights)));
            return;
        }
        rejected.inc();
        // Codes are a small fixed set (the parser's enum), so this map stays small.
        rejectedByCode.computeIfAbsent(in.rejectionCode, c -> metrics.counter("catalogRecordsRejected_" + c)).inc();
        ctx.output(DEAD_LETTERS, DeadLetter.of(in.rejectionCode, in.reason, in.originalKey, in.originalValue, in.topic,
                in.partition, in.offset, ctx.timerService().currentProcessingTime()));
    }
}
