package io.junction.agent.admin;

import io.junction.core.forward.Transports;
import io.junction.core.health.HealthBoard;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HostPort;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ProxyController;
import io.junction.core.state.EndpointStatus;
import io.junction.core.state.ProxySnapshot;
import io.junction.core.state.Readiness;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.state.SourceStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The admin API's routes, kept apart from Netty so they can be tested as plain calls:
 * <ul>
 *   <li>{@code /healthz}: liveness, 200 while the process runs;</li>
 *   <li>{@code /readyz}: 200 once every discovery source has synced and every listener is bound, else 503 with the
 *       reason (a source not synced yet, or a listen address that could not be bound);</li>
 *   <li>{@code /metrics}: Prometheus text format;</li>
 *   <li>{@code /api/status}: agent, sources and listener errors as JSON;</li>
 *   <li>{@code /api/services}: every service with its endpoints, eligibility and counters as JSON;</li>
 *   <li>{@code /api/registry}: the local registry's instances and checks, when {@code discovery.registry} is on;</li>
 *   <li>{@code /}: a small HTML status page.</li>
 * </ul>
 *
 * <p>Thread-safe: reads only published snapshots and thread-safe counters.
 */
public final class AdminRoutes {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ProxyController controller;
    private final PrometheusMeterRegistry registry;
    private final String version;
    private final Supplier<Map<String, Object>> extraStatus;
    private final HealthBoard health;
    private final long startedMillis = System.currentTimeMillis();
    private volatile Supplier<Map<String, Object>> registryView;

    /**
     * @param extraStatus more fields for {@code /api/status} (for example the config file's reload counters)
     * @param health      the endpoints' health checks and breakers, shown per endpoint
     */
    public AdminRoutes(ProxyController controller, PrometheusMeterRegistry registry, String version,
                       Supplier<Map<String, Object>> extraStatus, HealthBoard health) {
        this.controller = controller;
        this.registry = registry;
        this.version = version;
        this.extraStatus = extraStatus;
        this.health = health;
    }

