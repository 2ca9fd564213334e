package io.junction.core.forward;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.UdpSettings;
import io.junction.core.state.ServiceHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The bound listeners, one per service: binds new services, rebinds a service whose listen address changed, closes
 * removed ones, and leaves every other listener untouched (a reload must not rebind what did not change). Closing a
 * listener never closes connections it already accepted.
 *
 * <p>Control-thread only.
 */
public final class ListenerSet {
    private static final Logger log = LoggerFactory.getLogger(ListenerSet.class);

    private final Map<Protocol, ListenerFactory> factories;
    private final Map<ServiceKey, Bound> bound = new LinkedHashMap<>();
    private final Map<ServiceKey, String> errors = new HashMap<>();

    /** @param udp the UDP settings the listener was built with (its session tables size themselves at bind) */
    private record Bound(InetSocketAddress requested, UdpSettings udp, ServiceListener listener) {
    }

    public ListenerSet(Map<Protocol, ListenerFactory> factories) {
        this.factories = new EnumMap<>(factories);
    }

    /**
     * Makes sure {@code handle}'s service listens where its current spec says. Returns true when a socket was bound
     * (or rebound); false when the listener was already right or binding failed (see {@link #errors()}).
     */
    public boolean ensure(ServiceHandle handle) {
        ServiceKey key = handle.key();
        InetSocketAddress wanted = handle.current().spec().listen();
        UdpSettings udp = handle.current().spec().udp();
        Bound existing = bound.get(key);
        // TCP listeners read their settings per connection; UDP session tables are sized at bind, so a UDP
        // settings change rebinds (existing sessions end; clients get a new session on their next datagram).
        if (existing != null && existing.requested().equals(wanted)
                && (key.protocol() != Protocol.UDP || existing.udp().equals(udp))) {
            return false;
        }
        if (existing != null) {
            close(key);
        }
        ListenerFactory factory = factories.get(key.protocol());
        if (factory == null) {
            errors.put(key, "no listener for protocol " + key.protocol().lowerName());
            return false;
        }
        try {
            ServiceListener listener = factory.bind(handle);
            bound.put(key, new Bound(wanted, udp, listener));
            errors.remove(key);
            log.info("listener=bound service={} address={}", key, format(listener.localAddress()));
            return true;
        } catch (RuntimeException e) {
            String message = "cannot bind " + format(wanted) + ": " + e.getMessage();
            // Retries repeat the same failure; say it once, and again only when the reason changes.
            if (!message.equals(errors.put(key, message))) {
                log.error("listener=failed service={} reason=\"{}\" retry=every_5s", key, message);
            }
            return false;
        }
    }

    /** Stops accepting for one service; live connections continue. */
    public void close(ServiceKey key) {
        Bound b = bound.remove(key);
        errors.remove(key);
        if (b != null) {
            b.listener().close();
            log.info("listener=closed service={} address={}", key, format(b.listener().localAddress()));
        }
    }

    /** Stops accepting for every service (shutdown). */
    public void closeAll() {
        for (ServiceKey key : new java.util.ArrayList<>(bound.keySet())) {
            close(key);
        }
    }

    /** The address actually bound for a service, or null. */
    public InetSocketAddress localAddress(ServiceKey key) {
        Bound b = bound.get(Objects.requireNonNull(key, "key"));
        return b == null ? null : b.listener().localAddress();
    }

    /** Services whose listener could not be bound, with the reason. */
    public Map<ServiceKey, String> errors() {
        return Map.copyOf(errors);
    }

    static String format(InetSocketAddress a) {
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
