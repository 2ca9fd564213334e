package io.junction.core.forward;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most one warning per interval for one kind of event that can happen thousands of times a second (a refused
 * connection, a failed accept); each line carries how many events were left unlogged since the previous one, so the
 * log says how much happened without flooding the disk it may share with the descriptors that ran out.
 *
 * <p>Thread-safe and lock-free: the first caller past the interval wins the line with one CAS.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextLineAt;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nextLineAt = new AtomicLong(System.nanoTime());
    }

    /**
     * Logs {@code format} (SLF4J style, its last placeholder receives the suppressed count) if the interval has
     * passed, otherwise counts the event as suppressed. Returns whether a line was written.
     */
    public boolean warn(String format, Object arg) {
        long now = System.nanoTime();
        long next = nextLineAt.get();
        if (now - next < 0 || !nextLineAt.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return false;
        }
        log.warn(format, arg, suppressed.getAndSet(0));
        return true;
    }
}
