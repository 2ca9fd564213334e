package io.junction.agent.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The three meters every discovery source exports under the same names, descriptions and tags (told apart by
 * {@code source}), so that one query covers all of them: {@code junction.discovery.last.sync} (Unix seconds of the
 * last time the source's view was known current, 0 before the first), {@code junction.discovery.errors} (failed
 * reads or connection losses) and {@code junction.discovery.instances} (instances in the source's copy of its
 * registry). What "current" and "error" mean for a source is for the source to say in its docs.
 *
 * <p>A polling source marks each successful read with {@link #synced()}. A watching source is current for as long as
 * its watch is up, not only when something changes: {@link #live(boolean)} makes the gauge read "now" while it is up
 * and freezes it at the moment it went down, so a quiet but healthy watch does not look stale.
 *
 * <p>Thread-safe: written by the source's thread, read at scrape time.
 */
public final class SourceMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicLong lastSyncMillis = new AtomicLong();
    private final AtomicInteger instances = new AtomicInteger();
    private volatile boolean live;
    private final Counter errors;
    private final List<Meter> meters;

    public SourceMeters(MeterRegistry registry, Clock clock, String source) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(source, "source");
        Gauge lastSync = Gauge.builder("junction.discovery.last.sync", this, SourceMeters::lastSyncSeconds)
                .tag("source", source).baseUnit("seconds")
                .description("When the source last read its registry successfully (Unix time); 0 before the first")
                .register(registry);
        Gauge instanceGauge = Gauge.builder("junction.discovery.instances", instances, AtomicInteger::get)
                .tag("source", source)
                .description("Instances in the source's copy of its registry").register(registry);
        errors = Counter.builder("junction.discovery.errors").tag("source", source)
                .description("Failed reads of the source's registry").register(registry);
        meters = List.of(lastSync, instanceGauge, errors);
    }

    private double lastSyncSeconds() {
        return (live ? clock.millis() : lastSyncMillis.get()) / 1000.0;
    }

    /** The source's view is current as of now. */
    public void synced() {
        lastSyncMillis.set(clock.millis());
    }

    /** The source's watch is up (its view stays current) or has just gone down (its view was current until now). */
    public void live(boolean up) {
        if (live && !up) {
            lastSyncMillis.set(clock.millis());
        }
        live = up;
    }

    public void instances(int count) {
        instances.set(count);
    }

    public void failed() {
        errors.increment();
    }

    /** Removes the meters: a closed source reports nothing. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
