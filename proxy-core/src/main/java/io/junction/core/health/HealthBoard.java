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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * only those.
 *
 * <p>{@link #track} and {@link #forget} run on the control thread; verdicts are read from any thread; transitions
 * arrive on event loops. Per-service state is an immutable map swapped whole, so readers need no lock.
 */
public final class HealthBoard implements HealthVerdicts, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthBoard.class);

    /** The health of one endpoint of one service. Immutable (what it points to is live). */
    private record EndpointHealth(InetSocketAddress address, ProbeTarget probe, OutlierDetector outlier) {
    }

    /** One served service: its settings and endpoints, swapped whole by the control thread. */
    private record ServiceHealth(ServiceKey key, HealthSettings settings,
                                 Map<InetSocketAddress, EndpointHealth> byAddress, Counter ejections,
                                 List<Meter> meters) {
    }

    /** How long a UDP endpoint's test session may stay without an ICMP answer before the endpoint is back. */
    static final long UDP_TEST_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Prober prober;
    private final EventLoopGroup timers;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<ServiceKey, ServiceHealth> services = new ConcurrentHashMap<>();
    /** Which services use a probe target, so a probe transition rebuilds exactly those. */
    private final Map<ProbeTarget, Set<ServiceKey>> users = new ConcurrentHashMap<>();
    private volatile Consumer<Collection<ServiceKey>> onChange = keys -> { };

    private final Counter probePasses;
    private final Counter probeFailures;

    /**
     * @param loops    where probes and ejection timers run (the workers)
     * @param registry where the health metrics go
     * @param clock    wall clock of the breakers and of the times the admin API shows
     */
    public HealthBoard(EventLoopGroup loops, MeterRegistry registry, Clock clock) {
        this.timers = Objects.requireNonNull(loops, "loops");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.probePasses = Counter.builder("junction.health.probes").tag("result", "pass")
                .description("Active health-check probes, by result").register(registry);
        this.probeFailures = Counter.builder("junction.health.probes").tag("result", "fail")
                .description("Active health-check probes, by result").register(registry);
        this.prober = new Prober(loops, new Prober.Listener() {
            @Override
            public void onTransition(ProbeTarget target, boolean healthy, ProbeResult last) {
                probeTransition(target, healthy, last);
            }

            @Override
            public void onResult(ProbeTarget target, ProbeResult result) {
                (result.passed() ? probePasses : probeFailures).increment();
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
        Counter ejections = before == null ? ejectionsCounter(key) : before.ejections();
        List<Meter> meters = before == null ? bindMeters(key, ejections) : before.meters();
        services.put(key, new ServiceHealth(key, settings, Map.copyOf(next), ejections, meters));
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
        gone.meters().forEach(registry::remove);
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
        ServiceHealth s = services.get(service);
        EndpointHealth e = s == null ? null : s.byAddress().get(endpoint.address());
        if (e == null) {
            return null;
        }
        ProbeTarget target = e.probe();
        String probe = target != null && !target.healthy() ? failedCheckWhy(target) : null;
        String outlier = e.outlier() != null && e.outlier().ejected() ? ejectedWhy(e.outlier()) : null;
        if (probe == null) {
            return outlier;
        }
        return outlier == null ? probe : probe + "; " + outlier;
    }

    /**
     * The health of one endpoint of a service for the admin API: its check's state and last result, its breaker's
     * state and since when it is open; empty when the board does not know it.
     */
    public Map<String, Object> describe(ServiceKey service, InetSocketAddress address) {
        ServiceHealth s = services.get(service);
        EndpointHealth e = s == null ? null : s.byAddress().get(address);
        Map<String, Object> out = new LinkedHashMap<>();
        if (e == null) {
            return out;
        }
        if (e.probe() != null) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("type", e.probe().check().type().configName());
            check.put("target", HostPort.format(e.probe().address()));
            check.put("healthy", e.probe().healthy());
            ProbeResult last = e.probe().lastResult();
            if (last != null) {
                check.put("lastResult", last.detail());
                check.put("lastProbeAt", last.at().toString());
            }
            out.put("check", check);
        }
        if (e.outlier() != null) {
            Map<String, Object> breaker = new LinkedHashMap<>();
            breaker.put("state", stateName(e.outlier().state()));
            if (e.outlier().openedAt() != null) {
                breaker.put("lastOpenedAt", e.outlier().openedAt().toString());
            }
            out.put("breaker", breaker);
        }
        return out;
    }

    private static String failedCheckWhy(ProbeTarget target) {
        ProbeResult last = target.lastResult();
        return "failed " + target.check().type().configName() + " health check"
                + (last == null ? "" : " (" + last.detail() + " at " + last.at() + ")");
    }

    private String ejectedWhy(OutlierDetector d) {
        String what = d.threshold() == 1 ? "1 failure" : d.threshold() + " failures in a row";
        return "ejected by outlier detection (" + what + ", since " + d.openedAt() + ")";
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
            default -> "breaker " + stateName(to);
        };
        log.warn("service={} endpoint={} health=outlier {} -> {} reason=\"{}\"", key, HostPort.format(address),
                stateName(from), stateName(to), reason);
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
            s.ejections().increment();
        }
    }

    private Counter ejectionsCounter(ServiceKey key) {
        return Counter.builder("junction.endpoint.ejections").tags(Tags.of("service", key.toString()))
                .description("Endpoints taken out of picking by a failed health check or outlier detection")
                .register(registry);
    }

    private List<Meter> bindMeters(ServiceKey key, Counter ejections) {
        List<Meter> meters = new ArrayList<>();
        meters.add(ejections);
        for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN)) {
            meters.add(Gauge.builder("junction.endpoint.breakers", this, board -> board.count(key, state))
                    .tags(Tags.of("service", key.toString())).tag("state", stateName(state))
                    .description("Endpoints of the service by outlier-detection breaker state")
                    .register(registry));
        }
        meters.add(Gauge.builder("junction.endpoints.failing.check", this, board -> board.failingChecks(key))
                .tags(Tags.of("service", key.toString()))
                .description("Endpoints of the service whose active health check fails")
                .register(registry));
        return meters;
    }

    private double count(ServiceKey key, CircuitBreaker.State state) {
        ServiceHealth s = services.get(key);
        if (s == null) {
            return 0;
        }
        int n = 0;
        for (EndpointHealth e : s.byAddress().values()) {
            if (e.outlier() != null && e.outlier().state() == state) {
                n++;
            }
        }
        return n;
    }

    private double failingChecks(ServiceKey key) {
        ServiceHealth s = services.get(key);
        if (s == null) {
            return 0;
        }
        int n = 0;
        for (EndpointHealth e : s.byAddress().values()) {
            if (e.probe() != null && !e.probe().healthy()) {
                n++;
            }
        }
        return n;
    }

    private static String stateName(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        prober.close();
    }
}
