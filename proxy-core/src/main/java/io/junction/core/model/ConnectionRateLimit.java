package io.junction.core.model;

/**
 * How many new connections one client source address may open: on average {@code perSecond}, with bursts of up to
 * {@code burst} at once (a token bucket of {@code burst} tokens refilled at {@code perSecond}). Immutable.
 *
 * @param perSecond new connections per second per source address; 0 means no limit ({@link #OFF})
 * @param burst     connections a source that has been quiet may open at once, >= 1
 */
public record ConnectionRateLimit(double perSecond, int burst) {
    public static final ConnectionRateLimit OFF = new ConnectionRateLimit(0, 1);
    public static final double MAX_PER_SECOND = 1_000_000;
    public static final int MAX_BURST = 1_000_000;

    public ConnectionRateLimit {
        if (!(perSecond >= 0 && perSecond <= MAX_PER_SECOND)) {
            throw new IllegalArgumentException("perSource: " + perSecond + "/s (expected: > 0 and <= "
                    + (long) MAX_PER_SECOND + "/s)");
        }
        Checks.range("burst", burst, 1, MAX_BURST);
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** Nanoseconds between two connections at the steady rate. */
    public long intervalNanos() {
        return (long) Math.ceil(1e9 / perSecond);
    }
}
