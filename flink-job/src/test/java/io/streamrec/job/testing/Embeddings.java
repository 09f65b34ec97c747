package io.streamrec.job.testing;

import io.streamrec.kafka.EmbeddedKafkaBroker;
import io.streamrec.schema.EmbeddingCodec;
import io.streamrec.schema.avro.EmbeddingRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads an embedding topic back as decoded records. */
public final class Embeddings {
    private Embeddings() {}

    public static List<EmbeddingRecord> readUntil(EmbeddedKafkaBroker broker, String topic,
                                                  Predicate<List<EmbeddingRecord>> done, Duration timeout) {
        List<EmbeddingRecord> decoded = new ArrayList<>();
        broker.consumeUntil(topic, records -> {
            for (int i = decoded.size(); i < records.size(); i++) {
                decoded.add(decode(records.get(i)));
            }
            return done.test(decoded);
        }, timeout);
        return decoded;
    }

    private static EmbeddingRecord decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return EmbeddingCodec.decode(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
