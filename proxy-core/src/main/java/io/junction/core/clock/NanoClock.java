package io.junction.core.clock;

/**
 * A monotonic clock in nanoseconds, injected where timeouts are measured on the data path (TCP idle timeouts, UDP
 * session expiry), so tests can move time themselves instead of racing real time. Implementations are thread-safe.
 */
@FunctionalInterface
public interface NanoClock {

    /** The {@link CoarseClock}: one volatile read, 10 ms resolution; what the data path uses. */
    NanoClock COARSE = CoarseClock::nanoTime;

    /** {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
