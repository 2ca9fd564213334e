package io.junction.core.state;

import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EligibilityPanicTest {
    private static final ServiceKey KEY = new ServiceKey("default", "web", "", Protocol.TCP);
    private static final List<Endpoint> FOUR = List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80),
            Endpoint.of("10.0.0.3", 80), Endpoint.of("10.0.0.4", 80));

    private static HealthVerdicts unhealthy(String... ips) {
        Set<String> down = Set.of(ips);
        return (service, e) -> down.contains(e.address().getAddress().getHostAddress()) ? "failed health check" : null;
    }

    private static long eligible(Eligibility.Verdicts v) {
        return v.statuses().stream().filter(EndpointStatus::eligible).count();
    }

    @Test
    void halfHealthyIsNotPanicAtTheDefaultThreshold() {
        Eligibility.Verdicts v = Eligibility.evaluate(KEY, FOUR, unhealthy("10.0.0.1", "10.0.0.2"), 50);
        assertThat(v.panic()).isFalse();
        assertThat(eligible(v)).isEqualTo(2);
    }

    @Test
    void belowTheThresholdEveryReadyEndpointIsEligible() {
        Eligibility.Verdicts v = Eligibility.evaluate(KEY, FOUR, unhealthy("10.0.0.1", "10.0.0.2", "10.0.0.3"), 50);
        assertThat(v.panic()).isTrue();
        assertThat(v.healthy()).isEqualTo(1);
        assertThat(v.ready()).isEqualTo(4);
        assertThat(eligible(v)).isEqualTo(4);
        assertThat(v.statuses().get(0).why()).startsWith("eligible (panic: 1 of 4 ready endpoints healthy, below 50%")
                .contains("failed health check");
        assertThat(v.statuses().get(3).why()).isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void panicDisengagesWhenEnoughRecover() {
        assertThat(Eligibility.evaluate(KEY, FOUR, unhealthy("10.0.0.1", "10.0.0.2", "10.0.0.3"), 50).panic())
                .isTrue();
        assertThat(Eligibility.evaluate(KEY, FOUR, unhealthy("10.0.0.1", "10.0.0.2"), 50).panic()).isFalse();
    }

    @Test
    void aZeroThresholdNeverPanics() {
        Eligibility.Verdicts v = Eligibility.evaluate(KEY, FOUR, unhealthy("10.0.0.1", "10.0.0.2", "10.0.0.3",
                "10.0.0.4"), 0);
        assertThat(v.panic()).isFalse();
        assertThat(eligible(v)).isZero();
    }

    @Test
    void notReadyEndpointsStayOutEvenInPanic() {
        List<Endpoint> eps = List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80),
                Endpoint.of("10.0.0.3", 80).withConditions(false, false, false));
        Eligibility.Verdicts v = Eligibility.evaluate(KEY, eps, unhealthy("10.0.0.1", "10.0.0.2"), 50);
        assertThat(v.panic()).isTrue();
        assertThat(v.statuses()).extracting(EndpointStatus::eligible).containsExactly(true, true, false);
    }
}
