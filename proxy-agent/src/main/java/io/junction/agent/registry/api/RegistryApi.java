package io.junction.agent.registry.api;

import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckStatus;
import io.junction.agent.registry.store.CheckType;
import io.junction.agent.registry.store.Instance;
import io.junction.agent.registry.store.Registration;
import io.junction.agent.registry.store.RegistryStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Consul-compatible agent API over the {@link RegistryStore}: paths, JSON field names, status codes and the
 * {@code X-Consul-Index} of Consul's agent, catalog, health and status endpoints, kept apart from Netty so it can be
 * driven as plain calls. Writes need the token when one is set; reads with {@code ?index=} block (see
 * {@link BlockingQueries}). Every refusal is counted by its {@link Refusal}.
 *
 * <p>Confined to the registry's event loop.
 */
public final class RegistryApi {
    /** Consul keeps at most this much of a check's output. */
    public static final int MAX_OUTPUT = 4096;
    static final String CONSUL_VERSION = "1.20.0";

    // A key named twice is refused: two parsers may read such a body differently (Go's, so Consul's, takes the last).
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final RegistryStore store;
    private final RegistrationReader reader;
    private final BlockingQueries blocking;
    private final String leader;
    private final byte[] token;
    private final Consumer<Refusal> refused;
    private final CatalogViews views;

    /**
     * @param leader  the {@code ip:port} answered for {@code /v1/status/leader} (the registry's own address)
     * @param token   the token writes need; null for open writes
     * @param refused counts each refusal
     */
    public RegistryApi(RegistryStore store, RegistrationReader reader, BlockingQueries blocking, NodeInfo node,
                       String leader, String token, Consumer<Refusal> refused, String revision) {
        this.store = store;
        this.reader = reader;
        this.blocking = blocking;
        this.leader = leader;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.refused = refused;
        this.views = new CatalogViews(store, node, revision);
    }

    /**
     * Answers {@code r} through {@code reply}, now or (a blocking read) later on the loop. Returns a handle that
     * drops a parked read when its client goes away, or null when the answer was given.
     */
    public Runnable handle(ApiRequest r, Consumer<ApiResponse> reply) {
        try {
            return route(r, reply);
        } catch (ApiException e) {
            refused.accept(e.refusal());
            reply.accept(ApiResponse.text(e.status(), e.getMessage()));
            return null;
        }
    }

    private Runnable route(ApiRequest r, Consumer<ApiResponse> reply) {
        String p = r.path();
        if (p.startsWith("/v1/agent/service/register")) {
            return write(r, reply, p.equals("/v1/agent/service/register"), () -> register(r));
        }
        if (p.startsWith("/v1/agent/service/deregister/")) {
            return write(r, reply, true, () -> deregister(tail(p, "/v1/agent/service/deregister/")));
        }
        for (String verb : List.of("pass", "warn", "fail", "update")) {
            String prefix = "/v1/agent/check/" + verb + "/";
            if (p.startsWith(prefix)) {
                return write(r, reply, true, () -> updateCheck(verb, tail(p, prefix), r));
            }
        }
        switch (p) {
            case "/v1/agent/services":
                return read(r, reply, store::index, views::agentServices);
            case "/v1/agent/checks":
                return read(r, reply, store::index, views::agentChecks);
            case "/v1/catalog/services":
                return read(r, reply, store::index, views::catalogServices);
            case "/v1/status/leader":
                return read(r, reply, store::index, () -> leader);
            case "/v1/status/peers":
                return read(r, reply, store::index, () -> List.of(leader));
            case "/v1/agent/self":
                return read(r, reply, store::index, views::self);
            default:
                break;
        }
        if (p.startsWith("/v1/agent/service/")) {
            String id = tail(p, "/v1/agent/service/");
            if (store.instance(id) == null && "GET".equals(r.method())) {
                throw ApiException.notFound("unknown service ID: " + id);
            }
            return read(r, reply, () -> indexOf(id), () -> views.agentService(id));
        }
        if (p.startsWith("/v1/catalog/service/")) {
            String name = tail(p, "/v1/catalog/service/");
            return read(r, reply, () -> store.indexOfName(name), () -> views.catalogService(name, r.params("tag")));
        }
        if (p.startsWith("/v1/health/service/")) {
            String name = tail(p, "/v1/health/service/");
            boolean passing = r.flag("passing");
            return read(r, reply, () -> store.indexOfName(name), () -> views.healthService(name, r.params("tag"), passing));
        }
        throw ApiException.notFound("404 page not found");
    }

    // ---- writes ----

