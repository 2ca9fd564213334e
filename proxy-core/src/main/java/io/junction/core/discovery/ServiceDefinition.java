package io.junction.core.discovery;

import io.junction.core.model.Endpoint;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.ServiceKey;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What one discovery source knows about one service port: its virtual addresses, hints about how it wants to be
 * balanced, and its endpoints. It says nothing about where this node listens for it: that is the node's decision
 * (its config, or the virtual address in node mode). A source that only contributes endpoints to a service defined
 * elsewhere (a registry instance of a service the config names) leaves the other fields empty. Immutable.
 *
 * @param key              the service port
 * @param virtualAddresses the service's virtual {@code ip:port}s (a Kubernetes ClusterIP per IP family); empty for
 *                         sources that have none
 * @param hints            what the source says about balancing (for example client-ip affinity from a Kubernetes
 *                         {@code sessionAffinity}); never a listen address; {@link ServicePolicy#EMPTY} for none
 * @param endpoints        the endpoints, in the source's order
 */
public record ServiceDefinition(ServiceKey key, List<InetSocketAddress> virtualAddresses, ServicePolicy hints,
                                List<Endpoint> endpoints) {
    public ServiceDefinition {
        Objects.requireNonNull(key, "key");
        virtualAddresses = List.copyOf(virtualAddresses);
        Objects.requireNonNull(hints, "hints");
        if (hints.listen() != null) {
            throw new IllegalArgumentException("hints.listen: " + hints.listen()
                    + " (expected: null; where to listen is the node's decision)");
        }
        endpoints = List.copyOf(endpoints);
    }

    /** A definition with endpoints only: no virtual address, no hints. */
    public static ServiceDefinition of(ServiceKey key, List<Endpoint> endpoints) {
        return new ServiceDefinition(key, List.of(), ServicePolicy.EMPTY, endpoints);
    }

    public ServiceDefinition withEndpoints(List<Endpoint> value) {
        return new ServiceDefinition(key, virtualAddresses, hints, value);
    }
}
