package io.junction.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one probe, as the admin API shows it. Immutable.
 *
 * @param passed whether the probe passed
 * @param detail what was seen, for people: {@code connected}, {@code HTTP 200}, {@code HTTP 500},
 *               {@code connection refused}, {@code timed out after 1s}, {@code closed before the response}...
 * @param at     wall-clock time the probe started
 * @param took   how long it ran until its outcome was known
 */
public record ProbeResult(boolean passed, String detail, Instant at, Duration took) {

    public ProbeResult {
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(took, "took");
    }

    public static ProbeResult pass(String detail, Instant at, Duration took) {
        return new ProbeResult(true, detail, at, took);
    }

    public static ProbeResult fail(String detail, Instant at, Duration took) {
        return new ProbeResult(false, detail, at, took);
    }
}
