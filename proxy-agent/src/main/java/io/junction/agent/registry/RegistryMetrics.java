package io.junction.agent.registry;

import io.junction.agent.registry.api.Refusal;
import io.junction.agent.registry.store.CheckStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The registry's meters ({@code junction_registry_*} in Prometheus): registrations, checks by status, blocking
 * queries held (gauges read at scrape time from the published {@link RegistryView}), and requests refused by reason
 * (counters).
 *
 * <p>Thread-safe.
 */
final class RegistryMetrics {
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);

    RegistryMetrics(MeterRegistry registry, Supplier<RegistryView> view, IntSupplier held) {
        // Strong references: the gauges' state objects are lambdas that nothing else holds, and Micrometer keeps a
        // gauge's state weakly, so the gauges would read NaN after the next collection.
        Gauge.builder("junction.registry.registrations", view, v -> v.get().instances().size())
                .description("Service instances registered in the local registry").strongReference(true)
                .register(registry);
        for (CheckStatus s : CheckStatus.values()) {
            Gauge.builder("junction.registry.checks", view, v -> v.get().checksByState().getOrDefault(s, 0))
                    .tag("status", s.json())
                    .description("Registry checks by status").strongReference(true).register(registry);
        }
        Gauge.builder("junction.registry.blocking.queries", held, IntSupplier::getAsInt)
                .description("Blocking queries (?index=) parked, waiting for a change").strongReference(true)
                .register(registry);
        for (Refusal r : Refusal.values()) {
            refused.put(r, Counter.builder("junction.registry.requests.refused").tag("reason", r.tag())
                    .description("Registry API requests refused, by reason").register(registry));
        }
    }

    void refused(Refusal reason) {
        refused.get(reason).increment();
    }

    long refusedCount(Refusal reason) {
        return (long) refused.get(reason).count();
    }
}
