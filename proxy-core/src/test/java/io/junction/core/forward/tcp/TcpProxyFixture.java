package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.EventLoops;
import io.junction.core.forward.LiveConnection;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.state.ServiceListener;
import io.junction.core.state.ServiceHandle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Event loops plus a {@link TcpListenerFactory} for one test class; closes every listener it bound.
 *
 * <p>Not thread-safe: used from the test thread.
 */
final class TcpProxyFixture implements AutoCloseable {
    final EventLoops loops = EventLoops.create(2);
    final TcpListenerFactory factory;
    private final List<ServiceListener> listeners = new ArrayList<>();

    TcpProxyFixture() {
        this(NanoClock.COARSE);
    }

    /** @param clock what idle timers measure idleness with */
    TcpProxyFixture(NanoClock clock) {
        factory = new TcpListenerFactory(loops, clock);
    }

    ServiceListener bind(ServiceHandle handle) {
        ServiceListener l = factory.bind(handle);
        listeners.add(l);
        return l;
    }

    /** The live connections to {@code backend}, as the event loops that own them list them. */
    List<LiveConnection> connectionsTo(Backend backend) throws Exception {
        return loops.connections().connectionsTo(backend).get(5, TimeUnit.SECONDS);
    }

    /** Waits until exactly one connection to {@code backend} is live (both legs up) and returns it. */
    LiveConnection awaitOnlyConnectionTo(Backend backend) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> connectionsTo(backend).size() == 1);
        return connectionsTo(backend).get(0);
    }

    /** {@link LiveConnection#describe()} of each live connection to {@code backend}, for stall reports. */
    List<String> describe(Backend backend) {
        try {
            return loops.connections().describe(backend).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of("cannot describe: " + e);
        }
    }

    /** Drains {@code backend}'s connections the way the controller does when it is removed. */
    void drain(Backend backend, FailureReason reason) {
        loops.connections().closeGracefully(Set.of(backend), reason);
    }

    void closeListeners() {
        for (ServiceListener l : listeners) {
            l.close();
        }
        listeners.clear();
    }

    @Override
    public void close() {
        closeListeners();
        loops.close();
    }
}
