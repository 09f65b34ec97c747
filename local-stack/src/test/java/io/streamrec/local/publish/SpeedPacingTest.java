package io.streamrec.local.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.schema.EventType;
import io.streamrec.schema.InteractionEvent;
import org.junit.jupiter.api.Test;

/** Pacing arithmetic with an explicit clock: no sleeping. */
class SpeedPacingTest {
    private static final long MS = 1_000_000L;

    private static InteractionEvent at(long ts) {
        return new InteractionEvent("u", "i", EventType.CLICK, ts);
    }

    @Test
    void waitsTheTimestampGapDividedByTheFactorFromTheAnchor() {
        SpeedPacing p = new SpeedPacing(2, Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(0, p.waitNanos(at(10_000), 0));
        assertEquals(500 * MS, p.waitNanos(at(11_000), 0));
        // Scheduled from the anchor: if the first wait overslept by 100 ms, the next one is shorter.
        assertEquals(400 * MS, p.waitNanos(at(12_000), 600 * MS)); // due at 1,000 ms, not 600 + 500
        // Late already: no wait, and no catching up with negative waits.
        assertEquals(0, p.waitNanos(at(12_500), 2_000 * MS));
    }

    @Test
    void outOfOrderEventsGoAtOnceAndAreCounted() {
        SpeedPacing p = new SpeedPacing(1, Long.MIN_VALUE, Long.MAX_VALUE);
        p.waitNanos(at(10_000), 0);
        assertEquals(5_000 * MS, p.waitNanos(at(15_000), 0));
        assertEquals(0, p.waitNanos(at(12_000), 5_000 * MS));
        assertEquals(1, p.outOfOrder());
        // The schedule did not move back: 16 s is 1 s after 15 s.
        assertEquals(1_000 * MS, p.waitNanos(at(16_000), 5_000 * MS));
    }

    @Test
    void backlogGoesUnpacedAndPacingStartsAtTheFirstLiveEvent() {
        SpeedPacing p = new SpeedPacing(1, 100_000, Long.MAX_VALUE);
        assertEquals(0, p.waitNanos(at(1_000), 0));
        assertEquals(0, p.waitNanos(at(90_000), 0));
        assertEquals(0, p.waitNanos(at(100_000), 7 * MS)); // anchor
        assertEquals(2_000 * MS, p.waitNanos(at(102_000), 7 * MS));
    }

    @Test
    void maxWaitShortensLongGapsAndShiftsTheRestOfTheSchedule() {
        SpeedPacing p = new SpeedPacing(1, Long.MIN_VALUE, 1_000 * MS);
        p.waitNanos(at(0), 0);
        assertEquals(1_000 * MS, p.waitNanos(at(3_600_000), 0)); // an hour of silence becomes one second
        assertEquals(500 * MS, p.waitNanos(at(3_600_500), 1_000 * MS));
    }

    @Test
    void rateSpacesEventsEvenlyWithoutBurstingAfterAStall() {
        Pacing p = Pacing.rate(10);
        assertEquals(0, p.waitNanos(null, 0));
        assertEquals(100 * MS, p.waitNanos(null, 0));
        assertEquals(150 * MS, p.waitNanos(null, 50 * MS));
        // A 5 s stall: the schedule restarts instead of sending 50 events at once.
        assertEquals(0, p.waitNanos(null, 5_000 * MS));
        assertEquals(100 * MS, p.waitNanos(null, 5_000 * MS));
    }
}
