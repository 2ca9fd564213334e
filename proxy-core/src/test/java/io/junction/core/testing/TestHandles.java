package io.junction.core.testing;

import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds service specs, snapshots and handles over lists of backend addresses, the way the control thread would,
 * for tests. Listen addresses are 127.0.0.1 port 0.
 *
 * <p>Thread-safe (stateless apart from a version counter); {@link #publish} must be called from one thread at a
 * time per handle, as the control thread would.
 */
public final class TestHandles {
    private static final AtomicLong VERSION = new AtomicLong();

    private TestHandles() {
    }

    /** A round-robin TCP spec listening on 127.0.0.1:0 with the given settings. */
    public static ServiceSpec tcpSpec(String name, TcpSettings tcp) {
        return ServiceSpec.of(ServiceKey.of(name, Protocol.TCP), new InetSocketAddress("127.0.0.1", 0),
                LbPolicy.ROUND_ROBIN).withTcp(tcp);
    }

    public static ServiceHandle tcp(List<InetSocketAddress> backends) {
        return tcp(TcpSettings.DEFAULTS, backends);
    }

    public static ServiceHandle tcp(TcpSettings tcp, List<InetSocketAddress> backends) {
        return handle(tcpSpec("svc", tcp), backends);
    }

    /** A handle for {@code spec} with one new ready {@link Backend} per address. */
    public static ServiceHandle handle(ServiceSpec spec, List<InetSocketAddress> backends) {
        List<Backend> list = new ArrayList<>();
        for (InetSocketAddress a : backends) {
            list.add(new Backend(Endpoint.of(a)));
        }
        return new ServiceHandle(snapshot(spec, list, null));
    }

    public static ServiceSnapshot snapshot(ServiceSpec spec, List<Backend> backends, ServiceSnapshot previous) {
        return ServiceSnapshot.ofEligible(VERSION.incrementAndGet(), spec, backends,
                Pickers.create(spec, backends, previous == null ? null : previous.picker()));
    }

    /**
     * Publishes a snapshot whose eligible backends are {@code addresses}: existing {@link Backend}s are kept (so their
     * counters and connections survive), new addresses get new ones, and dropped ones are marked removed.
     */
    public static ServiceSnapshot publish(ServiceHandle handle, List<InetSocketAddress> addresses) {
        ServiceSnapshot current = handle.current();
        List<Backend> next = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            Backend existing = find(current, a);
            next.add(existing != null ? existing : new Backend(Endpoint.of(a)));
        }
        for (Backend b : current.eligible()) {
            if (!next.contains(b)) {
                b.markRemoved();
            }
        }
        ServiceSnapshot snapshot = snapshot(current.spec(), next, current);
        handle.publish(snapshot);
        return snapshot;
    }

    /** The backend for {@code address} in the handle's current snapshot. */
    public static Backend backend(ServiceHandle handle, InetSocketAddress address) {
        Backend b = find(handle.current(), address);
        if (b == null) {
            throw new IllegalArgumentException("address: " + address + " (expected: an eligible backend)");
        }
        return b;
    }

    private static Backend find(ServiceSnapshot snapshot, InetSocketAddress address) {
        for (Backend b : snapshot.eligible()) {
            if (b.address().equals(address)) {
                return b;
            }
        }
        return null;
    }
}
