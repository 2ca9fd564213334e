package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.junction.core.lb.Backend;
import io.junction.core.lb.OutcomeRecorder;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthCheck;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.HostPort;
import io.junction.core.model.OutlierDetection;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.state.HealthVerdicts;
import io.netty.channel.EventLoopGroup;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's health verdicts: for every served service, the active check of each endpoint (a shared
 * {@link ProbeTarget} of the {@link Prober}) and its passive outlier detector (an {@link OutlierDetector} attached to
 * the endpoint's {@link Backend}). An endpoint is healthy when its check (if any) passes and its breaker is not open.
 * Every transition is logged in one line and turned into {@link #onChange a rebuild} of the services concerned, and
 * only those. How one endpoint's health reads is {@link EndpointHealth}'s; the metrics are {@link HealthMeters}'.
 *
 * <p>{@link #track} and {@link #forget} run on the control thread; verdicts are read from any thread; transitions
 * arrive on event loops. Per-service state is an immutable map swapped whole, so readers need no lock.
 */
public final class HealthBoard implements HealthVerdicts, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthBoard.class);

    /** One served service: its settings and endpoints, swapped whole by the control thread. */
    private record ServiceHealth(ServiceKey key, HealthSettings settings,
                                 Map<InetSocketAddress, EndpointHealth> byAddress, HealthMeters.ServiceMeters meters) {
    }

    /** How long a UDP endpoint's test session may stay without an ICMP answer before the endpoint is back. */
    static final long UDP_TEST_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Prober prober;
    private final EventLoopGroup timers;
    private final Clock clock;
    private final HealthMeters meters;
    private final Map<ServiceKey, ServiceHealth> services = new ConcurrentHashMap<>();
    /** Which services use a probe target, so a probe transition rebuilds exactly those. */
    private final Map<ProbeTarget, Set<ServiceKey>> users = new ConcurrentHashMap<>();
    private volatile Consumer<Collection<ServiceKey>> onChange = keys -> { };

    /**
     * @param loops    where probes and ejection timers run (the workers)
     * @param registry where the health metrics go
     * @param clock    wall clock of the breakers and of the times the admin API shows
     */
    public HealthBoard(EventLoopGroup loops, MeterRegistry registry, Clock clock) {
        this.timers = Objects.requireNonNull(loops, "loops");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = new HealthMeters(Objects.requireNonNull(registry, "registry"), this::endpointsOf);
        this.prober = new Prober(loops, new Prober.Listener() {
            @Override
            public void onTransition(ProbeTarget target, boolean healthy, ProbeResult last) {
                probeTransition(target, healthy, last);
            }

            @Override
            public void onResult(ProbeTarget target, ProbeResult result) {
                meters.probed(result);
            }
        });
    }

    /** Where verdict changes go: the services to rebuild (the controller's {@code healthChanged}). */
    public void onChange(Consumer<Collection<ServiceKey>> consumer) {
        this.onChange = Objects.requireNonNull(consumer, "consumer");
    }

    // ---- control thread ----

    @Override
    public void track(ServiceSpec spec, Collection<Backend> backends) {
        ServiceKey key = spec.key();
        HealthSettings settings = spec.health();
        ServiceHealth before = services.get(key);
        Map<InetSocketAddress, EndpointHealth> old = before == null ? Map.of() : before.byAddress();
        Map<InetSocketAddress, EndpointHealth> next = new HashMap<>();
        for (Backend b : backends) {
            EndpointHealth was = old.get(b.address());
            ProbeTarget probe = probeFor(key, settings.check(), b.address(), was);
            OutlierDetector outlier = outlierFor(key, spec.protocol(), settings.outlier(), b, was);
            b.outcomes(outlier == null ? OutcomeRecorder.NONE : outlier);
            next.put(b.address(), new EndpointHealth(b.address(), probe, outlier));
        }
        for (EndpointHealth gone : old.values()) {
            EndpointHealth kept = next.get(gone.address());
            if (gone.probe() != null && (kept == null || kept.probe() != gone.probe())) {
                release(key, gone.probe());
            }
        }
        HealthMeters.ServiceMeters bound = before == null ? meters.bind(key) : before.meters();
        services.put(key, new ServiceHealth(key, settings, Map.copyOf(next), bound));
    }

    @Override
    public void forget(ServiceKey key) {
        ServiceHealth gone = services.remove(key);
        if (gone == null) {
            return;
        }
        for (EndpointHealth e : gone.byAddress().values()) {
            if (e.probe() != null) {
                release(key, e.probe());
            }
        }
        meters.remove(gone.meters());
    }

    private ProbeTarget probeFor(ServiceKey key, HealthCheck check, InetSocketAddress address, EndpointHealth was) {
        if (!check.enabled()) {
            return null;
        }
        InetSocketAddress probed = new InetSocketAddress(address.getAddress(), check.portFor(address.getPort()));
        if (was != null && was.probe() != null && was.probe().check().equals(check)
                && was.probe().address().equals(probed)) {
            return was.probe();
        }
        ProbeTarget target = prober.acquire(check, address);
        users.compute(target, (t, keys) -> plus(keys, key));
        return target;
    }

    private void release(ServiceKey key, ProbeTarget target) {
        users.computeIfPresent(target, (t, keys) -> {
            Set<ServiceKey> left = new HashSet<>(keys);
            left.remove(key);
            return left.isEmpty() ? null : Set.copyOf(left);
        });
        prober.release(target);
    }

    private static Set<ServiceKey> plus(Set<ServiceKey> keys, ServiceKey key) {
        if (keys == null) {
            return Set.of(key);
        }
        if (keys.contains(key)) {
            return keys;
        }
        Set<ServiceKey> more = new HashSet<>(keys);
        more.add(key);
        return Set.copyOf(more);
    }

    private OutlierDetector outlierFor(ServiceKey key, Protocol protocol, OutlierDetection settings, Backend b,
                                       EndpointHealth was) {
        int threshold = settings.threshold(protocol);
        if (threshold == 0) {
            return null;
        }
        if (was != null && was.outlier() != null && was.outlier().settings().equals(settings)
                && was.outlier().threshold() == threshold) {
            return was.outlier();
        }
        String name = key + "/" + HostPort.format(b.address());
        return new OutlierDetector(name, settings, threshold, clock,
                (detector, from, to) -> outlierTransition(key, b.address(), protocol, detector, from, to));
    }

    // ---- any thread ----

    @Override
    public String unhealthyReason(ServiceKey service, Endpoint endpoint) {
        EndpointHealth e = find(service, endpoint.address());
        return e == null ? null : e.unhealthyReason();
    }

    /**
     * The health of one endpoint of a service for the admin API: its check's state and last result, its breaker's
     * state and since when it is open; empty when the board does not know it.
     */
    public Map<String, Object> describe(ServiceKey service, InetSocketAddress address) {
        EndpointHealth e = find(service, address);
        return e == null ? new LinkedHashMap<>() : e.describe();
    }

    private EndpointHealth find(ServiceKey service, InetSocketAddress address) {
        ServiceHealth s = services.get(service);
        return s == null ? null : s.byAddress().get(address);
    }

    private Collection<EndpointHealth> endpointsOf(ServiceKey key) {
        ServiceHealth s = services.get(key);
        return s == null ? List.of() : s.byAddress().values();
    }

    private void outlierTransition(ServiceKey key, InetSocketAddress address, Protocol protocol,
                                   OutlierDetector detector, CircuitBreaker.State from, CircuitBreaker.State to) {
        String reason = switch (to) {
            case OPEN -> from == CircuitBreaker.State.HALF_OPEN ? "a test connection failed"
                    : detector.threshold() + (protocol == Protocol.UDP ? " ICMP port unreachable in a row"
                    : " connect failures in a row");
            case HALF_OPEN -> "ejection time over, testing";
            case CLOSED -> from == CircuitBreaker.State.HALF_OPEN && protocol == Protocol.UDP
                    ? "a test session drew no ICMP port unreachable" : "a test connection succeeded";
            default -> "breaker " + OutlierDetector.stateName(to);
        };
        log.warn("service={} endpoint={} health=outlier {} -> {} reason=\"{}\"", key, HostPort.format(address),
                OutlierDetector.stateName(from), OutlierDetector.stateName(to), reason);
        if (to == CircuitBreaker.State.OPEN) {
            countEjection(key);
            long delay = detector.settings().ejectionTime().toNanos();
            timers.schedule(detector::beginTest, delay, TimeUnit.NANOSECONDS);
        } else if (to == CircuitBreaker.State.HALF_OPEN) {
            // A UDP test session may never hear back (a backend that does not answer), and then would hold its
            // permit forever; an ICMP answer comes within milliseconds, so a quiet second decides.
            boolean udp = protocol == Protocol.UDP;
            long delay = udp ? UDP_TEST_NANOS : detector.settings().ejectionTime().toNanos();
            timers.schedule(() -> detector.endUndecidedTest(udp), delay, TimeUnit.NANOSECONDS);
        }
        onChange.accept(List.of(key));
    }

    private void probeTransition(ProbeTarget target, boolean healthy, ProbeResult last) {
        Set<ServiceKey> keys = users.getOrDefault(target, Set.of());
        for (ServiceKey key : keys) {
            log.warn("service={} endpoint={} health=check {} -> {} reason=\"{}\"", key,
                    HostPort.format(target.address()), healthy ? "unhealthy" : "healthy",
                    healthy ? "healthy" : "unhealthy", last.detail());
            if (!healthy) {
                countEjection(key);
            }
        }
        if (!keys.isEmpty()) {
            onChange.accept(List.copyOf(keys));
        }
    }

    /** Counts an ejection of an endpoint of {@code key}, unless the service is gone meanwhile. */
    private void countEjection(ServiceKey key) {
        ServiceHealth s = services.get(key);
        if (s != null) {
            s.meters().ejections().increment();
        }
    }

    @Override
    public void close() {
        prober.close();
    }
}
