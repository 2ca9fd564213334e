package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.lb.Backend;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.ServiceSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.pcollections.PMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sync and publish: the control thread's table of served services. Each sync hands it the merged definitions of the
 * services that changed; it resolves each one's spec from the node's policy, rebuilds exactly those services'
 * snapshots (reusing their {@link Backend}s) and publishes one new {@link ProxySnapshot}. A service some source knows
 * but that has no listen address on this node is not served: it gets no runtime, no listener and no meters, only a
 * line in {@link ProxySnapshot#unserved()}.
 *
 * <p>Control-thread only, except {@link #snapshot()}, which any thread may read.
 */
final class SnapshotPublisher {
    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
    static final String NO_LISTEN_ADDRESS = "no listen address on this node (give it one with a services[] entry)";

    /** A service or backends leaving the data path, with the handle their drain timeout is read from. */
    record Retired(ServiceHandle handle, List<Backend> backends) {
    }

    /**
     * What one sync changed.
     *
     * @param changed services added or rebuilt (their listeners may need binding)
     * @param removed services no longer served, with all their backends (close their listeners, drain)
     * @param drained backends that left a service that stays, or turned terminating in it (drain)
     */
    record Outcome(List<ServiceHandle> changed, List<Retired> removed, List<Retired> drained) {
    }

    /** Buckets of the propagation histogram: a few per service, so 10,000 services stay scrapeable. */
    private static final Duration[] PROPAGATION_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(10),
        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Map<ServiceKey, ServiceRuntime> services = new HashMap<>();
    private final Map<ServiceKey, List<Meter>> meters = new HashMap<>();
    /** Each served service's propagation timer (also among its meters), for recording without a search. */
    private final Map<ServiceKey, Timer> propagations = new HashMap<>();
    private NodePolicy policy = NodePolicy.NONE;
    private ListenResolver listenResolver = ListenResolver.CONFIGURED;
    private HealthVerdicts health = HealthVerdicts.NONE;
    private volatile ProxySnapshot snapshot = ProxySnapshot.EMPTY;

    SnapshotPublisher(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    ProxySnapshot snapshot() {
        return snapshot;
    }

    void listenResolver(ListenResolver value) {
        this.listenResolver = Objects.requireNonNull(value, "listenResolver");
    }

    void health(HealthVerdicts value) {
        this.health = Objects.requireNonNull(value, "health");
    }

    /**
     * Takes a new node policy; returns the services whose policy it changes (null: possibly all of them, the defaults
     * changed), to be rebuilt by the next sync.
     */
    Set<ServiceKey> policy(NodePolicy next) {
        NodePolicy previous = policy;
        policy = Objects.requireNonNull(next, "policy");
        if (!previous.defaults().equals(next.defaults())) {
            return null;
        }
        Set<ServiceKey> changed = new HashSet<>();
        for (Map.Entry<ServiceKey, ServicePolicy> e : next.services().entrySet()) {
            if (!e.getValue().equals(previous.services().get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        for (ServiceKey key : previous.services().keySet()) {
            if (!next.services().containsKey(key)) {
                changed.add(key);
            }
        }
        return changed;
    }

    /** Applies the merged definitions of changed services (null: no source defines it any more) and publishes. */
    Outcome apply(Map<ServiceKey, ServiceDefinition> changes, long version) {
        List<ServiceHandle> changed = new ArrayList<>();
        List<Retired> removed = new ArrayList<>();
        List<Retired> drained = new ArrayList<>();
        ProxySnapshot before = snapshot;
        PMap<ServiceKey, ServiceSnapshot> all = before.services();
        PMap<ServiceKey, ServiceHandle> handles = before.handles();
        PMap<ServiceKey, String> unserved = before.unserved();
        for (Map.Entry<ServiceKey, ServiceDefinition> change : changes.entrySet()) {
            ServiceKey key = change.getKey();
            ServiceDefinition definition = change.getValue();
            ServiceSpec spec = definition == null ? null : resolve(definition);
            unserved = definition != null && spec == null ? unserved.plus(key, NO_LISTEN_ADDRESS) : unserved.minus(key);
            ServiceRuntime runtime = services.get(key);
            if (spec == null) {
                if (runtime != null) {
                    removed.add(new Retired(runtime.handle(), retire(key, runtime)));
                    all = all.minus(key);
                    handles = handles.minus(key);
                }
                continue;
            }
            if (runtime == null) {
                runtime = ServiceRuntime.create(spec, definition.endpoints(), health, version);
                services.put(key, runtime);
                List<Meter> bound = new ArrayList<>(runtime.handle().metrics().bindTo(registry));
                ServiceHandle handle = runtime.handle();
                Timer propagation = Timer.builder("junction.discovery.propagation")
                        .tags("service", key.toString())
                        .description("From a discovery source's change arriving to the service's new snapshot being"
                                + " live")
                        .serviceLevelObjectives(PROPAGATION_BUCKETS).register(registry);
                bound.add(propagation);
                propagations.put(key, propagation);
                bound.add(Gauge.builder("junction.service.panic", handle, h -> h.current().panic() ? 1 : 0)
                        .tags("service", key.toString())
                        .description("1 while too few endpoints are healthy and the service picks among all of them")
                        .register(registry));
                meters.put(key, bound);
                log.info("service={} state=added listen={} endpoints={}", key, spec.listen(),
                        definition.endpoints().size());
            } else {
                List<Backend> gone = runtime.apply(spec, definition.endpoints(), health, version);
                if (!gone.isEmpty()) {
                    drained.add(new Retired(runtime.handle(), gone));
                }
            }
            changed.add(runtime.handle());
            all = all.plus(key, runtime.current());
            handles = handles.plus(key, runtime.handle());
        }
        snapshot = new ProxySnapshot(version, all, handles, unserved);
        return new Outcome(changed, removed, drained);
    }

    /**
     * Records, per service still served, how long its change took from arriving at the controller ({@code arrivals},
     * nanoTime) to being published, at {@code now}.
     */
    void recordPropagation(Map<ServiceKey, Long> arrivals, long now) {
        for (Map.Entry<ServiceKey, Long> e : arrivals.entrySet()) {
            Timer t = propagations.get(e.getKey());
            if (t != null) {
                t.record(now - e.getValue(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** The spec of a defined service, or null when this node does not serve it. */
    private ServiceSpec resolve(ServiceDefinition definition) {
        ServicePolicy p = policy.resolve(definition.key(), definition.hints());
        InetSocketAddress listen = listenResolver.listenAddress(definition, p);
        return listen == null ? null
                : ServiceSpec.of(definition.key(), listen, p).withVirtualAddresses(definition.virtualAddresses());
    }

    private List<Backend> retire(ServiceKey key, ServiceRuntime runtime) {
        services.remove(key);
        propagations.remove(key);
        List<Meter> m = meters.remove(key);
        if (m != null) {
            m.forEach(registry::remove);
        }
        health.forget(key);
        log.info("service={} state=removed", key);
        return runtime.removeAll();
    }
}
