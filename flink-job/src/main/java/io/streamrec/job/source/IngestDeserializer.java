package io.streamrec.job.source;

import io.streamrec.job.FlinkTypes;
import io.streamrec.job.ingest.IngestRecord;
import io.streamrec.schema.EventParser;
import io.streamrec.schema.ParseResult;
import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.Rejection;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each Kafka record of {@code interactions} with the strict {@link EventParser}. It never throws on bad
 * input and never drops a record: a record that fails validation becomes a rejected {@link IngestRecord} carrying
 * the reason and the original bytes, for the dead-letter topic.
 */
public final class IngestDeserializer implements KafkaRecordDeserializationSchema<IngestRecord> {
    private static final long serialVersionUID = 1L;

    private final ParserOptions options;
    private transient EventParser parser;

    public IngestDeserializer(ParserOptions options) {
        this.options = options;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new EventParser(options);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestRecord> out) {
        if (parser == null) {
            parser = new EventParser(options);
        }
        ParseResult result = parser.parse(record.value());
        if (result.isValid()) {
            out.collect(IngestRecord.valid(result.event()));
        } else {
            Rejection r = result.rejection();
            out.collect(IngestRecord.rejected(r.code().name(), r.reason(), record.key(), record.value(),
                    record.topic(), record.partition(), record.offset(), record.timestamp()));
        }
    }

    @Override
    public TypeInformation<IngestRecord> getProducedType() {
        return FlinkTypes.INGEST_RECORD;
    }
}
