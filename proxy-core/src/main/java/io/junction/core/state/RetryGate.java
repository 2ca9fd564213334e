package io.junction.core.state;

import io.junction.core.model.RetryBudget;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A service's retry budget at work: counts the client connections being connected and the retries among them, and
 * lets a retry start only while the budget allows it, so that a wide outage does not multiply the load on what is
 * left. Connections count themselves in a {@link LongAdder} (no contended cache line on the common path); the sum is
 * read only when a retry asks.
 *
 * <p>Thread-safe, lock-free.
 */
public final class RetryGate {
    private final LongAdder connecting = new LongAdder();
    private final AtomicInteger retrying = new AtomicInteger();

    /** A client connection started connecting to a backend; {@link #connectEnded} follows exactly once. */
    public void connectStarted() {
        connecting.increment();
    }

    public void connectEnded() {
        connecting.decrement();
    }

    /**
     * Whether one more retry may start under {@code budget}; when true, {@link #retryEnded} follows exactly once.
     * Two loops racing may both pass at the edge, which overshoots the budget by one retry at most per loop.
     */
    public boolean tryRetry(RetryBudget budget) {
        int now = retrying.get();
        long inFlight = connecting.sum();
        if (!budget.allows(now, (int) Math.min(Integer.MAX_VALUE, inFlight))) {
            return false;
        }
        retrying.incrementAndGet();
        return true;
    }

    public void retryEnded() {
        retrying.decrementAndGet();
    }

    /** Retries in flight (for tests and the admin API). */
    public int retrying() {
        return retrying.get();
    }
}
