package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.lb.Backend;
import io.junction.core.lb.Picker;
import io.junction.core.lb.Pickers;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceSpec;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live state of one service kept by the control thread between syncs: its {@link ServiceHandle}, one
 * {@link Backend} per endpoint address (reused while the address stays, so counters and least-connections input
 * survive unrelated changes) and the last published snapshot.
 *
 * <p>Control-thread only.
 */
final class ServiceRuntime {
    private final ServiceHandle handle;
    private final Map<InetSocketAddress, Backend> backends = new HashMap<>();

    private ServiceRuntime(ServiceHandle handle) {
        this.handle = handle;
    }

    static ServiceRuntime create(ServiceDefinition definition, long version) {
        ServiceSpec spec = definition.spec();
        ServiceSnapshot empty = new ServiceSnapshot(version, spec, List.of(), List.of(), Picker.EMPTY);
        ServiceRuntime runtime = new ServiceRuntime(new ServiceHandle(empty, new ServiceMetrics(spec.key())));
        runtime.apply(definition, version);
        return runtime;
    }

    ServiceHandle handle() {
        return handle;
    }

    ServiceSnapshot current() {
        return handle.current();
    }

    /**
     * Publishes a snapshot for the new definition and returns the backends whose address left discovery (already
     * marked removed; their live connections are the caller's to drain).
     */
    List<Backend> apply(ServiceDefinition definition, long version) {
        ServiceSpec spec = definition.spec();
        Map<InetSocketAddress, Endpoint> byAddress = new LinkedHashMap<>();
        for (Endpoint e : definition.endpoints()) {
            byAddress.put(e.address(), e);
        }
        List<Backend> removed = new ArrayList<>();
        backends.entrySet().removeIf(entry -> {
            if (byAddress.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().markRemoved();
            removed.add(entry.getValue());
            return true;
        });
        for (Endpoint e : byAddress.values()) {
            Backend b = backends.get(e.address());
            if (b == null) {
                backends.put(e.address(), new Backend(e));
            } else if (!b.endpoint().equals(e)) {
                b.update(e);
            }
        }
        List<Backend> eligible = new ArrayList<>();
        for (Endpoint e : Eligibility.eligible(definition.endpoints())) {
            eligible.add(backends.get(e.address()));
        }
        ServiceSnapshot previous = handle.current();
        Picker picker = Pickers.create(spec, eligible, previous.picker());
        handle.publish(new ServiceSnapshot(version, spec, definition.endpoints(), eligible, picker));
        return removed;
    }

    /** Every backend currently in discovery, eligible or not. */
    List<Backend> backends() {
        return new ArrayList<>(backends.values());
    }

    /** Marks every backend removed (the service itself went away) and returns them. */
    List<Backend> removeAll() {
        List<Backend> all = new ArrayList<>(backends.values());
        for (Backend b : all) {
            b.markRemoved();
        }
        backends.clear();
        return all;
    }
}
