package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The health metrics: probe results node-wide, and for each served service its ejections and its endpoints by breaker
 * state and by failing check. The gauges count the endpoints the board holds at scrape time.
 */
final class HealthMeters {
    /** One service's meters: the ejection counter it increments, and all of them, to remove when it goes. */
    record ServiceMeters(Counter ejections, List<Meter> all) {
    }

    private final MeterRegistry registry;
    /** The endpoints the board holds for a service now (empty once it is gone). */
    private final Function<ServiceKey, Collection<EndpointHealth>> endpoints;
    private final Counter probePasses;
    private final Counter probeFailures;

    HealthMeters(MeterRegistry registry, Function<ServiceKey, Collection<EndpointHealth>> endpoints) {
        this.registry = registry;
        this.endpoints = endpoints;
        this.probePasses = Counter.builder("junction.health.probes").tag("result", "pass")
                .description("Active health-check probes, by result").register(registry);
        this.probeFailures = Counter.builder("junction.health.probes").tag("result", "fail")
                .description("Active health-check probes, by result").register(registry);
    }

    void probed(ProbeResult result) {
        (result.passed() ? probePasses : probeFailures).increment();
    }

    ServiceMeters bind(ServiceKey key) {
        Tags service = Tags.of("service", key.toString());
        Counter ejections = Counter.builder("junction.endpoint.ejections").tags(service)
                .description("Endpoints taken out of picking by a failed health check or outlier detection")
                .register(registry);
        List<Meter> all = new ArrayList<>();
        all.add(ejections);
        for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN)) {
            // The gauge holds its object weakly: this, which the board keeps, not a lambda nothing else holds.
            all.add(Gauge.builder("junction.endpoint.breakers", this, m -> m.count(key, e -> e.breakerIn(state)))
                    .tags(service).tag("state", OutlierDetector.stateName(state))
                    .description("Endpoints of the service by outlier-detection breaker state")
                    .register(registry));
        }
        all.add(Gauge.builder("junction.endpoints.failing.check", this,
                        m -> m.count(key, EndpointHealth::failingCheck))
                .tags(service)
                .description("Endpoints of the service whose active health check fails")
                .register(registry));
        return new ServiceMeters(ejections, List.copyOf(all));
    }

    void remove(ServiceMeters meters) {
        meters.all().forEach(registry::remove);
    }

    private double count(ServiceKey key, Predicate<EndpointHealth> which) {
        int n = 0;
        for (EndpointHealth e : endpoints.apply(key)) {
            if (which.test(e)) {
                n++;
            }
        }
        return n;
    }
}
