package io.junction.agent.discovery.zookeeper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source's meters: whether ZooKeeper is connected, how often the connection was lost, how many instances are
 * read and how many were skipped as malformed. Written by the source's thread, read by {@code /metrics}; thread-safe.
 */
final class ZooKeeperMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger instances = new AtomicInteger();
    private final Counter losses;
    private final Counter skipped;
    private final List<Meter> meters;

    ZooKeeperMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge connectedGauge = Gauge.builder("junction.zookeeper.connected", connected, AtomicInteger::get)
                .description("1 while the ZooKeeper session is connected, else 0 (the last known state serving)")
                .register(registry);
        Gauge instancesGauge = Gauge.builder("junction.discovery.instances", instances, AtomicInteger::get)
                .tag("source", ZooKeeperSource.NAME)
                .description("Instances in the source's copy of its registry")
                .register(registry);
        losses = Counter.builder("junction.zookeeper.connection.losses")
                .description("Times the ZooKeeper connection was suspended or lost after being up")
                .register(registry);
        skipped = Counter.builder("junction.zookeeper.instances.skipped")
                .description("Instance znodes skipped as malformed, each time one was written")
                .register(registry);
        meters = List.of(connectedGauge, instancesGauge, losses, skipped);
    }

    void connected(boolean value) {
        connected.set(value ? 1 : 0);
    }

    void lost() {
        losses.increment();
    }

    void skipped() {
        skipped.increment();
    }

    void instances(int value) {
        instances.set(value);
    }

    /** Removes the meters: a closed source reports nothing. */
    void close() {
        meters.forEach(registry::remove);
    }
}
