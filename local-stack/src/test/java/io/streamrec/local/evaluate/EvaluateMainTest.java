package io.streamrec.local.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.local.cli.UsageException;
import io.streamrec.local.evaluate.EvaluateOptions.PassOrder;
import io.streamrec.local.evaluate.EvaluateOptions.Protocol;
import io.streamrec.local.replay.LogFormat;
import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line of evaluate: our options, trainer keys and replay's reading options, mixed in any order. */
class EvaluateMainTest {

    private static EvaluateOptions parse(String... args) throws UsageException {
        return EvaluateMain.parse(args).options();
    }

    @Test
    void defaults() throws UsageException {
        EvaluateOptions o = parse("u.data");
        assertEquals(List.of(Protocol.PREQUENTIAL), o.protocols());
        assertEquals(3, o.passes());
        assertEquals(PassOrder.AUTO, o.passOrder());
        assertEquals(0.8, o.split());
        assertEquals(42, o.seed());
        assertEquals(10, o.windows());
        assertEquals(2, o.parallelism());
        assertEquals(Map.of(), o.trainer());
        assertEquals(Path.of("u.data"), o.replay().file());
        assertTrue(o.out().endsWith(Path.of(".streamrec", "evaluation")));
    }

    @Test
    void separatesOurOptionsTrainerKeysAndReplayOptions() throws UsageException {
        EvaluateOptions o = parse("--protocol", "all", "--trainer.model.dim", "32", "clicks.csv", "--format", "csv",
                "--csv.user-column", "uid", "--csv.item-column", "sku", "--csv.type", "click",
                "--csv.timestamp-column", "ts", "--passes=5", "--trainer.model.negatives=128", "--out", "/tmp/x",
                "--limit", "1000", "--pass-order", "time", "--seed", "7");
        assertEquals(List.of(Protocol.SEED, Protocol.TEMPORAL, Protocol.PREQUENTIAL, Protocol.COLD_ITEMS), o.protocols());
        assertEquals(5, o.passes());
        assertEquals(PassOrder.TIME, o.passOrder());
        assertEquals(7, o.seed());
        assertEquals(Path.of("/tmp/x"), o.out());
        assertEquals(Map.of("model.dim", "32", "model.negatives", "128"), o.trainer());
        assertEquals(Path.of("clicks.csv"), o.replay().file());
        assertEquals(LogFormat.CSV, o.replay().format());
        assertEquals(1000, o.replay().limit());
        assertTrue(PassOrder.AUTO.shuffles(Protocol.SEED) && !PassOrder.AUTO.shuffles(Protocol.TEMPORAL));
    }

    @Test
    void helpAndBadOptions() throws UsageException {
        assertNull(EvaluateMain.parse(new String[] {"--help"}));
        assertThrows(UsageException.class, () -> parse("--protocol", "online", "u.data"));
        assertThrows(UsageException.class, () -> parse("--split", "1.0", "u.data"));
        assertThrows(UsageException.class, () -> parse("--passes", "0", "u.data"));
        UsageException noFile = assertThrows(UsageException.class, () -> parse("--protocol", "seed"));
        assertTrue(noFile.getMessage().contains("no FILE"), noFile.getMessage());
        UsageException speed = assertThrows(UsageException.class, () -> parse("u.data", "--speed", "10x"));
        assertTrue(speed.getMessage().contains("--speed"), speed.getMessage());
        UsageException reserved = assertThrows(UsageException.class,
                () -> parse("u.data", "--trainer.topics.interactions", "x"));
        assertTrue(reserved.getMessage().contains("sets this key itself"), reserved.getMessage());
        UsageException unknown = assertThrows(UsageException.class, () -> parse("u.data", "--trainer.model.dimm", "3"));
        assertTrue(unknown.getMessage().contains("model.dimm"), unknown.getMessage());
        UsageException badValue = assertThrows(UsageException.class, () -> parse("u.data", "--trainer.model.dim", "0"));
        assertTrue(badValue.getMessage().contains("model.dim"), badValue.getMessage());
    }

    @Test
    void badOptionsExitWith64AndAMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EvaluateMain.run(new String[] {"--protocol", "nope", "u.data"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertEquals(64, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--protocol"));
    }

    @Test
    void oldLogsGetAnEarlierIngestLimitUnlessTheUserSetsOne() throws UsageException {
        List<InteractionEvent> movieLens = List.of(
                new InteractionEvent("1", "2", EventType.RATING, 874_724_710_000L)); // 1997-09-20
        Map<String, String> m = EvaluateMain.trainerSettings(parse("u.data"), movieLens);
        assertEquals("1997-09-20T00:00:00Z", m.get("ingest.timestamp.earliest"));
        assertEquals("1 s", m.get("snapshot.interval"));
        Map<String, String> own = EvaluateMain.trainerSettings(
                parse("u.data", "--trainer.ingest.timestamp.earliest", "1990-01-01T00:00:00Z"), movieLens);
        assertEquals("1990-01-01T00:00:00Z", own.get("ingest.timestamp.earliest"));
        List<InteractionEvent> recent = List.of(new InteractionEvent("1", "2", EventType.CLICK, 1_704_067_200_000L));
        assertNull(EvaluateMain.trainerSettings(parse("u.data"), recent).get("ingest.timestamp.earliest"));
    }
}
