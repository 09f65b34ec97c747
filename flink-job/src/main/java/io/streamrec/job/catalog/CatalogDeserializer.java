package io.streamrec.job.catalog;

import io.streamrec.schema.ParserOptions;
import io.streamrec.schema.Rejection;
import io.streamrec.schema.catalog.CatalogParseResult;
import io.streamrec.schema.catalog.CatalogParser;
import io.streamrec.schema.features.FeatureSpec;
import io.streamrec.schema.features.Featurizer;
import io.streamrec.schema.features.ItemFeatures;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each record of the {@code catalog} topic with the strict {@link CatalogParser} and turns a valid one into
 * the item's features ({@link Featurizer}, per the model's {@code model.features.*}). A tombstone retires its item.
 * Never throws on bad input and never drops a record: a bad one becomes a rejected {@link CatalogInput} with the
 * reason and the original bytes, for the dead-letter topic.
 */
public final class CatalogDeserializer implements KafkaRecordDeserializationSchema<CatalogInput> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private final ParserOptions options;
    private transient CatalogParser parser;
    private transient Featurizer featurizer;

    /** @param options the trainer's parser options (payload size, id length, plausible times) */
    public CatalogDeserializer(FeatureSpec spec, ParserOptions options) {
        this.spec = spec;
        this.options = options;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        init();
    }

    private void init() {
        parser = new CatalogParser(options);
        featurizer = new Featurizer(spec);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CatalogInput> out) {
        if (parser == null) {
            init();
        }
        CatalogInput in = new CatalogInput();
        in.originalKey = record.key();
        in.originalValue = record.value();
        in.topic = record.topic();
        in.partition = record.partition();
        in.offset = record.offset();
        CatalogParseResult r = parser.parse(record.key(), record.value());
        if (r.isValid()) {
            in.itemId = r.record().itemId();
            in.available = r.record().available();
            ItemFeatures f = featurizer.features(r.record());
            in.featureKeys = new String[f.size()];
            in.featureWeights = new float[f.size()];
            for (int i = 0; i < f.size(); i++) {
                in.featureKeys[i] = f.key(i);
                in.featureWeights[i] = f.weight(i);
            }
            in.originalKey = null; // not needed downstream
            in.originalValue = null;
        } else {
            Rejection rej = r.rejection();
            in.rejectionCode = rej.code().name();
            in.reason = rej.reason();
        }
        out.collect(in);
    }

    @Override
    public TypeInformation<CatalogInput> getProducedType() {
        return Types.POJO(CatalogInput.class);
    }
}
