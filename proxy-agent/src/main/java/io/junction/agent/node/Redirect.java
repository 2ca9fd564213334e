package io.junction.agent.node;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.Objects;

/**
 * One nftables rule of node mode: traffic to {@code virtualAddress} over {@code protocol} goes to local port
 * {@code localPort}, where the service's listener is bound. Ordered by family (IPv4 first), address bytes, protocol
 * and port, so a rule set renders the same text whatever order it was built in. Immutable.
 *
 * @param virtualAddress the service's virtual {@code ip:port}
 * @param protocol       tcp or udp
 * @param localPort      the port the service's listener is bound to (1..65535)
 * @param service        the service, written as the rule's comment
 */
public record Redirect(InetSocketAddress virtualAddress, Protocol protocol, int localPort, ServiceKey service)
        implements Comparable<Redirect> {
    private static final Comparator<Redirect> ORDER = Comparator
            .comparing((Redirect r) -> r.isIpv6())
            .thenComparing(r -> r.virtualAddress().getAddress().getAddress(), java.util.Arrays::compareUnsigned)
            .thenComparing(Redirect::protocol)
            .thenComparingInt(r -> r.virtualAddress().getPort())
            .thenComparingInt(Redirect::localPort)
            .thenComparing(r -> r.service().toString());

    public Redirect {
        Objects.requireNonNull(virtualAddress, "virtualAddress");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(service, "service");
        if (virtualAddress.getAddress() == null) {
            throw new IllegalArgumentException("virtualAddress: " + virtualAddress + " (expected: resolved)");
        }
        if (localPort < 1 || localPort > 65_535) {
            throw new IllegalArgumentException("localPort: " + localPort + " (expected: 1..65535)");
        }
    }

    boolean isIpv6() {
        return virtualAddress.getAddress() instanceof Inet6Address;
    }

    /** The address as nft reads it: no scope, no brackets. */
    String addressText() {
        InetAddress a = virtualAddress.getAddress();
        String text = a.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    @Override
    public int compareTo(Redirect other) {
        return ORDER.compare(this, other);
    }
}
