package io.junction.agent.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The {@code nodeMode} section: whether this agent intercepts services' virtual addresses with nftables (the
 * userspace kube-proxy design) and where it binds the listeners the rules redirect to. Read at start only; off by
 * default, so sidecar and standalone use need neither root nor nftables. Immutable.
 *
 * @param enabled       whether node mode is on
 * @param listenAddress the address every node-mode listener binds (on an ephemeral port); null means the wildcard of
 *                      the service's family: {@code 0.0.0.0} when all its virtual addresses are IPv4, {@code ::}
 *                      otherwise
 */
public record NodeModeConfig(boolean enabled, InetAddress listenAddress) {
    public static final NodeModeConfig OFF = new NodeModeConfig(false, null);

    private static final InetSocketAddress ANY4 = new InetSocketAddress("0.0.0.0", 0);
    private static final InetSocketAddress ANY6 = new InetSocketAddress("::", 0);

    /** Where a node-mode service with these virtual addresses listens: the listen address on port 0. */
    public InetSocketAddress listenFor(List<InetSocketAddress> virtualAddresses) {
        if (listenAddress != null) {
            return new InetSocketAddress(listenAddress, 0);
        }
        for (InetSocketAddress a : virtualAddresses) {
            if (a.getAddress() instanceof Inet6Address) {
                return ANY6;
            }
        }
        return ANY4;
    }
}
