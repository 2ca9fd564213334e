package io.junction.bench.load;

import io.junction.bench.backend.StreamDirection;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixed-rate schedule that tcp-rr and tcp-crr share. */
class LoadSpecTest {
    private static LoadSpec spec(int connections, long rate) {
        return new LoadSpec(Mode.TCP_RR, connections, 64, StreamDirection.BOTH, rate, Duration.ZERO,
                Duration.ofSeconds(1), 1_000, Duration.ofMillis(200));
    }

    @Test
    void eachConnectionTakesAnEqualShareOfTheRate() {
        // 4 connections at 1,000/s in total: each starts a request every 4 ms.
        assertThat(spec(4, 1_000).intervalNanos()).isEqualTo(4_000_000L);
    }

    @Test
    void firstStartsAreStaggeredEvenlyOverOneInterval() {
        LoadSpec s = spec(4, 1_000);
        assertThat(s.firstStartNanos(100, 0)).isEqualTo(100);
        assertThat(s.firstStartNanos(100, 1)).isEqualTo(1_000_100);
        assertThat(s.firstStartNanos(100, 3)).isEqualTo(3_000_100);
    }

    @Test
    void closedLoopHasNoSchedule() {
        LoadSpec s = spec(4, 0);
        assertThat(s.intervalNanos()).isZero();
        assertThat(s.firstStartNanos(100, 3)).isZero();
    }

    @Test
    void aRateAboveOnePerNanosecondPerConnectionStillAdvances() {
        assertThat(spec(1, 5_000_000_000L).intervalNanos()).isEqualTo(1);
    }
}