    private Runnable write(ApiRequest r, Consumer<ApiResponse> reply, boolean known, Runnable action) {
        if (!known) {
            throw ApiException.notFound("404 page not found");
        }
        if (!"PUT".equals(r.method())) {
            reply.accept(methodNotAllowed(r, "PUT"));
            return null;
        }
        authorize(r);
        action.run();
        reply.accept(ApiResponse.ok());
        return null;
    }

    private void authorize(ApiRequest r) {
        if (token == null) {
            return;
        }
        byte[] given = r.token() == null ? new byte[0] : r.token().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            throw new ApiException(403, Refusal.UNAUTHORIZED, "Permission denied");
        }
    }

    private void register(ApiRequest r) {
        Registration reg = reader.read(r.body(), r.peer());
        store.register(reg, r.flag("replace-existing-checks"));
    }

    private void deregister(String id) {
        if (!store.deregister(id)) {
            throw ApiException.notFound("Unknown service ID \"" + id + "\"");
        }
    }

    private void updateCheck(String verb, String id, ApiRequest r) {
        Check c = store.check(id);
        if (c == null) {
            throw ApiException.notFound("Unknown check ID \"" + id + "\". Ensure that the check ID is passed, not "
                    + "the check name.");
        }
        if (c.spec().type() != CheckType.TTL) {
            throw ApiException.invalid("CheckID \"" + id + "\" does not have associated TTL");
        }
        CheckStatus status;
        String output;
        if (verb.equals("update")) {
            JsonFields f = body(r);
            String s = f.string("Status");
            status = s == null ? null : CheckStatus.parse(s);
            if (status == null) {
                throw ApiException.invalid("Status: " + (s == null ? "missing" : "'" + s + "' is not a status")
                        + " (expected passing, warning or critical)");
            }
            output = f.string("Output");
        } else {
            status = switch (verb) {
                case "pass" -> CheckStatus.PASSING;
                case "warn" -> CheckStatus.WARNING;
                default -> CheckStatus.CRITICAL;
            };
            output = r.param("note");
        }
        if (output != null && output.length() > MAX_OUTPUT) {
            output = output.substring(0, MAX_OUTPUT);
        }
        store.update(id, status, output);
    }

    private static JsonFields body(ApiRequest r) {
        JsonNode root;
        try {
            root = JSON.readTree(r.body());
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.invalid("Request decode failed: malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.invalid("Request decode failed: empty body (expected {\"Status\": ..., "
                    + "\"Output\": ...})");
        }
        return new JsonFields(root, "");
    }

    // ---- reads ----

    private Runnable read(ApiRequest r, Consumer<ApiResponse> reply, LongSupplier index, Supplier<Object> body) {
        if (!"GET".equals(r.method())) {
            reply.accept(methodNotAllowed(r, "GET"));
            return null;
        }
        if (r.param("filter") != null && !r.param("filter").isEmpty()) {
            throw ApiException.invalid("filter: filter expressions are not supported by this agent");
        }
        long min = minIndex(r);
        Duration wait = waitOf(r);
        Runnable answer = () -> reply.accept(json(body.get(), Math.max(1, index.getAsLong())));
        if (min > 0 && index.getAsLong() <= min) {
            Runnable parked = blocking.park(min, BlockingQueries.effectiveWait(wait), index, answer);
            if (parked != null) {
                return parked;
            }
        }
        answer.run();
        return null;
    }

    private static long minIndex(ApiRequest r) {
        String s = r.param("index");
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            long v = Long.parseUnsignedLong(s);
            return v < 0 ? Long.MAX_VALUE : v;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("Invalid index: '" + s + "' is not a number");
        }
    }

    private static Duration waitOf(ApiRequest r) {
        String s = r.param("wait");
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return GoDuration.parse(s);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("Invalid wait time: " + e.getMessage());
        }
    }

    private long indexOf(String serviceId) {
        Instance i = store.instance(serviceId);
        return i == null ? store.index() : store.indexOfName(i.name());
    }

    private static ApiResponse json(Object body, long index) {
        return new ApiResponse(200, ApiResponse.JSON, JSON.writeValueAsBytes(body), index);
    }

    private static ApiResponse methodNotAllowed(ApiRequest r, String allowed) {
        return new ApiResponse(405, ApiResponse.TEXT, ("method " + r.method() + " not allowed (expected "
                + allowed + ")").getBytes(StandardCharsets.UTF_8), 0);
    }

    private static String tail(String path, String prefix) {
        String id = path.substring(prefix.length());
        if (id.isEmpty()) {
            throw ApiException.invalid("Missing ID in the path (expected " + prefix + "<id>)");
        }
        return id;
    }
}
