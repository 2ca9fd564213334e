package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Slow start begins when an endpoint becomes eligible in a service that is already serving, and only then. */
class ServiceRuntimeSlowStartTest {
    private static final ServiceKey KEY = new ServiceKey("default", "web", "", Protocol.TCP);
    private static final Endpoint A = Endpoint.of("10.0.0.1", 80);
    private static final Endpoint B = Endpoint.of("10.0.0.2", 80);
    private static final Endpoint C = Endpoint.of("10.0.0.3", 80);

    private final Set<Endpoint> sick = ConcurrentHashMap.newKeySet();
    private final HealthVerdicts health = (service, e) -> sick.contains(e) ? "failed health check" : null;

    private static ServiceSpec spec(Duration slowStart) {
        return ServiceSpec.of(KEY, new InetSocketAddress("127.0.0.1", 8080), LbPolicy.ROUND_ROBIN)
                .withHealth(HealthSettings.DEFAULTS.withSlowStart(slowStart).withPanicThreshold(0));
    }

    private static Backend backend(ServiceRuntime runtime, Endpoint e) {
        return runtime.current().eligible().stream().filter(b -> b.address().equals(e.address())).findFirst()
                .orElseThrow();
    }

    @Test
    void endpointsOfTheFirstBuildTakeTheirFullShareAtOnce() {
        ServiceRuntime runtime = ServiceRuntime.create(spec(Duration.ofSeconds(30)), List.of(A, B), health, 1);
        assertThat(backend(runtime, A).slowStartShare()).isEqualTo(1.0);
        assertThat(backend(runtime, B).slowStartShare()).isEqualTo(1.0);
    }

    @Test
    void anEndpointThatRecoversOrJoinsRampsUpAndTheOthersDoNot() {
        ServiceSpec spec = spec(Duration.ofSeconds(30));
        ServiceRuntime runtime = ServiceRuntime.create(spec, List.of(A, B), health, 1);
        sick.add(B);
        runtime.apply(spec, List.of(A, B), health, 2);
        assertThat(runtime.current().eligible()).hasSize(1);
        sick.remove(B);
        runtime.apply(spec, List.of(A, B, C), health, 3);

        assertThat(backend(runtime, B).slowStartShare()).as("recovered").isLessThan(0.5);
        assertThat(backend(runtime, C).slowStartShare()).as("joined").isLessThan(0.5);
        assertThat(backend(runtime, A).slowStartShare()).as("kept serving").isEqualTo(1.0);
    }

    @Test
    void withoutSlowStartARecoveredEndpointTakesItsFullShare() {
        ServiceSpec spec = spec(Duration.ZERO);
        ServiceRuntime runtime = ServiceRuntime.create(spec, List.of(A, B), health, 1);
        sick.add(B);
        runtime.apply(spec, List.of(A, B), health, 2);
        sick.remove(B);
        runtime.apply(spec, List.of(A, B), health, 3);
        assertThat(backend(runtime, B).slowStartShare()).isEqualTo(1.0);
    }
}
