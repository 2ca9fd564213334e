package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Slow start: a backend that just became eligible takes a share of new connections that ramps linearly from a tenth
 * of its fair share to all of it over the window, under every policy that spreads load; affinity policies keep a
 * client on a ramping backend. Time is a manual clock.
 */
class SlowStartTest {
    private static final long WINDOW = Duration.ofSeconds(30).toNanos();
    private static final int N = 4;
    private static final int PICKS = 20_000;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    /** Share of {@code backend} among {@link #PICKS} new connections. */
    private static double share(Picker picker, Backend backend) {
        int hits = 0;
        for (int i = 0; i < PICKS; i++) {
            if (picker.pick(context(i)) == backend) {
                hits++;
            }
        }
        return (double) hits / PICKS;
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"ROUND_ROBIN", "RANDOM", "LEAST_CONNECTIONS", "WEIGHTED", "PEAK_EWMA"})
    void shareOfANewBackendRisesLinearlyOverTheWindow(LbPolicy policy) {
        List<Backend> list = backends(N, clock::get);
        Backend fresh = list.get(N - 1);
        fresh.beginSlowStart(WINDOW);
        Picker picker = picker(policy, list);
        double previous = 0;
        for (int point = 0; point < 5; point++) {
            double progress = point / 5.0;
            double expected = (Backend.SLOW_START_MIN_SHARE + (1 - Backend.SLOW_START_MIN_SHARE) * progress) / N;
            double share = share(picker, fresh);
            assertThat(share).as("policy=%s at %.0f%% of the window", policy, progress * 100)
                    .isCloseTo(expected, within(0.02))
                    .isGreaterThan(previous);
            previous = share;
            clock.addAndGet(WINDOW / 5);
        }
        // The window has passed: the full share, and the ramp is forgotten by the first pick that reads it.
        assertThat(share(picker, fresh)).isCloseTo(1.0 / N, within(0.02));
        assertThat(fresh.slowStartPending()).isFalse();
        assertThat(fresh.slowStartShare()).isEqualTo(1.0);
    }

    @Test
    void leastConnectionsStillPrefersTheIdleRampingBackendOverBusyOnes() {
        List<Backend> list = backends(2, clock::get);
        list.get(0).activeConnections(10);
        Backend fresh = list.get(1);
        fresh.beginSlowStart(WINDOW);
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        double early = share(picker, fresh);
        clock.addAndGet(WINDOW / 2);
        double middle = share(picker, fresh);
        assertThat(early).isCloseTo(0.1, within(0.02));
        assertThat(middle).isCloseTo(0.55, within(0.02));
    }

    @Test
    void everyBackendRampingStillServesEveryConnection() {
        List<Backend> list = backends(3, clock::get);
        list.forEach(b -> b.beginSlowStart(WINDOW));
        for (LbPolicy policy : LbPolicy.values()) {
            Picker picker = picker(policy, list);
            for (int i = 0; i < 1_000; i++) {
                assertThat(picker.pick(context(i))).as("policy=%s", policy).isNotNull();
            }
        }
    }

    @Test
    void aLoneRampingBackendTakesEveryConnection() {
        List<Backend> list = backends(1, clock::get);
        list.get(0).beginSlowStart(WINDOW);
        for (LbPolicy policy : LbPolicy.values()) {
            assertThat(share(picker(policy, list), list.get(0))).as("policy=%s", policy).isEqualTo(1.0);
        }
    }

    /** Affinity matters more than a smooth ramp: clients of a ramping backend are not moved off it. */
    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"MAGLEV", "CLIENT_IP"})
    void affinityKeepsClientsOnARampingBackend(LbPolicy policy) {
        List<Backend> list = backends(N, clock::get);
        Picker picker = picker(policy, list);
        Backend[] before = new Backend[500];
        for (int c = 0; c < before.length; c++) {
            before[c] = picker.pick(context(c));
        }
        list.forEach(b -> b.beginSlowStart(WINDOW));
        for (int c = 0; c < before.length; c++) {
            assertThat(picker.pick(context(c))).as("policy=%s client %d", policy, c).isSameAs(before[c]);
        }
    }

    @Test
    void aZeroWindowEndsTheRamp() {
        Backend b = backends(1, clock::get).get(0);
        b.beginSlowStart(WINDOW);
        assertThat(b.slowStartShare()).isEqualTo(Backend.SLOW_START_MIN_SHARE);
        clock.addAndGet(WINDOW / 2);
        assertThat(b.slowStartShare()).isCloseTo(0.55, within(1e-9));
        b.beginSlowStart(0);
        assertThat(b.slowStartPending()).isFalse();
        assertThat(b.slowStartShare()).isEqualTo(1.0);
        assertThat(b.passesSlowStart()).isTrue();
    }
}
