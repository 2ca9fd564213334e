package io.junction.core.state;

import io.junction.core.model.HostPort;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.UdpSettings;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Binding and retrying listeners, one per served service: binds new services, rebinds a service whose listen address
 * changed, closes removed ones, and leaves every other listener untouched (a reload must not rebind what did not
 * change). A listen address that cannot be bound (in use, not local yet) is reported once per distinct reason and
 * retried by {@link #retryFailed}. Closing a listener never closes connections it already accepted.
 *
 * <p>Control-thread only, except {@link #boundAddresses()} and {@link #errors()}: persistent maps updated with every
 * change (O(log n) each), which any thread may read without waiting for the control thread.
 */
final class ListenerBinder {
    private static final Logger log = LoggerFactory.getLogger(ListenerBinder.class);

    /** @param udp the UDP settings the listener was built with (its session tables size themselves at bind) */
    private record Bound(InetSocketAddress requested, UdpSettings udp, ServiceListener listener) {
    }

    private final Map<Protocol, ListenerFactory> factories;
    private final Map<ServiceKey, Bound> bound = new HashMap<>();
    private volatile PMap<ServiceKey, InetSocketAddress> addresses = HashTreePMap.empty();
    private volatile PMap<ServiceKey, String> failed = HashTreePMap.empty();

    ListenerBinder(Map<Protocol, ListenerFactory> factories) {
        this.factories = new EnumMap<>(factories);
    }

    /**
     * Makes sure {@code handle}'s service listens where its current spec says. Returns true when a socket was bound
     * (or rebound); false when the listener was already right or binding failed (see {@link #errors()}).
     */
    boolean ensure(ServiceHandle handle) {
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
            failed = failed.plus(key, "no listener for protocol " + key.protocol().lowerName());
            return false;
        }
        try {
            ServiceListener listener = factory.bind(handle);
            bound.put(key, new Bound(wanted, udp, listener));
            addresses = addresses.plus(key, listener.localAddress());
            failed = failed.minus(key);
            log.info("listener=bound service={} address={}", key, HostPort.format(listener.localAddress()));
            return true;
        } catch (RuntimeException e) {
            String message = "cannot bind " + HostPort.format(wanted) + ": " + e.getMessage();
            // Retries repeat the same failure; say it once, and again only when the reason changes.
            String previous = failed.get(key);
            failed = failed.plus(key, message);
            if (!message.equals(previous)) {
                log.error("listener=failed service={} reason=\"{}\" retry=every_5s", key, message);
            }
            return false;
        }
    }

    /** Binds again every listener that failed, for services still in {@code snapshot}. */
    void retryFailed(ProxySnapshot snapshot) {
        for (ServiceKey key : new ArrayList<>(failed.keySet())) {
            ServiceHandle handle = snapshot.handles().get(key);
            if (handle == null) {
                failed = failed.minus(key);
            } else {
                ensure(handle);
            }
        }
    }

    /** Stops accepting for every service (shutdown). */
    void closeAll() {
        for (ServiceKey key : new ArrayList<>(bound.keySet())) {
            close(key);
        }
        failed = HashTreePMap.empty();
    }

    /** Stops accepting for one service; live connections continue. */
    void close(ServiceKey key) {
        Bound b = bound.remove(key);
        addresses = addresses.minus(key);
        failed = failed.minus(key);
        if (b != null) {
            b.listener().close();
            log.info("listener=closed service={} address={}", key, HostPort.format(b.listener().localAddress()));
        }
    }

    /** The address actually bound for each service that has a listener. Any thread. */
    Map<ServiceKey, InetSocketAddress> boundAddresses() {
        return addresses;
    }

    /** Services whose listener could not be bound, with the reason. Any thread. */
    Map<ServiceKey, String> errors() {
        return failed;
    }
}