    /** An HTTP response: status, content type and body. Immutable. */
    public record Response(int status, String contentType, byte[] body) {
        static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        static Response json(Object value) {
            return new Response(200, "application/json", JSON.writeValueAsBytes(value));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Serves {@code /api/registry} from {@code view} (the registry's published state); without it, 404. */
    public void registry(Supplier<Map<String, Object>> view) {
        this.registryView = view;
    }

    public Response handle(String path) {
        return switch (path) {
            case "/healthz" -> Response.text(200, "ok\n");
            case "/readyz" -> readiness();
            case "/metrics" -> new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
            case "/api/status" -> Response.json(status());
            case "/api/services" -> Response.json(services());
            case "/api/registry" -> registryView == null
                    ? Response.text(404, "not found: /api/registry (discovery.registry is off)\n")
                    : Response.json(registryView.get());
            case "/" -> new Response(200, "text/html; charset=utf-8",
                    StatusPage.render(status(), services()).getBytes(StandardCharsets.UTF_8));
            default -> Response.text(404, "not found: " + path
                    + "\n(try /healthz, /readyz, /metrics, /api/status, /api/services, /)\n");
        };
    }

    /** The controller's one readiness answer; {@code /api/status} and the status page show the same. */
    private Response readiness() {
        Readiness r = controller.readiness();
        return r.ready() ? Response.text(200, "ready\n") : Response.text(503, "not ready: " + r.reason() + "\n");
    }

    Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        ProxySnapshot snapshot = controller.snapshot();
        out.put("version", version);
        Readiness readiness = controller.readiness();
        out.put("ready", readiness.ready());
        out.put("notReadyReason", readiness.ready() ? null : readiness.reason());
        out.put("transport", Transports.name());
        out.put("uptimeSeconds", (System.currentTimeMillis() - startedMillis) / 1000);
        out.put("pid", ProcessHandle.current().pid());
        out.put("snapshotVersion", snapshot.version());
        out.put("services", snapshot.services().size());
        out.put("heapUsedBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        List<Map<String, Object>> sources = new ArrayList<>();
        for (SourceStatus s : controller.sourceStatus().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("synced", s.synced());
            m.put("updates", s.updates());
            m.put("errors", s.errors());
            m.put("lastUpdate", s.lastUpdate() == null ? null : s.lastUpdate().toString());
            m.put("lastError", s.lastError());
            m.put("lastErrorAt", s.lastErrorAt() == null ? null : s.lastErrorAt().toString());
            sources.add(m);
        }
        out.put("sources", sources);
        Map<String, String> listenerErrors = new LinkedHashMap<>();
        controller.listenerErrors().forEach((k, v) -> listenerErrors.put(k.toString(), v));
        out.put("listenerErrors", listenerErrors);
        Map<String, String> unserved = new TreeMap<>();
        snapshot.unserved().forEach((k, v) -> unserved.put(k.toString(), v));
        out.put("unservedServices", unserved);
        out.putAll(extraStatus.get());
        return out;
    }

    List<Map<String, Object>> services() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<ServiceKey, InetSocketAddress> boundAddresses = controller.boundAddresses();
        for (ServiceHandle handle : controller.handles()) {
            ServiceSnapshot s = handle.current();
            ServiceKey key = handle.key();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", key.toString());
            m.put("namespace", key.namespace());
            m.put("name", key.name());
            m.put("protocol", key.protocol().lowerName());
            m.put("listen", HostPort.format(s.spec().listen()));
            var bound = boundAddresses.get(key);
            m.put("bound", bound == null ? null : HostPort.format(bound));
            m.put("lb", s.spec().lb().configName());
            m.put("snapshotVersion", s.version());
            m.put("panic", s.panic());
            m.put("counters", counters(key.protocol(), handle.metrics()));
            Map<String, Backend> backends = new LinkedHashMap<>();
            for (Backend b : s.eligible()) {
                backends.put(b.endpoint().hostPort(), b);
            }
            List<Map<String, Object>> endpoints = new ArrayList<>();
            for (EndpointStatus status : s.endpoints()) {
                Endpoint e = status.endpoint();
                Map<String, Object> em = new LinkedHashMap<>();
                em.put("address", e.hostPort());
                em.put("weight", e.weight());
                em.put("node", e.node());
                em.put("zone", e.zone());
                em.put("ready", e.ready());
                em.put("serving", e.serving());
                em.put("terminating", e.terminating());
                em.put("eligible", status.eligible());
                em.put("why", status.why());
                Map<String, Object> endpointHealth = health.describe(key, e.address());
                if (!endpointHealth.isEmpty()) {
                    em.put("health", endpointHealth);
                }
                Backend b = backends.get(e.hostPort());
                if (b != null) {
                    em.put("activeConnections", b.activeConnections());
                    em.put("totalConnections", b.totalConnections());
                    em.put("connectFailures", b.connectFailures());
                    em.put("bytesToBackend", b.bytesToBackend());
                    em.put("bytesFromBackend", b.bytesFromBackend());
                }
                endpoints.add(em);
            }
            m.put("endpoints", endpoints);
            out.add(m);
        }
        return out;
    }

    /** The counters that apply to the service's protocol, as {@code /metrics} exports them. */
    private static Map<String, Object> counters(Protocol protocol, ServiceMetrics m) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (protocol == Protocol.TCP) {
            c.put("connectionsAccepted", m.connectionsAccepted());
            c.put("connectionsActive", m.connectionsActive());
            c.put("connectRetries", m.connectRetries());
            c.put("connectFailures", m.connectFailures());
            c.put("splicedConnections", m.splicedConnections());
        } else {
            c.put("udpSessionsActive", m.sessionsActive());
            c.put("udpSessionsCreated", m.sessionsCreated());
            c.put("udpSessionsExpired", m.sessionsExpired());
            c.put("udpDatagramsToBackend", m.datagramsToBackend());
            c.put("udpDatagramsToClient", m.datagramsToClient());
        }
        c.put("bytesToBackend", m.bytesToBackend());
        c.put("bytesToClient", m.bytesToClient());
        Map<String, Long> failures = new LinkedHashMap<>();
        for (FailureReason r : FailureReason.values()) {
            if (r.appliesTo(protocol)) {
                failures.put(r.tag(), m.failures(r));
            }
        }
        c.put("failures", failures);
        return c;
    }

    static String formatUptime(long seconds) {
        return Duration.ofSeconds(seconds).toString().substring(2).toLowerCase();
    }
}
