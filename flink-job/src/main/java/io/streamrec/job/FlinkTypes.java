package io.streamrec.job;

import io.streamrec.job.ingest.DeadLetter;
import io.streamrec.job.ingest.IngestRecord;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Explicit type information for the records that cross operator boundaries, so Flink uses its POJO serializer
 * for them (and for the {@code properties} map) instead of falling back to Kryo.
 */
public final class FlinkTypes {
    private FlinkTypes() {}

    public static final TypeInformation<InteractionEvent> INTERACTION_EVENT = interactionEvent();
    public static final TypeInformation<IngestRecord> INGEST_RECORD = ingestRecord();
    public static final TypeInformation<DeadLetter> DEAD_LETTER = Types.POJO(DeadLetter.class);
    public static final TypeInformation<io.streamrec.job.model.ItemGradient> ITEM_GRADIENT =
            Types.POJO(io.streamrec.job.model.ItemGradient.class);
    public static final TypeInformation<io.streamrec.job.catalog.ItemInput> ITEM_INPUT =
            Types.POJO(io.streamrec.job.catalog.ItemInput.class);
    public static final TypeInformation<io.streamrec.job.snapshot.EmbeddingUpdate> EMBEDDING_UPDATE =
            Types.POJO(io.streamrec.job.snapshot.EmbeddingUpdate.class);

    public static final TypeInformation<io.streamrec.job.rank.RankerSample> RANKER_SAMPLE =
            Types.POJO(io.streamrec.job.rank.RankerSample.class);
    public static final TypeInformation<io.streamrec.job.rank.RankedResult> RANKED_RESULT =
            Types.POJO(io.streamrec.job.rank.RankedResult.class);
    public static final TypeInformation<io.streamrec.job.rank.RankerPublication> RANKER_PUBLICATION =
            Types.POJO(io.streamrec.job.rank.RankerPublication.class);

    /** Per-user state; its history list needs explicit list type information to avoid Kryo. */
    public static final TypeInformation<io.streamrec.job.model.UserState> USER_STATE = userState();

    private static TypeInformation<io.streamrec.job.model.UserState> userState() {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("vector", Types.PRIMITIVE_ARRAY(Types.FLOAT));
        fields.put("accumulator", Types.PRIMITIVE_ARRAY(Types.FLOAT));
        fields.put("history", Types.LIST(Types.STRING));
        fields.put("events", Types.LONG);
        fields.put("lastEventTime", Types.LONG);
        return Types.POJO(io.streamrec.job.model.UserState.class, fields);
    }

    private static TypeInformation<InteractionEvent> interactionEvent() {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("userId", Types.STRING);
        fields.put("itemId", Types.STRING);
        fields.put("type", Types.ENUM(EventType.class));
        fields.put("timestamp", Types.LONG);
        fields.put("value", Types.DOUBLE);
        fields.put("sessionId", Types.STRING);
        fields.put("properties", Types.MAP(Types.STRING, Types.STRING));
        return Types.POJO(InteractionEvent.class, fields);
    }

    private static TypeInformation<IngestRecord> ingestRecord() {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("event", interactionEvent());
        fields.put("rejectionCode", Types.STRING);
        fields.put("reason", Types.STRING);
        fields.put("originalKey", Types.PRIMITIVE_ARRAY(Types.BYTE));
        fields.put("originalValue", Types.PRIMITIVE_ARRAY(Types.BYTE));
        fields.put("topic", Types.STRING);
        fields.put("partition", Types.INT);
        fields.put("offset", Types.LONG);
        fields.put("kafkaTimestamp", Types.LONG);
        return Types.POJO(IngestRecord.class, fields);
    }
}
