package io.junction.core.lb;

import io.junction.core.model.Endpoint;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The connect-latency estimate behind peak-ewma: peaks at once, forgives slowly, decays when unused. */
class PeakEwmaTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long TAU = PeakEwma.DECAY_NANOS;
    /** Time is kept in steps of about 17 ms: 0.17% of tau, so decayed values are checked to 0.5%. */
    private static final double DECAY_PRECISION = 0.005;

    private final long t0 = 5_000_000_000L;
    private long state = PeakEwma.UNKNOWN;

    private void observe(long latencyNanos, long now) {
        state = PeakEwma.observe(state, latencyNanos, now);
    }

    @Test
    void withoutEvidenceABackendCostsTheDefaultLatencyPerConnection() {
        assertThat(PeakEwma.estimateNanos(state, t0)).isNaN();
        assertThat(PeakEwma.cost(state, t0, 0, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS);
        assertThat(PeakEwma.cost(state, t0, 3, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS * 4);
    }

    @Test
    void withoutEvidenceAndAConnectInFlightABackendIsPenalized() {
        assertThat(PeakEwma.cost(state, t0, 2, 1)).isEqualTo(PeakEwma.PENALTY + 2);
    }

    @Test
    void firstSampleIsTheEstimate() {
        observe(5 * MS, t0);
        assertThat(PeakEwma.estimateNanos(state, t0)).isCloseTo(5 * MS, within(1.0));
        assertThat(PeakEwma.cost(state, t0, 1, 0)).isCloseTo(10 * MS, within(2.0));
    }

    @Test
    void aHigherSampleReplacesTheEstimateAtOnce() {
        observe(MS, t0);
        observe(20 * MS, t0 + 10 * MS);
        assertThat(PeakEwma.estimateNanos(state, t0 + 10 * MS)).isCloseTo(20 * MS, within(1.0));
    }

    @Test
    void aLowerSamplePullsTheEstimateDownByTheTimeSinceThePreviousOne() {
        observe(20 * MS, t0);
        observe(MS, t0 + TAU);
        double w = Math.exp(-1);
        assertThat(PeakEwma.estimateNanos(state, t0 + TAU))
                .isCloseTo(20 * MS * w + MS * (1 - w), within(DECAY_PRECISION * 20 * MS));
    }

    @Test
    void lowerSamplesRightAfterAPeakBarelyMoveIt() {
        // Forgiving takes time, not samples.
        observe(20 * MS, t0);
        for (int i = 1; i <= 10; i++) {
            observe(MS, t0 + i * 2 * MS);
        }
        assertThat(PeakEwma.estimateNanos(state, t0 + 20 * MS)).isGreaterThan(19 * MS);
    }

    @Test
    void theEstimateDecaysTowardZeroBetweenSamplesAndIsForgottenAfterTenTau() {
        observe(20 * MS, t0);
        assertThat(PeakEwma.estimateNanos(state, t0 + TAU))
                .isCloseTo(20 * MS * Math.exp(-1), within(DECAY_PRECISION * 20 * MS));
        assertThat(PeakEwma.estimateNanos(state, t0 + 3 * TAU))
                .isCloseTo(20 * MS * Math.exp(-3), within(DECAY_PRECISION * 20 * MS));
        long later = t0 + PeakEwma.FORGET_AFTER_TAUS * TAU + 100 * MS;
        assertThat(PeakEwma.cost(state, later, 0, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS);
        assertThat(PeakEwma.estimateNanos(state, later)).isNaN();
        // A sample after that long starts afresh, lower or not.
        observe(2 * MS, later);
        assertThat(PeakEwma.estimateNanos(state, later)).isCloseTo(2 * MS, within(1.0));
    }

    @Test
    void aRacingOlderTimeStampCountsAsNoTimeElapsed() {
        observe(10 * MS, t0 + TAU);
        // Another loop read the clock earlier and records after: no negative time, and the later stamp stays.
        observe(4 * MS, t0);
        assertThat(PeakEwma.estimateNanos(state, t0 + TAU)).isCloseTo(10 * MS, within(1.0));
        assertThat(PeakEwma.estimateNanos(state, t0)).isCloseTo(10 * MS, within(1.0));
    }

    @Test
    void backendFeedsSuccessesAndDropsTheEstimateOnFailure() {
        AtomicLong clock = new AtomicLong(t0);
        Backend backend = new Backend(Endpoint.of("127.0.0.1", 20_000), clock::get);
        assertThat(backend.connectLatencyNanos()).isNaN();
        backend.onConnectSuccess(3 * MS);
        assertThat(backend.connectLatencyNanos()).isCloseTo(3 * MS, within(1.0));
        clock.addAndGet(TAU);
        assertThat(backend.connectLatencyNanos()).isCloseTo(3 * MS * Math.exp(-1), within(DECAY_PRECISION * 3 * MS));
        backend.onConnectFailure();
        assertThat(backend.connectLatencyNanos()).isNaN();
        assertThat(backend.connectFailures()).isEqualTo(1);
        // No evidence and a connect in flight: probed by that connection alone.
        backend.onConnectStarted();
        assertThat(backend.peakEwmaCost()).isEqualTo(PeakEwma.PENALTY + 1);
    }
}
