package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.junction.core.lb.OutcomeRecorder;
import io.junction.core.model.OutlierDetection;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Passive health of one endpoint of one service: a Resilience4j {@link CircuitBreaker} fed by the outcomes of real
 * connections. {@code threshold} failures in a row open it (a count-based window of that size whose failure rate must
 * reach 100%); the endpoint is then ejected from picking until {@link #beginTest} half-opens the breaker, which lets
 * {@code halfOpenConnections} connections through and closes again unless all of them fail.
 *
 * <p>Called from every event loop, so it takes no shared lock: the window is Resilience4j's lock-free one (its default
 * takes a {@code ReentrantLock} per record). That window fails with a {@code NullPointerException} on its second
 * record when its size is 1 (Resilience4j 2.4.0; the time-based twin is resilience4j#2379), so no window here has
 * size 1: a threshold of 1 uses a window of 2 that needs 1 call, and records no success while closed (with a
 * threshold of 1 a success can change nothing), and the one-permit half-open window ignores the failure of a late
 * second record. {@code ResilienceWindowOfOneTest} tells when this can go.
 *
 * <p>It registers no event consumer either, because with one Resilience4j allocates an event per recorded outcome;
 * instead each record compares the breaker's state with the last one seen, and the one thread that wins the
 * compare-and-set reports the transition.
 *
 * <p>Thread-safe.
 */
final class OutlierDetector implements OutcomeRecorder {

    /** Receives state transitions; called on the thread that recorded the outcome causing it. */
    interface Listener {
        void onTransition(OutlierDetector detector, CircuitBreaker.State from, CircuitBreaker.State to);
    }

    /** Recorded for a failed connect; stackless and shared: the breaker only counts it. */
    private static final Throwable CONNECT_FAILURE = new Exception("connect failed", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    private final CircuitBreaker breaker;
    private final OutlierDetection settings;
    private final int threshold;
    private final Clock clock;
    private final Listener listener;
    private final AtomicReference<CircuitBreaker.State> seen = new AtomicReference<>(CircuitBreaker.State.CLOSED);
    private volatile Instant openedAt;

    OutlierDetector(String name, OutlierDetection settings, int threshold, Clock clock, Listener listener) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: >= 1)");
        }
        this.settings = settings;
        this.threshold = threshold;
        this.clock = clock;
        this.listener = listener;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindow(Math.max(2, threshold), threshold, SlidingWindowType.COUNT_BASED,
                        SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenConnections())
                .waitDurationInOpenState(settings.ejectionTime())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build();
        this.breaker = CircuitBreaker.of(name, config);
    }

    OutlierDetection settings() {
        return settings;
    }

    int threshold() {
        return threshold;
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** A breaker state as logs, metrics and the admin API name it: {@code closed}, {@code open}, {@code half_open}. */
    static String stateName(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Whether the endpoint is ejected: the breaker is open. */
    boolean ejected() {
        return breaker.getState() == CircuitBreaker.State.OPEN;
    }

    /** When the breaker last opened, or null if it never did. */
    Instant openedAt() {
        return openedAt;
    }

    @Override
    public boolean tryAdmit() {
        // Every pick asks. While closed (nearly always) the breaker would say yes after four dependent loads; the
        // last state seen answers in one. Transitions all pass through noticeTransition, so it lags only by the
        // race of one record, in which the breaker itself could not do better.
        if (seen.get() == CircuitBreaker.State.CLOSED) {
            return true;
        }
        return breaker.tryAcquirePermission();
    }

    @Override
    public void releaseAdmission() {
        breaker.releasePermission();
    }

    @Override
    public void onSuccess(long connectNanos) {
        if (threshold == 1 && breaker.getState() == CircuitBreaker.State.CLOSED) {
            return;
        }
        try {
            breaker.onSuccess(connectNanos, TimeUnit.NANOSECONDS);
        } catch (NullPointerException windowOfOne) {
            return; // a late outcome in a one-permit half-open window (see the class comment): it decides nothing
        }
        noticeTransition();
    }

    @Override
    public void onFailure() {
        try {
            breaker.onError(0, TimeUnit.NANOSECONDS, CONNECT_FAILURE);
        } catch (NullPointerException windowOfOne) {
            return; // as in onSuccess
        }
        noticeTransition();
    }

    /** The ejection time is over: let test connections through (half-open). No-op unless the breaker is open. */
    void beginTest() {
        if (breaker.getState() == CircuitBreaker.State.OPEN) {
            breaker.transitionToHalfOpenState();
        }
        noticeTransition();
    }

    /**
     * The test has had its time and is still undecided: its admitted connection never reported. A UDP test datagram
     * that drew no ICMP port unreachable means that something listens ({@code silenceIsSuccess}: the breaker
     * closes); for TCP, whose connects always end, it can only be a lost report, and the endpoint is ejected again
     * to be tested afresh. No-op unless the breaker is half-open.
     */
    void endUndecidedTest(boolean silenceIsSuccess) {
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            if (silenceIsSuccess) {
                breaker.transitionToClosedState();
            } else {
                breaker.transitionToOpenState();
            }
        }
        noticeTransition();
    }

    private void noticeTransition() {
        CircuitBreaker.State now = breaker.getState();
        CircuitBreaker.State before = seen.get();
        if (now != before && seen.compareAndSet(before, now)) {
            if (now == CircuitBreaker.State.OPEN) {
                openedAt = clock.instant();
            }
            listener.onTransition(this, before, now);
        }
    }

    @Override
    public String toString() {
        return breaker.getName();
    }
}
