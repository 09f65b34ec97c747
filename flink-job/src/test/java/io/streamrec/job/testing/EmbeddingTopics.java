package io.streamrec.job.testing;

import io.streamrec.kafka.EmbeddedKafkaBroker;
import java.util.Map;

/** Creates uniquely named embedding topics configured as the job creates them (compacted). */
public final class EmbeddingTopics {
    private EmbeddingTopics() {}

    public static String create(EmbeddedKafkaBroker broker, String prefix) {
        String topic = EmbeddedKafkaBroker.uniqueTopic(prefix);
        broker.createTopic(topic, 2, Map.of("cleanup.policy", "compact"));
        return topic;
    }
}
