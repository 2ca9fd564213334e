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

    private final PeakEwma ewma = new PeakEwma();
    private final long t0 = 5_000_000_000L;

    @Test
    void withoutEvidenceABackendCostsTheDefaultLatencyPerConnection() {
        assertThat(ewma.estimateNanos(t0)).isNaN();
        assertThat(ewma.cost(t0, 0, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS);
        assertThat(ewma.cost(t0, 3, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS * 4);
    }

    @Test
    void withoutEvidenceAndAConnectInFlightABackendIsPenalized() {
        assertThat(ewma.cost(t0, 2, 1)).isEqualTo(PeakEwma.PENALTY + 2);
    }

    @Test
    void firstSampleIsTheEstimate() {
        ewma.observe(5 * MS, t0);
        assertThat(ewma.estimateNanos(t0)).isCloseTo(5 * MS, within(1.0));
        assertThat(ewma.cost(t0, 1, 0)).isCloseTo(10 * MS, within(2.0));
    }

    @Test
    void aHigherSampleReplacesTheEstimateAtOnce() {
        ewma.observe(MS, t0);
        ewma.observe(20 * MS, t0 + 10 * MS);
        assertThat(ewma.estimateNanos(t0 + 10 * MS)).isCloseTo(20 * MS, within(1.0));
    }

    @Test
    void aLowerSamplePullsTheEstimateDownByTheTimeSinceThePreviousOne() {
        ewma.observe(20 * MS, t0);
        ewma.observe(MS, t0 + TAU);
        double w = Math.exp(-1);
        assertThat(ewma.estimateNanos(t0 + TAU)).isCloseTo(20 * MS * w + MS * (1 - w), within(0.001 * 20 * MS));
        // A lower sample right after a peak barely moves it: forgiving takes time, not samples.
        PeakEwma peak = new PeakEwma();
        peak.observe(20 * MS, t0);
        for (int i = 1; i <= 10; i++) {
            peak.observe(MS, t0 + i * 2 * MS);
        }
        assertThat(peak.estimateNanos(t0 + 20 * MS)).isGreaterThan(19 * MS);
    }

    @Test
    void theEstimateDecaysTowardZeroBetweenSamplesAndIsForgottenAfterTenTau() {
        ewma.observe(20 * MS, t0);
        assertThat(ewma.estimateNanos(t0 + TAU)).isCloseTo(20 * MS * Math.exp(-1), within(0.001 * 20 * MS));
        assertThat(ewma.estimateNanos(t0 + 3 * TAU)).isCloseTo(20 * MS * Math.exp(-3), within(0.001 * 20 * MS));
        long later = t0 + PeakEwma.FORGET_AFTER_TAUS * TAU + MS;
        assertThat(ewma.cost(later, 0, 0)).isEqualTo(PeakEwma.DEFAULT_LATENCY_NANOS);
        assertThat(ewma.estimateNanos(later)).isNaN();
    }

    @Test
    void forgettingDropsTheEvidence() {
        ewma.observe(20 * MS, t0);
        ewma.forget();
        assertThat(ewma.estimateNanos(t0)).isNaN();
        assertThat(ewma.cost(t0, 0, 1)).isEqualTo(PeakEwma.PENALTY);
    }

    @Test
    void aRacingOlderTimeStampCountsAsNoTimeElapsed() {
        ewma.observe(10 * MS, t0 + TAU);
        // Another loop read the clock earlier and records after: no negative elapsed, no forgetting.
        ewma.observe(4 * MS, t0);
        assertThat(ewma.estimateNanos(t0 + TAU)).isCloseTo(10 * MS, within(1.0));
    }

    @Test
    void backendFeedsSuccessesAndDropsTheEstimateOnFailure() {
        AtomicLong clock = new AtomicLong(t0);
        Backend backend = new Backend(Endpoint.of("127.0.0.1", 20_000), clock::get);
        assertThat(backend.connectLatencyNanos()).isNaN();
        backend.onConnectSuccess(3 * MS);
        assertThat(backend.connectLatencyNanos()).isCloseTo(3 * MS, within(1.0));
        clock.addAndGet(TAU);
        assertThat(backend.connectLatencyNanos()).isCloseTo(3 * MS * Math.exp(-1), within(0.001 * 3 * MS));
        backend.onConnectFailure();
        assertThat(backend.connectLatencyNanos()).isNaN();
        assertThat(backend.connectFailures()).isEqualTo(1);
    }
}
