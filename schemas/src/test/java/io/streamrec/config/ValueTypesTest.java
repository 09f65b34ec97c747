package io.streamrec.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one grammar of each kind of value. */
class ValueTypesTest {

    private static String error(ValueType<?> type, String text) {
        return assertThrows(IllegalArgumentException.class, () -> type.parse(text)).getMessage();
    }

    @Test
    void durationsNeedAUnitExceptZero() {
        assertEquals(Duration.ofMillis(500), ValueTypes.DURATION.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), ValueTypes.DURATION.parse("5s"));
        assertEquals(Duration.ofSeconds(5), ValueTypes.DURATION.parse("5 s"));
        assertEquals(Duration.ofMinutes(2), ValueTypes.DURATION.parse("2m"));
        assertEquals(Duration.ofMinutes(2), ValueTypes.DURATION.parse("2min"));
        assertEquals(Duration.ofHours(1), ValueTypes.DURATION.parse("1h"));
        assertEquals(Duration.ofDays(7), ValueTypes.DURATION.parse("7d"));
        assertEquals(Duration.ofDays(3), ValueTypes.DURATION.parse("3 days"));
        assertEquals(Duration.ofMinutes(90), ValueTypes.DURATION.parse("1.5h"));
        assertEquals(Duration.ofSeconds(10), ValueTypes.DURATION.parse("PT10S"));
        assertEquals(Duration.ZERO, ValueTypes.DURATION.parse("0"));
        assertTrue(error(ValueTypes.DURATION, "5000").contains("'5000' has no unit: write e.g. 5000ms or 5000s"));
        assertTrue(error(ValueTypes.DURATION, "5 fortnights").contains("unknown unit 'fortnights'"));
        assertTrue(error(ValueTypes.DURATION, "-5s").contains("expected a duration"));
        assertTrue(error(ValueTypes.DURATION, "often").contains("expected a duration such as 500ms, 5s"));
        assertTrue(error(ValueTypes.DURATION, "0.5ms").contains("whole number of milliseconds"));
    }

    @Test
    void durationsAreWrittenInTheLargestExactUnit() {
        for (String s : new String[] {"0", "250ms", "1500ms", "10s", "90s", "2m", "1h", "25h", "1d", "90d"}) {
            assertEquals(s, ValueTypes.DURATION.format(ValueTypes.DURATION.parse(s)));
        }
    }

    @Test
    void sizesNeedAUnitExceptZero() {
        assertEquals(1600L << 20, ValueTypes.SIZE.parse("1600m"));
        assertEquals(1L << 30, ValueTypes.SIZE.parse("1g"));
        assertEquals(256L << 20, ValueTypes.SIZE.parse("256MB"));
        assertEquals("1g", ValueTypes.SIZE.format(1024L << 20));
        assertEquals("1600m", ValueTypes.SIZE.format(1600L << 20));
        assertTrue(error(ValueTypes.SIZE, "1600").contains("has no unit"));
    }

    @Test
    void booleansAreTrueOrFalse() {
        assertEquals(true, ValueTypes.BOOLEAN.parse("TRUE"));
        assertEquals(false, ValueTypes.BOOLEAN.parse("false"));
        for (String s : new String[] {"yes", "on", "1", ""}) {
            assertTrue(error(ValueTypes.BOOLEAN, s).contains("expected true or false"), s);
        }
    }

    @Test
    void numbersAndInstants() {
        assertEquals(100_000, ValueTypes.INTEGER.parse("100_000"));
        assertEquals(0x5eed5eedL, ValueTypes.LONG.parse("0x5eed5eed"));
        assertTrue(error(ValueTypes.INTEGER, "3000000000").contains("out of range"));
        assertTrue(error(ValueTypes.INTEGER, "two").contains("expected an integer"));
        assertEquals(1e-3, ValueTypes.NUMBER.parse("1e-3"));
        assertTrue(error(ValueTypes.NUMBER, "NaN").contains("expected a number"));
        assertTrue(error(ValueTypes.NUMBER, "1d").contains("expected a number"));
        assertEquals(Instant.parse("2019-10-01T00:00:00Z"), ValueTypes.INSTANT.parse("2019-10-01"));
        assertEquals(Instant.parse("2019-09-30T22:00:00Z"), ValueTypes.INSTANT.parse("2019-10-01T00:00:00+02:00"));
        assertTrue(error(ValueTypes.INSTANT, "2000").contains("expected an ISO-8601 instant"));
    }

    @Test
    void choicesListTheirWords() {
        ValueType<Integer> t = ValueTypes.choice(Map.of("one", 1));
        assertEquals(1, t.parse("ONE"));
        assertTrue(error(t, "two").contains("expected one, got 'two'"));
    }
}
