package io.junction.agent.discovery.nacos;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Asks the Nacos servers of {@code serverAddr} for a service's instances, as Nacos clients do: it stays with the
 * server that answered last and moves to the next one (in order, round) when that one fails; per server it speaks the
 * newest API version the server has ({@link NacosApi}), and logs in when auth is on ({@link NacosAuth}).
 *
 * <p>Confined to the source's thread: one request at a time, and the HTTP client completes on that thread.
 */
final class NacosClient {
    private final NacosSettings settings;
    private final HttpClient http;
    private final NacosAuth auth;
    private final Duration timeout;
    private final List<NacosServer> servers;
    /** Per server, the API version it answered with (null: not asked yet, start with the newest). */
    private final NacosApi[] apis;
    /** The source's thread, where every completion below runs (failures included, hence the explicit handoffs). */
    private final Executor thread;
    private int current;

    NacosClient(NacosSettings settings, HttpClient http, Clock clock, Duration timeout) {
        this.settings = settings;
        this.http = http;
        this.timeout = timeout;
        this.servers = settings.servers();
        this.apis = new NacosApi[servers.size()];
        this.thread = http.executor().orElseThrow(() -> new IllegalArgumentException("http: no executor"));
        this.auth = new NacosAuth(settings, http, clock, timeout, thread);
    }

    /** The server asked first now. */
    NacosServer currentServer() {
        return servers.get(current);
    }

    /** The API version {@code server} answered with last, or null. */
    NacosApi api(NacosServer server) {
        return apis[servers.indexOf(server)];
    }

    NacosAuth auth() {
        return auth;
    }

    /** {@code service}'s instances; fails with a {@link NacosFailure} naming every server's reason when none answers. */
    CompletableFuture<InstanceList> list(String service) {
        return onServer(service, 0, false, new StringBuilder());
    }

    private CompletableFuture<InstanceList> onServer(String service, int tried, boolean reLoggedIn,
                                                      StringBuilder reasons) {
        int index = current;
        NacosServer server = servers.get(index);
        NacosApi api = apis[index] == null ? NacosApi.V3 : apis[index];
        return auth.token(server)
                .thenCompose(token -> send(server, api, service, token))
                .handleAsync((list, error) -> {
                    if (error == null) {
                        apis[index] = api;
                        return CompletableFuture.completedFuture(list);
                    }
                    NacosFailure f = failure(server, error);
                    if (f.kind() == NacosFailure.Kind.UNSUPPORTED && api != NacosApi.V1) {
                        apis[index] = NacosApi.values()[api.ordinal() + 1];
                        return onServer(service, tried, reLoggedIn, reasons);
                    }
                    if (f.kind() == NacosFailure.Kind.UNSUPPORTED) {
                        apis[index] = null;
                    }
                    if (f.kind() == NacosFailure.Kind.UNAUTHORIZED && settings.authenticated()) {
                        auth.invalidate();
                        if (!reLoggedIn) {
                            return onServer(service, tried, true, reasons);
                        }
                    }
                    reasons.append(reasons.length() == 0 ? "" : "; ").append(f.getMessage());
                    if (tried + 1 >= servers.size()) {
                        return CompletableFuture.<InstanceList>failedFuture(
                                new NacosFailure(NacosFailure.Kind.UNAVAILABLE, reasons.toString()));
                    }
                    current = (index + 1) % servers.size();
                    return onServer(service, tried + 1, false, reasons);
                }, thread)
                .thenCompose(f -> f);
    }

    private CompletableFuture<InstanceList> send(NacosServer server, NacosApi api, String service, String token) {
        HttpRequest request = HttpRequest.newBuilder(server.uri(api.path(), api.query(settings, service, token)))
                .timeout(timeout)
                .header("User-Agent", "Junction-Nacos-Source")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApplyAsync(r -> read(server, api, service, r), thread);
    }

    private static InstanceList read(NacosServer server, NacosApi api, String service, HttpResponse<String> r) {
        int status = r.statusCode();
        if (status / 100 == 2) {
            return api.parse(r.body(), server.toString());
        }
        if (status == 401 || status == 403) {
            throw new NacosFailure(NacosFailure.Kind.UNAUTHORIZED, server + " refused access to service " + service
                    + ": status=" + status + " body=" + NacosAuth.abbreviate(r.body()));
        }
        if (NacosApi.unsupported(status, r.body())) {
            throw new NacosFailure(NacosFailure.Kind.UNSUPPORTED, server + " has no " + api + " API (status="
                    + status + ")");
        }
        throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " " + api + " answered status=" + status
                + " body=" + NacosAuth.abbreviate(r.body()));
    }

    private static NacosFailure failure(NacosServer server, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NacosFailure f) {
            return f;
        }
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " unreachable (" + reason + ")");
    }
}
