package io.streamrec.job.state;

import io.streamrec.job.FlinkTypes;
import io.streamrec.job.model.ItemState;
import io.streamrec.job.model.UserState;
import java.time.Duration;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Every state the trainer keeps, in one place: names are part of the savepoint format (renaming one loses it), so
 * they must not change casually.
 *
 * <p>Keyed state (RocksDB): per user {@code user} (vector, Adagrad accumulator, bounded history, counters); per
 * item {@code item} (vector, accumulator, counters) and {@code item-dirty}. Users
 * and items untouched for their TTL are dropped by RocksDB compaction. Operator state (small, per subtask): the
 * UserTower's negative buffer, popularity counters and pending gradient bundle, as bytes.
 */
public final class States {
    private States() {}

    public static ValueStateDescriptor<UserState> user(Duration ttl) {
        return withTtl(new ValueStateDescriptor<>("user", FlinkTypes.USER_STATE), ttl);
    }

    public static ValueStateDescriptor<ItemState> item(Duration ttl) {
        return withTtl(new ValueStateDescriptor<>("item", Types.POJO(ItemState.class)), ttl);
    }

    /** Present (true) for items changed since the last snapshot tick; cleared when they are published. */
    public static final ValueStateDescriptor<Boolean> ITEM_DIRTY = new ValueStateDescriptor<>("item-dirty", Types.BOOLEAN);

    /**
     * Present (true) for every key the ItemTower has state for, without a TTL: the periodic sweep finds the keys
     * whose {@code item} state has expired through it, and publishes their removal.
     */
    public static final ValueStateDescriptor<Boolean> ITEM_LIVE = new ValueStateDescriptor<>("item-live", Types.BOOLEAN);

    public static final ListStateDescriptor<byte[]> NEGATIVE_BUFFER =
            new ListStateDescriptor<>("negative-buffer", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    public static final ListStateDescriptor<byte[]> POPULARITY =
            new ListStateDescriptor<>("popularity", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** The RankerTrainer's model with its optimizer state ({@code RankerModel.toBytes}). */
    public static final ListStateDescriptor<byte[]> RANKER_MODEL =
            new ListStateDescriptor<>("ranker-model", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    public static final ListStateDescriptor<byte[]> GRADIENT_BUNDLE =
            new ListStateDescriptor<>("gradient-bundle", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private static <T> ValueStateDescriptor<T> withTtl(ValueStateDescriptor<T> d, Duration ttl) {
        if (ttl != null && !ttl.isZero()) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                    .updateTtlOnCreateAndWrite()
                    .neverReturnExpired()
                    .cleanupInRocksdbCompactFilter(1000)
                    .build());
        }
        return d;
    }
}
