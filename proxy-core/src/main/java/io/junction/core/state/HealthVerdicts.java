package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;

import java.util.Collection;

/**
 * The health side of an endpoint's eligibility: the control thread tells it which backends each service has and how
 * it is checked, asks it for the verdict of every endpoint of a service it rebuilds, and combines the answer with
 * discovery's conditions. When a verdict changes, its owner calls {@link ProxyController#healthChanged} for the
 * services concerned, and only those are rebuilt at the next sync.
 *
 * <p>Implementations are thread-safe and answer without blocking (from state they keep up to date themselves).
 */
@FunctionalInterface
public interface HealthVerdicts {

    /** Every endpoint healthy: no health checking. */
    HealthVerdicts NONE = (service, endpoint) -> null;

    /** Null when the endpoint of {@code service} may take connections as far as health goes; else why not. */
    String unhealthyReason(ServiceKey service, Endpoint endpoint);

    /**
     * Control thread, before a service's verdicts are asked: the service is served with {@code spec} by these
     * backends (one per endpoint discovery knows, eligible or not). Starts, changes or stops its checks and attaches
     * outcome recorders to the backends.
     */
    default void track(ServiceSpec spec, Collection<Backend> backends) {
    }

    /** Control thread: the service is no longer served; its checks stop. */
    default void forget(ServiceKey service) {
    }
}
