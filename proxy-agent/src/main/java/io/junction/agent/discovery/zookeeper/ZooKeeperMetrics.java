package io.junction.agent.discovery.zookeeper;

import io.junction.agent.discovery.SourceMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source's meters: whether ZooKeeper is connected, how often the connection was lost, how many instances were
 * skipped as malformed, and the meters every source shares ({@link SourceMeters}, {@code source=zookeeper}): the
 * instances read, the errors (connection losses, ZooKeeper unreachable at start, cache errors other than connection
 * trouble) and the last sync, which reads "now" while the session is connected and the caches have loaded, since a
 * watch that is up keeps the view current, and the moment the connection went while it is down. Written by the
 * source's thread (cache errors by Curator's), read by {@code /metrics}; thread-safe.
 */
final class ZooKeeperMetrics {
    private final MeterRegistry registry;
    private final SourceMeters shared;
    private final AtomicInteger connected = new AtomicInteger();
    private final Counter losses;
    private final Counter skipped;
    private final List<Meter> meters;
    /** Source thread. */
    private boolean loaded;

    ZooKeeperMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.shared = new SourceMeters(registry, clock, ZooKeeperSource.NAME);
        Gauge connectedGauge = Gauge.builder("junction.zookeeper.connected", connected, AtomicInteger::get)
                .description("1 while the ZooKeeper session is connected, else 0 (the last known state serving)")
                .register(registry);
        losses = Counter.builder("junction.zookeeper.connection.losses")
                .description("Times the ZooKeeper connection was suspended or lost after being up")
                .register(registry);
        skipped = Counter.builder("junction.zookeeper.instances.skipped")
                .description("Instance znodes skipped as malformed, each time one was written")
                .register(registry);
        meters = List.of(connectedGauge, losses, skipped);
    }

    void connected(boolean value) {
        connected.set(value ? 1 : 0);
        shared.live(value && loaded);
    }

    /** Every cache has loaded: the view is current from now on while connected. */
    void loaded() {
        loaded = true;
        shared.synced();
        shared.live(connected.get() == 1);
    }

    /** A delivery of changes read over a live watch. */
    void delivered() {
        shared.synced();
    }

    void lost() {
        losses.increment();
        shared.failed();
    }

    /** ZooKeeper unreachable at start, or a cache operation failed for another reason than the connection. */
    void failed() {
        shared.failed();
    }

    void skipped() {
        skipped.increment();
    }

    void instances(int value) {
        shared.instances(value);
    }

    /** Removes the meters: a closed source reports nothing. */
    void close() {
        meters.forEach(registry::remove);
        shared.close();
    }
}
