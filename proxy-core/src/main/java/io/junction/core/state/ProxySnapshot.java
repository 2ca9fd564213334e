package io.junction.core.state;

import io.junction.core.model.ServiceKey;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

import java.util.Objects;

/**
 * The whole proxy at one version, published by the control thread after each sync for the admin API and tests (the
 * data path reads per-service {@link ServiceHandle}s instead). The maps are persistent hash tries, so publishing a
 * change to one service among 100,000 costs O(log n), not a copy. Readers take it with one volatile read and never
 * wait for the control thread. Immutable.
 *
 * @param version  increases by one with every sync that changed something
 * @param services every served service's snapshot as of this version (no particular order)
 * @param handles  the same services' handles, for their live counters
 * @param unserved services some source knows but this node does not serve, with the reason
 */
public record ProxySnapshot(long version, PMap<ServiceKey, ServiceSnapshot> services,
                            PMap<ServiceKey, ServiceHandle> handles, PMap<ServiceKey, String> unserved) {
    public static final ProxySnapshot EMPTY =
            new ProxySnapshot(0, HashTreePMap.empty(), HashTreePMap.empty(), HashTreePMap.empty());

    public ProxySnapshot {
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(handles, "handles");
        Objects.requireNonNull(unserved, "unserved");
    }
}
