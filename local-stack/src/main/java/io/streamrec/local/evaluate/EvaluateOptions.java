package io.streamrec.local.evaluate;

import io.streamrec.local.replay.ReplayOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code ./streamrec evaluate} was asked to do, parsed and checked by {@link EvaluateMain}. Immutable.
 *
 * @param protocols the protocols to run, in order
 * @param passes training passes over the training events (seed, temporal)
 * @param passOrder the order of events within a pass
 * @param split the share of events used for training (seed, temporal)
 * @param seed seed of the random split and of the per-pass shuffles
 * @param windows prequential windows (equal event counts)
 * @param out the report directory
 * @param parallelism the trainer's parallelism
 * @param trainer trainer keys set by the user ({@code --trainer.KEY VALUE})
 * @param stallTimeout a run fails when it makes no progress for this long
 * @param replay how to read the log (the file and the replay format options)
 * @param catalog the {@code --catalog} file, or null
 */
public record EvaluateOptions(List<Protocol> protocols, int passes, PassOrder passOrder, double split, long seed,
                              int windows, Path out, int parallelism, Map<String, String> trainer,
                              Duration stallTimeout, ReplayOptions replay, Path catalog) {

    public EvaluateOptions {
        protocols = List.copyOf(protocols);
        trainer = Map.copyOf(trainer);
    }

    /** The evaluation protocols. */
    public enum Protocol {
        /** The seeds' protocol: random split, N passes, top-K accuracy over all items. */
        SEED,
        /** Train on the earliest share by time, test on the rest; same metrics as SEED. */
        TEMPORAL,
        /** Timestamp order, recommend then learn, seen items excluded. */
        PREQUENTIAL,
        /** A share of the items withheld from training; ranked from their catalog features alone. */
        COLD_ITEMS;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The order of the training events within a pass. */
    public enum PassOrder {
        /** Shuffle for the random split (as the tutorials' input pipelines do), time order for the temporal one. */
        AUTO,
        TIME,
        SHUFFLE;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether a pass of {@code protocol} is shuffled. */
        public boolean shuffles(Protocol protocol) {
            return this == SHUFFLE || (this == AUTO && (protocol == Protocol.SEED || protocol == Protocol.COLD_ITEMS));
        }
    }
}
