package io.junction.agent.registry.api;

import io.junction.core.model.Cidr;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Which addresses may be registered (and probed): never the unspecified address, a multicast or a broadcast one;
 * loopback and link-local only when allowed; and, when {@code allowedCidrs} is set, only inside one of its blocks. So
 * a client cannot point Junction's listeners, or its probes, anywhere it likes. Immutable.
 */
public final class AddressPolicy {
    private final List<Cidr> allowed;
    private final boolean allowLoopback;
    private final boolean allowLinkLocal;

    public AddressPolicy(List<Cidr> allowed, boolean allowLoopback, boolean allowLinkLocal) {
        this.allowed = List.copyOf(allowed);
        this.allowLoopback = allowLoopback;
        this.allowLinkLocal = allowLinkLocal;
    }

    /** Why {@code address} is refused, or null when it is allowed. */
    public String refusal(InetAddress address) {
        String ip = NetUtil.toAddressString(address);
        if (address.isAnyLocalAddress()) {
            return ip + " is the unspecified address, not an instance's address";
        }
        if (address.isMulticastAddress() || isBroadcast(address)) {
            return ip + " is not a unicast address";
        }
        if (address.isLoopbackAddress() && !allowLoopback) {
            return ip + " is a loopback address, refused (allowLoopback is false)";
        }
        if (address.isLinkLocalAddress() && !allowLinkLocal) {
            return ip + " is a link-local address, refused (allowLinkLocal is false)";
        }
        if (!allowed.isEmpty() && allowed.stream().noneMatch(c -> c.contains(address))) {
            return ip + " is outside allowedCidrs " + allowed;
        }
        return null;
    }

    private static boolean isBroadcast(InetAddress address) {
        byte[] b = address.getAddress();
        return address instanceof Inet4Address && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
    }
}
