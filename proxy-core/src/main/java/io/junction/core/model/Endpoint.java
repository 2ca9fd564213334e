package io.junction.core.model;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One backend address of a service with its conditions, as an EndpointSlice reports them: {@code ready},
 * {@code serving} and {@code terminating} are kept apart (a terminating endpoint can still be serving). The socket
 * address is resolved once, when the endpoint is built on the control thread, never on the data path. Immutable.
 *
 * @param address     resolved backend address
 * @param weight      relative weight for the weighted policy, 1..1000 (default 1)
 * @param zone        topology zone, empty when unknown
 * @param node        node name, empty when unknown
 * @param ready       the endpoint takes new connections
 * @param serving     the endpoint answers even though it may be terminating
 * @param terminating the endpoint is shutting down
 */
public record Endpoint(InetSocketAddress address, int weight, String zone, String node,
                       boolean ready, boolean serving, boolean terminating) {
    public static final int MAX_WEIGHT = 1000;

    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address: " + address + " (expected: a resolved address)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1.." + MAX_WEIGHT + ")");
        }
        zone = zone == null ? "" : zone;
        node = node == null ? "" : node;
    }

    /** A ready endpoint of weight 1. */
    public static Endpoint of(InetSocketAddress address) {
        return new Endpoint(address, 1, "", "", true, true, false);
    }

    public static Endpoint of(String ip, int port) {
        return of(new InetSocketAddress(ip, port));
    }

    public Endpoint withWeight(int newWeight) {
        return new Endpoint(address, newWeight, zone, node, ready, serving, terminating);
    }

    public Endpoint withConditions(boolean newReady, boolean newServing, boolean newTerminating) {
        return new Endpoint(address, weight, zone, node, newReady, newServing, newTerminating);
    }

    /** {@code ip:port}, with brackets for IPv6. */
    public String hostPort() {
        return HostPort.format(address);
    }

    @Override
    public String toString() {
        return hostPort();
    }
}
