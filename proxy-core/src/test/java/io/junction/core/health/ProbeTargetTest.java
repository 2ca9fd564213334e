package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeTargetTest {
    private static final HealthCheck CHECK = HealthCheck.http("/healthz").withThresholds(2, 3);
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 8080);

    private static ProbeResult pass() {
        return ProbeResult.pass("HTTP 200", Instant.EPOCH, Duration.ZERO);
    }

    private static ProbeResult fail() {
        return ProbeResult.fail("HTTP 500", Instant.EPOCH, Duration.ZERO);
    }

    @Test
    void aHealthyTargetTurnsUnhealthyAtTheThirdFailureInARow() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, true);

        assertThat(target.record(fail())).isFalse();
        assertThat(target.record(fail())).isFalse();
        assertThat(target.healthy()).isTrue();
        assertThat(target.record(fail())).isTrue();
        assertThat(target.healthy()).isFalse();
        assertThat(target.record(fail())).as("already unhealthy: no second transition").isFalse();
    }

    @Test
    void aPassBetweenFailuresStartsTheCountAgain() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, true);

        target.record(fail());
        target.record(fail());
        target.record(pass());
        target.record(fail());
        target.record(fail());

        assertThat(target.healthy()).isTrue();
        assertThat(target.record(fail())).isTrue();
    }

    @Test
    void anUnhealthyTargetNeedsTwoPassesInARowToComeBack() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, true);
        for (int i = 0; i < 3; i++) {
            target.record(fail());
        }

        assertThat(target.record(pass())).isFalse();
        assertThat(target.record(fail())).isFalse();
        assertThat(target.record(pass())).isFalse();
        assertThat(target.record(pass())).isTrue();
        assertThat(target.healthy()).isTrue();
    }

    @Test
    void aTargetStartedUnhealthyIsHealthyAtItsFirstPass() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, false);

        assertThat(target.healthy()).isFalse();
        assertThat(target.record(pass())).isTrue();
        assertThat(target.healthy()).isTrue();
    }

    @Test
    void aTargetStartedUnhealthyWhoseFirstProbeFailsNeedsTheFullHealthyThreshold() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, false);

        assertThat(target.record(fail())).isFalse();
        assertThat(target.record(pass())).isFalse();
        assertThat(target.record(pass())).isTrue();
    }

    @Test
    void countsEveryResultAndKeepsTheLast() {
        ProbeTarget target = new ProbeTarget(CHECK, ADDRESS, true);
        assertThat(target.lastResult()).isNull();

        target.record(pass());
        target.record(pass());
        ProbeResult last = fail();
        target.record(last);

        assertThat(target.passes()).isEqualTo(2);
        assertThat(target.failures()).isEqualTo(1);
        assertThat(target.lastResult()).isSameAs(last);
    }

    @Test
    void namesItselfByCheckTypeAndAddress() {
        assertThat(new ProbeTarget(CHECK, ADDRESS, true)).hasToString("http 127.0.0.1:8080/healthz");
        assertThat(new ProbeTarget(HealthCheck.tcp(), new InetSocketAddress("::1", 53), true))
                .hasToString("tcp [0:0:0:0:0:0:0:1]:53");
    }
}
