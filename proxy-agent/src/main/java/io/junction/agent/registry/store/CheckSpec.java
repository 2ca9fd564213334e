package io.junction.agent.registry.store;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A check's definition as registered with its service. Immutable.
 *
 * @param id               the check id ({@code service:<id>} by default)
 * @param name             the check name
 * @param serviceId        the service the check belongs to
 * @param type             ttl, tcp or http
 * @param ttl              for ttl checks: how long a status holds before it expires to critical; else null
 * @param interval         for tcp and http checks: time between probes; else null
 * @param timeout          for tcp and http checks: a probe without an answer for this long fails; else null
 * @param target           for tcp and http checks: the probed address; else null
 * @param http             for http checks: the URL as registered; else null
 * @param httpPath         for http checks: the request path with its query; else null
 * @param deregisterAfter  a service whose check stays critical this long is deregistered; null for never
 * @param notes            free text from the registration
 * @param initialStatus    the status the check starts with
 * @param initialOutput    the output it starts with
 */
public record CheckSpec(String id, String name, String serviceId, CheckType type, Duration ttl, Duration interval,
                        Duration timeout, InetSocketAddress target, String http, String httpPath,
                        Duration deregisterAfter, String notes, CheckStatus initialStatus, String initialOutput) {
    public CheckSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(initialStatus, "initialStatus");
        notes = notes == null ? "" : notes;
        initialOutput = initialOutput == null ? "" : initialOutput;
    }

    /** True when {@code other} defines the same check apart from its initial status and output. */
    public boolean sameDefinition(CheckSpec other) {
        return id.equals(other.id) && name.equals(other.name) && serviceId.equals(other.serviceId)
                && type == other.type && Objects.equals(ttl, other.ttl) && Objects.equals(interval, other.interval)
                && Objects.equals(timeout, other.timeout) && Objects.equals(target, other.target)
                && Objects.equals(http, other.http) && Objects.equals(deregisterAfter, other.deregisterAfter)
                && notes.equals(other.notes);
    }
}
