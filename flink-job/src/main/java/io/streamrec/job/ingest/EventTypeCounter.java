package io.streamrec.job.ingest;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event type (its wire name): counts the valid events of each type in keyed (RocksDB) state and emits the running count
 * (type, count) after each event.
 */
public final class EventTypeCounter extends KeyedProcessFunction<String, InteractionEvent, Tuple2<EventType, Long>> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void processElement(InteractionEvent e, Context ctx, Collector<Tuple2<EventType, Long>> out)
            throws Exception {
        Long c = count.value();
        long next = (c == null ? 0 : c) + 1;
        count.update(next);
        out.collect(Tuple2.of(e.type, next));
    }
}
