package io.junction.agent.discovery.eureka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source's meters, tagged {@code source=eureka}: {@code junction.discovery.last.sync} (epoch seconds of the last
 * successful fetch, 0 before the first), {@code junction.discovery.instances} (instances in the local copy of the
 * registry, all applications), {@code junction.discovery.errors} (failed fetches) and
 * {@code junction.discovery.fetches} by {@code kind} (full, delta). Written on the fetch thread, read at scrape time.
 */
public final class EurekaMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicLong lastSyncMillis = new AtomicLong();
    private final AtomicInteger instances = new AtomicInteger();
    private final Counter errors;
    private final Counter fullFetches;
    private final Counter deltaFetches;
    private final List<Meter> meters = new ArrayList<>();

    public EurekaMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        meters.add(Gauge.builder("junction.discovery.last.sync", lastSyncMillis, v -> v.get() / 1000.0)
                .tag("source", EurekaSource.NAME).baseUnit("seconds")
                .description("When the source last read its registry successfully (Unix time); 0 before the first")
                .register(registry));
        meters.add(Gauge.builder("junction.discovery.instances", instances, AtomicInteger::get)
                .tag("source", EurekaSource.NAME)
                .description("Instances in the source's copy of its registry").register(registry));
        errors = Counter.builder("junction.discovery.errors").tag("source", EurekaSource.NAME)
                .description("Failed reads of the source's registry").register(registry);
        fullFetches = fetches("full");
        deltaFetches = fetches("delta");
        meters.add(errors);
        meters.add(fullFetches);
        meters.add(deltaFetches);
    }

    private Counter fetches(String kind) {
        return Counter.builder("junction.discovery.fetches").tags("source", EurekaSource.NAME, "kind", kind)
                .description("Successful reads of the source's registry, by kind").register(registry);
    }

    void fetched(String kind) {
        ("full".equals(kind) ? fullFetches : deltaFetches).increment();
    }

    void synced(int instanceCount) {
        instances.set(instanceCount);
        lastSyncMillis.set(clock.millis());
    }

    void failed() {
        errors.increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
