package io.junction.core.forward.tcp;

import io.junction.core.forward.EventLoops;
import io.junction.core.forward.ServiceListener;
import io.junction.core.state.ServiceHandle;

import java.util.ArrayList;
import java.util.List;

/**
 * Event loops plus a {@link TcpListenerFactory} for one test class; closes every listener it bound.
 *
 * <p>Not thread-safe: used from the test thread.
 */
final class TcpProxyFixture implements AutoCloseable {
    final EventLoops loops = EventLoops.create(2);
    final TcpListenerFactory factory = new TcpListenerFactory(loops);
    private final List<ServiceListener> listeners = new ArrayList<>();

    ServiceListener bind(ServiceHandle handle) {
        ServiceListener l = factory.bind(handle);
        listeners.add(l);
        return l;
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
