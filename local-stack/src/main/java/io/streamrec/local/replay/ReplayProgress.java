package io.streamrec.local.replay;

import java.time.Duration;

/**
 * A progress snapshot of a running replay: the phase ({@code reading} while loading a file to sort it,
 * {@code publishing} otherwise), events published and lines skipped so far, the fraction of the work done (bytes of
 * the file read, or events of a sorted list published; -1 when unknown) and the time since the start.
 */
public record ReplayProgress(String phase, long published, long bad, double fraction, long elapsedNanos) {

    /** Events published per second since the start. */
    public double eventsPerSecond() {
        return elapsedNanos <= 0 ? 0 : published * 1e9 / elapsedNanos;
    }

    /** Remaining time extrapolated from the fraction done so far; null when that is not yet meaningful. */
    public Duration eta() {
        if (fraction <= 0.001 || fraction > 1 || elapsedNanos < 200_000_000L) {
            return null;
        }
        return Duration.ofNanos((long) (elapsedNanos * (1 - fraction) / fraction));
    }
}
