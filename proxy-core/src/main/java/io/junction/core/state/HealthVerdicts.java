package io.junction.core.state;

import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;

/**
 * The health side of an endpoint's eligibility: the control thread asks it for every endpoint of a service it
 * rebuilds, and combines the answer with discovery's conditions. When a verdict changes, its owner calls
 * {@link ProxyController#healthChanged} for the services concerned, and only those are rebuilt at the next sync.
 *
 * <p>Implementations are thread-safe and answer without blocking (from state they keep up to date themselves).
 */
@FunctionalInterface
public interface HealthVerdicts {

    /** Every endpoint healthy: no health checking. */
    HealthVerdicts NONE = (service, endpoint) -> null;

    /** Null when the endpoint of {@code service} may take connections as far as health goes; else why not. */
    String unhealthyReason(ServiceKey service, Endpoint endpoint);
}
