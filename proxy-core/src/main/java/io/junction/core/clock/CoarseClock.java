package io.junction.core.clock;

/**
 * A monotonic nanosecond clock that ticks every {@value #TICK_MILLIS} ms, read with one volatile load. The data path
 * reads a clock per pick (client-IP affinity) and per read (TCP idle timeouts), and {@link System#nanoTime()} costs
 * 20–25 ns on virtual machines (a {@code clock_gettime} through the hypervisor's clock source): more than a whole
 * pick. Affinity and idle timeouts are hundreds of milliseconds to hours, so 10 ms resolution loses nothing.
 *
 * <p>Thread-safe. One daemon thread, started on first use, does the ticking.
 */
public final class CoarseClock {
    public static final long TICK_MILLIS = 10;

    private static volatile long now = System.nanoTime();

    static {
        Thread ticker = new Thread(CoarseClock::tick, "junction-coarse-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    private CoarseClock() {
    }

    /** The time of the last tick; never more than about {@value #TICK_MILLIS} ms behind {@link System#nanoTime()}. */
    public static long nanoTime() {
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
