package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** When probes run: {@code random} stands for the draw in [0, 1). */
class ProbeScheduleTest {
    private static final HealthCheck EVERY_SECOND = HealthCheck.tcp().withInterval(Duration.ofSeconds(1));
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void theFirstProbeFallsAnywhereWithinTheFirstInterval() {
        assertThat(ProbeSchedule.firstDelayNanos(EVERY_SECOND, 0.0)).isZero();
        assertThat(ProbeSchedule.firstDelayNanos(EVERY_SECOND, 0.5)).isEqualTo(SECOND / 2);
        assertThat(ProbeSchedule.firstDelayNanos(EVERY_SECOND, 0.999)).isLessThan(SECOND);
    }

    @Test
    void laterProbesAreTheIntervalStretchedOrShrunkByUpToTheJitter() {
        HealthCheck jittered = EVERY_SECOND.withJitterPercent(20);

        assertThat(ProbeSchedule.nextDelayNanos(jittered, 0.0)).isEqualTo(SECOND * 8 / 10);
        assertThat(ProbeSchedule.nextDelayNanos(jittered, 0.5)).isEqualTo(SECOND);
        assertThat(ProbeSchedule.nextDelayNanos(jittered, 0.999)).isBetween(SECOND * 119 / 100, SECOND * 12 / 10);
    }

    @Test
    void withoutJitterLaterProbesKeepTheInterval() {
        HealthCheck steady = EVERY_SECOND.withJitterPercent(0);

        assertThat(ProbeSchedule.nextDelayNanos(steady, 0.0)).isEqualTo(SECOND);
        assertThat(ProbeSchedule.nextDelayNanos(steady, 0.999)).isEqualTo(SECOND);
    }
}
