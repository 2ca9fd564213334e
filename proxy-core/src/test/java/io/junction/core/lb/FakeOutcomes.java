package io.junction.core.lb;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passive health as a picker sees it, scripted: a number of admissions to hand out (a recovering backend's test
 * permits), counting what was asked, granted and given back. Thread-safe.
 */
final class FakeOutcomes implements OutcomeRecorder {
    private final AtomicInteger permits;
    final AtomicInteger granted = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();

    private FakeOutcomes(int permits) {
        this.permits = new AtomicInteger(permits);
    }

    /** A healthy backend: admits every connection. */
    static FakeOutcomes admitting() {
        return new FakeOutcomes(Integer.MAX_VALUE);
    }

    /** A recovering backend whose test connections are all taken. */
    static FakeOutcomes refusing() {
        return new FakeOutcomes(0);
    }

    /** A recovering backend with {@code n} test connections left. */
    static FakeOutcomes withPermits(int n) {
        return new FakeOutcomes(n);
    }

    @Override
    public boolean tryAdmit() {
        int left = permits.get();
        if (left == Integer.MAX_VALUE) {
            granted.incrementAndGet();
            return true;
        }
        while (left > 0) {
            if (permits.compareAndSet(left, left - 1)) {
                granted.incrementAndGet();
                return true;
            }
            left = permits.get();
        }
        refused.incrementAndGet();
        return false;
    }

    @Override
    public void releaseAdmission() {
        released.incrementAndGet();
        if (permits.get() != Integer.MAX_VALUE) {
            permits.incrementAndGet();
        }
    }

    @Override
    public void onSuccess(long connectNanos) {
    }

    @Override
    public void onFailure() {
    }
}
