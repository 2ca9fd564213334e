package io.junction.core.state;

import io.junction.core.model.ServiceKey;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

import java.util.Objects;

/**
 * The whole proxy at one version: every service's current snapshot. Published by the control thread after each sync
 * for the admin API and tests (the data path reads per-service {@link ServiceHandle}s instead). The map is a
 * persistent hash trie, so publishing a change to one service among 100,000 costs O(log n), not a copy of the map.
 * Immutable.
 *
 * @param version  increases by one with every sync that changed something
 * @param services the services (no particular order)
 */
public record ProxySnapshot(long version, PMap<ServiceKey, ServiceSnapshot> services) {
    public static final ProxySnapshot EMPTY = new ProxySnapshot(0, HashTreePMap.empty());

    public ProxySnapshot {
        Objects.requireNonNull(services, "services");
    }
}
