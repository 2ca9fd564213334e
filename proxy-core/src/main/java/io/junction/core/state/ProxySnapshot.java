package io.junction.core.state;

import io.junction.core.model.ServiceKey;

import java.util.Map;

/**
 * The whole proxy at one version: every service's current snapshot. Published by the control thread after each sync
 * for the admin API and tests (the data path reads per-service {@link ServiceHandle}s instead). Immutable.
 *
 * @param version  increases by one with every sync that changed something
 * @param services the services, in a stable order
 */
public record ProxySnapshot(long version, Map<ServiceKey, ServiceSnapshot> services) {
    public static final ProxySnapshot EMPTY = new ProxySnapshot(0, Map.of());

    public ProxySnapshot {
        services = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(services));
    }
}
