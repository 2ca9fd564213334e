package io.junction.bench.lb;

import io.junction.core.lb.OutcomeRecorder;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passive health as a circuit breaker would present it to a picker while its endpoint is healthy: a volatile state
 * read that admits, with a permit counter that only a recovering endpoint would touch. Stands in for the health
 * package's recorder so the benchmark pays the same virtual call and reads. Thread-safe.
 */
final class AdmittingRecorder implements OutcomeRecorder {
    private static final int HEALTHY = 0;
    private static final int RECOVERING = 1;

    private volatile int state = HEALTHY;
    private final AtomicInteger permits = new AtomicInteger();

    @Override
    public boolean tryAdmit() {
        if (state == HEALTHY) {
            return true;
        }
        int left = permits.get();
        return state == RECOVERING && left > 0 && permits.compareAndSet(left, left - 1);
    }

    @Override
    public void releaseAdmission() {
        if (state == RECOVERING) {
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
