package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.lb.Picker;
import io.junction.core.lb.Pickers;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.ServiceSpec;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live state of one served service kept by the control thread between syncs: its {@link ServiceHandle}, one
 * {@link Backend} per endpoint address (reused while the address stays, so counters and least-connections input
 * survive unrelated changes) and the last published snapshot.
 *
 * <p>Control-thread only.
 */
final class ServiceRuntime {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    private final ServiceHandle handle;
    private final Map<InetSocketAddress, Backend> backends = new HashMap<>();
    /** Whether a snapshot built from endpoints was published: slow start applies only to later arrivals. */
    private boolean served;

    private ServiceRuntime(ServiceHandle handle) {
        this.handle = handle;
    }

    static ServiceRuntime create(ServiceSpec spec, List<Endpoint> endpoints, HealthVerdicts health, long version) {
        ServiceSnapshot empty = new ServiceSnapshot(version, spec, List.of(), List.of(), Picker.EMPTY);
        ServiceRuntime runtime = new ServiceRuntime(new ServiceHandle(empty, new ServiceMetrics(spec.key())));
        runtime.apply(spec, endpoints, health, version);
        return runtime;
    }

    ServiceHandle handle() {
        return handle;
    }

    ServiceSnapshot current() {
        return handle.current();
    }

    /**
     * Publishes a snapshot for the new spec and endpoints and returns the backends to drain: those whose address left
     * discovery (already marked removed) and those that just turned terminating.
     */
    List<Backend> apply(ServiceSpec spec, List<Endpoint> endpoints, HealthVerdicts health, long version) {
        Map<InetSocketAddress, Endpoint> byAddress = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            byAddress.put(e.address(), e);
        }
        List<Backend> removed = new ArrayList<>();
        List<Backend> terminating = new ArrayList<>();
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
                if (e.terminating() && !b.endpoint().terminating()) {
                    terminating.add(b);
                }
                b.update(e);
            }
        }
        HealthSettings settings = spec.health();
        for (Backend b : backends.values()) {
            b.maxConnections(settings.maxConnectionsPerEndpoint());
        }
        health.track(spec, backends.values());
        Eligibility.Verdicts verdicts = Eligibility.evaluate(spec.key(), endpoints, health, settings.panicThreshold());
        ServiceSnapshot previous = handle.current();
        List<Backend> eligible = new ArrayList<>();
        for (Endpoint e : Eligibility.eligible(verdicts.statuses())) {
            Backend b = backends.get(e.address());
            eligible.add(b);
            if (served && !settings.slowStart().isZero() && !previous.eligible().contains(b)) {
                b.beginSlowStart(settings.slowStart().toNanos());
            }
        }
        if (verdicts.panic() != previous.panic()) {
            log.warn("service={} panic={} healthy={} ready={} panicThreshold={}%", spec.key(),
                    verdicts.panic() ? "on" : "off", verdicts.healthy(), verdicts.ready(), settings.panicThreshold());
        }
        Picker picker = Pickers.create(spec, eligible, previous.picker());
        handle.publish(new ServiceSnapshot(version, spec, verdicts.statuses(), eligible, picker, verdicts.panic()));
        served |= !endpoints.isEmpty();
        removed.addAll(terminating);
        return removed;
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
