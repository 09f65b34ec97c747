package io.streamrec.job.ingest;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import io.streamrec.schema.Rejection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits parsed records: valid events continue on the main output, rejected ones go to the {@link #DEAD_LETTERS}
 * side output and are counted, in total ({@code interactionsRejected}) and per reason
 * ({@code interactionsRejected_<CODE>}), so that the dashboard shows what is wrong with the input. Valid events are
 * counted too, in total ({@code interactionsValid})
 * and per type ({@code interactionsValid_<type>}). Stateless.
 */
public final class RejectionRouter extends ProcessFunction<IngestRecord, InteractionEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private transient Counter valid;
    private transient Counter rejected;
    private transient Map<Rejection.Code, Counter> rejectedByCode;
    private transient Map<EventType, Counter> validByType;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        valid = metrics.counter("interactionsValid");
        validByType = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            validByType.put(type, metrics.counter("interactionsValid_" + type.wireName()));
        }
        rejected = metrics.counter("interactionsRejected");
        rejectedByCode = new EnumMap<>(Rejection.Code.class);
        for (Rejection.Code code : Rejection.Code.values()) {
            rejectedByCode.put(code, metrics.counter("interactionsRejected_" + code.name()));
        }
    }

    @Override
    public void processElement(IngestRecord r, Context ctx, Collector<InteractionEvent> out) {
        if (r.isValid()) {
            valid.inc();
            validByType.get(r.event.type).inc();
            out.collect(r.event);
            return;
        }
        rejected.inc();
        Counter byCode = rejectedByCode.get(codeOf(r.rejectionCode));
        if (byCode != null) {
            byCode.inc();
        }
        ctx.output(DEAD_LETTERS, DeadLetter.of(r, ctx.timerService().currentProcessingTime()));
    }

    private static Rejection.Code codeOf(String name) {
        try {
            return Rejection.Code.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null; // a code from a newer parser version: counted in the total only
        }
    }
}
