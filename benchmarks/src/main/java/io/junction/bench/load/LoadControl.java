package io.junction.bench.load;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared switchboard between the run controller and the event loops: the measurement window (by
 * {@link System#nanoTime()}), the stop flag and the op budget. Thread-safe: the controller writes volatile fields,
 * event loops read them; the budget is one {@link AtomicLong}.
 */
public final class LoadControl {
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile boolean stopping;
    private final AtomicLong budget;
    private final CountDownLatch exhausted = new CountDownLatch(1);

    public LoadControl(long maxOps) {
        if (maxOps < 1) {
            throw new IllegalArgumentException("maxOps: " + maxOps + " (expected: >= 1)");
        }
        this.budget = new AtomicLong(maxOps);
    }

    /** Whether an operation that started (or was intended to start) at {@code nanos} counts. */
    public boolean inWindow(long nanos) {
        return nanos >= windowStart && nanos < windowEnd;
    }

    public void openWindow(long nanos) {
        windowStart = nanos;
    }

    public void closeWindow(long nanos) {
        windowEnd = nanos;
    }

    /** Asks every loop to stop starting new operations. */
    public void stop() {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    /**
     * Takes one operation from the budget.
     *
     * @return false when the run is stopping or the budget is spent (the caller must not start the operation)
     */
    public boolean acquire() {
        if (stopping) {
            return false;
        }
        if (budget.decrementAndGet() >= 0) {
            return true;
        }
        exhausted.countDown();
        return false;
    }

    /**
     * Waits until the budget is spent or the timeout passes.
     *
     * @return true when the budget ran out first
     */
    public boolean awaitExhausted(Duration timeout) throws InterruptedException {
        return exhausted.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
