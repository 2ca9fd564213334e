package io.junction.core.state;

import io.junction.core.model.Protocol;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Two discovery sources define the same service port with no protocol in common (a file says {@code dns} is UDP, a
 * registry's instances of {@code dns} say TCP). Both are kept, each under its own key, so neither is dropped
 * silently; this reports the disagreement. Immutable.
 *
 * @param service            {@code namespace/name[:port]}
 * @param protocolsBySource  each defining source's protocols for it, by source name (sorted)
 */
public record ProtocolConflict(String service, Map<String, Set<Protocol>> protocolsBySource) {
    public ProtocolConflict {
        protocolsBySource = Map.copyOf(protocolsBySource);
    }

    /** The sources, sorted, for logs and the admin API. */
    public Map<String, Set<Protocol>> sorted() {
        return new TreeMap<>(protocolsBySource);
    }

    @Override
    public String toString() {
        return service + ' ' + sorted();
    }
}
