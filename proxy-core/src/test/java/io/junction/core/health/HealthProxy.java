package io.junction.core.health;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.EventLoops;
import io.junction.core.forward.tcp.TcpListenerFactory;
import io.junction.core.forward.udp.UdpListenerFactory;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.state.NodePolicy;
import io.junction.core.state.ProxyController;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.ManualSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A whole proxy on loopback for health tests: event loops, TCP and UDP listeners, the controller with a
 * {@link HealthBoard}, and one discovery source the test drives. Not thread-safe: used from the test thread.
 */
final class HealthProxy implements AutoCloseable {
    final EventLoops loops = EventLoops.create(2);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProxyController controller;
    final HealthBoard board;
    private final ManualSource source = new ManualSource("test");

    HealthProxy() {
        controller = new ProxyController(Map.of(Protocol.TCP, new TcpListenerFactory(loops),
                Protocol.UDP, new UdpListenerFactory(loops)), loops.connections(), registry, 0);
        board = new HealthBoard(loops.workers(), registry, Clock.systemUTC());
        controller.health(board);
        board.onChange(controller::healthChanged);
        controller.addSource(source);
        controller.start();
        source.replace(Map.of()); // synced, with nothing yet: each test serves what it needs
    }

    static ServiceKey tcp(String name) {
        return new ServiceKey("default", name, "", Protocol.TCP);
    }

    static ServiceKey udp(String name) {
        return new ServiceKey("default", name, "", Protocol.UDP);
    }

    /**
     * Serves {@code key} on an ephemeral loopback port with {@code policy} (over the built-in defaults) and these
     * endpoints; returns its handle once its listener is bound.
     */
    ServiceHandle serve(ServiceKey key, ServicePolicy policy, List<Endpoint> endpoints) {
        controller.updatePolicy(new NodePolicy(ServicePolicy.EMPTY,
                Map.of(key, policy.withListen(new InetSocketAddress("127.0.0.1", 0)))));
        source.change(key, ServiceDefinition.of(key, endpoints));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.boundAddresses().containsKey(key));
        return controller.handles().stream().filter(h -> h.key().equals(key)).findFirst().orElseThrow();
    }

    InetSocketAddress address(ServiceKey key) {
        return controller.boundAddresses().get(key);
    }

    /** Whether the endpoint at {@code address} is eligible in the service's current snapshot. */
    static boolean eligible(ServiceHandle handle, InetSocketAddress address) {
        ServiceSnapshot s = handle.current();
        return s.endpoints().stream().anyMatch(e -> e.endpoint().address().equals(address) && e.eligible());
    }

    /** The why of the endpoint at {@code address} in the service's current snapshot. */
    static String why(ServiceHandle handle, InetSocketAddress address) {
        return handle.current().endpoints().stream().filter(e -> e.endpoint().address().equals(address))
                .map(e -> e.why()).findFirst().orElse("absent");
    }

    @Override
    public void close() {
        controller.close();
        board.close();
        loops.close();
    }
}
