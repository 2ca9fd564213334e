package io.junction.core.model;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Whether a TCP listener expects each connection to start with a PROXY protocol header (v1 or v2, either is detected)
 * that names the real client ({@code acceptProxyProtocol}): only peers inside {@code trustedCidrs} may send one, and
 * every connection from them must. A peer outside is closed at once, since it could otherwise claim any address.
 * Immutable.
 *
 * @param trustedCidrs the peers (load balancers, proxies) allowed to connect; empty means the feature is off
 * @param timeout      how long a trusted peer may take to send its whole header
 */
public record ProxyProtocolAccept(List<Cidr> trustedCidrs, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    /** The longest header timeout a config may set. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    /** Off: connections carry no header, and nobody is refused for it. */
    public static final ProxyProtocolAccept OFF = new ProxyProtocolAccept(List.of(), DEFAULT_TIMEOUT);

    public ProxyProtocolAccept {
        trustedCidrs = List.copyOf(trustedCidrs);
        Objects.requireNonNull(timeout, "timeout");
        Checks.positive("timeout", timeout);
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: <= " + MAX_TIMEOUT + ")");
        }
    }

    public boolean enabled() {
        return !trustedCidrs.isEmpty();
    }

    /** Whether {@code peer} may send a header (allocates nothing for an IPv4 peer). */
    public boolean trusts(InetAddress peer) {
        List<Cidr> cidrs = trustedCidrs;
        for (int i = 0; i < cidrs.size(); i++) {
            if (cidrs.get(i).contains(peer)) {
                return true;
            }
        }
        return false;
    }
}
