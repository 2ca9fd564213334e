package io.junction.agent.discovery.eureka;

import io.junction.agent.discovery.SourceMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/**
 * The source's meters, tagged {@code source=eureka}: {@code junction.discovery.last.sync} (epoch seconds of the last
 * successful fetch, 0 before the first), {@code junction.discovery.instances} (instances in the local copy of the
 * registry, all applications), {@code junction.discovery.errors} (failed fetches) and
 * {@code junction.discovery.fetches} by {@code kind} (full, delta). Written on the fetch thread, read at scrape time.
 */
public final class EurekaMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final SourceMeters source;
    private final Counter fullFetches;
    private final Counter deltaFetches;

    public EurekaMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.source = new SourceMeters(registry, clock, EurekaSource.NAME);
        fullFetches = fetches("full");
        deltaFetches = fetches("delta");
    }

    private Counter fetches(String kind) {
        return Counter.builder("junction.discovery.fetches").tags("source", EurekaSource.NAME, "kind", kind)
                .description("Successful reads of the source's registry, by kind").register(registry);
    }

    void fetched(String kind) {
        ("full".equals(kind) ? fullFetches : deltaFetches).increment();
    }

    void synced(int instanceCount) {
        source.instances(instanceCount);
        source.synced();
    }

    void failed() {
        source.failed();
    }

    @Override
    public void close() {
        source.close();
        registry.remove(fullFetches);
        registry.remove(deltaFetches);
    }
}
