package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.ServiceKey;

import java.util.Objects;

/**
 * The data path's view of one service: a volatile reference to its current {@link ServiceSnapshot}, swapped whole by
 * the control thread, plus the service's metrics. A listener holds its service's handle, so serving a connection costs
 * exactly one volatile read and no map lookup.
 *
 * <p>Thread-safe: one writer (the control thread), any number of readers.
 */
public final class ServiceHandle {
    private final ServiceKey key;
    private final ServiceMetrics metrics;
    private final RetryGate retries = new RetryGate();
    private volatile ServiceSnapshot current;

    public ServiceHandle(ServiceSnapshot initial, ServiceMetrics metrics) {
        this.current = Objects.requireNonNull(initial, "initial");
        this.key = initial.spec().key();
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    public ServiceHandle(ServiceSnapshot initial) {
        this(initial, new ServiceMetrics(initial.spec().key()));
    }

    public ServiceKey key() {
        return key;
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    /** The service's retry budget at work; it outlives snapshots. */
    public RetryGate retries() {
        return retries;
    }

    /** The current snapshot: one volatile read. */
    public ServiceSnapshot current() {
        return current;
    }

    /** Shorthand for {@code current().picker().pick(context)}. */
    public Backend pick(PickContext context) {
        return current.picker().pick(context);
    }

    /** Control thread only. */
    public void publish(ServiceSnapshot next) {
        if (!next.spec().key().equals(key)) {
            throw new IllegalArgumentException("snapshot: " + next.spec().key() + " (expected: " + key + ")");
        }
        this.current = next;
    }
}
