package io.junction.core.lb;

/**
 * A monotonic nanosecond clock that ticks every {@value #TICK_MILLIS} ms, read with one volatile load. Client-IP
 * affinity reads a clock on every pick, and {@link System#nanoTime()} costs 20–25 ns on virtual machines (a
 * {@code clock_gettime} through the hypervisor's clock source), which alone would exceed the picker's budget. Affinity
 * timeouts are seconds to hours, so 10 ms resolution loses nothing.
 *
 * <p>Thread-safe. One daemon thread, started on first use, does the ticking.
 */
final class CoarseClock {
    static final long TICK_MILLIS = 10;

    private static volatile long now = System.nanoTime();

    static {
        Thread ticker = new Thread(CoarseClock::tick, "junction-coarse-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    private CoarseClock() {
    }

    /** The time of the last tick; never more than about {@value #TICK_MILLIS} ms behind {@link System#nanoTime()}. */
    static long nanoTime() {
        return now;
    }

    private static void tick() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // A daemon thread nobody interrupts on purpose; keep ticking.
            }
            now = System.nanoTime();
        }
    }
}
