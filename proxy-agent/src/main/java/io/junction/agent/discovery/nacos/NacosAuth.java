package io.junction.agent.discovery.nacos;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Nacos's default auth: {@code POST /nacos/v1/auth/login} with {@code username} and {@code password} answers
 * {@code {"accessToken": ..., "tokenTtl": <seconds>, ...}} (nacos.io "Authorization" for 1.X, 2.X and the 3.X user
 * manual alike); every request then carries {@code accessToken=} in its query. The token is renewed by a new login
 * before the request that would use it past 90% of its TTL, and dropped when a server refuses it.
 *
 * <p>Confined to the source's thread (the HTTP client completes on it).
 */
final class NacosAuth {
    static final String LOGIN_PATH = "/nacos/v1/auth/login";
    /** Renew at this share of the TTL, so that a token never expires between two polls' checks. */
    private static final double RENEW_AT = 0.9;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final NacosSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final Executor thread;
    private String token;
    private Instant renewAt = Instant.MIN;
    private long logins;

    NacosAuth(NacosSettings settings, HttpClient http, Clock clock, Duration timeout, Executor thread) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
        this.thread = thread;
    }

    /** A valid token (logging in on {@code server} first when needed), or null when auth is off. */
    CompletableFuture<String> token(NacosServer server) {
        if (!settings.authenticated()) {
            return CompletableFuture.completedFuture(null);
        }
        if (token != null && clock.instant().isBefore(renewAt)) {
            return CompletableFuture.completedFuture(token);
        }
        String form = "username=" + NacosApi.encode(settings.username()) + "&password="
                + NacosApi.encode(settings.password());
        HttpRequest login = HttpRequest.newBuilder(server.uri(LOGIN_PATH, ""))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build();
        Instant asked = clock.instant();
        return http.sendAsync(login, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApplyAsync(r -> accept(server, r, asked), thread);
    }

    /** The server refused the token: the next request logs in again. */
    void invalidate() {
        token = null;
    }

    /** Successful logins so far. */
    long logins() {
        return logins;
    }

    private String accept(NacosServer server, HttpResponse<String> r, Instant asked) {
        if (r.statusCode() / 100 != 2) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " login as '" + settings.username()
                    + "' refused: status=" + r.statusCode() + " body=" + abbreviate(r.body()));
        }
        JsonNode root;
        try {
            root = JSON.readTree(r.body());
        } catch (JacksonException e) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " login answer is not JSON");
        }
        JsonNode value = root.path("accessToken");
        if (!value.isString() || value.asString().isEmpty()) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " login answer has no accessToken");
        }
        long ttlSeconds = root.path("tokenTtl").asLong(0);
        if (ttlSeconds <= 0) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " login answer has no positive tokenTtl");
        }
        token = value.asString();
        renewAt = asked.plusMillis((long) (ttlSeconds * 1000 * RENEW_AT));
        logins++;
        return token;
    }

    static String abbreviate(String s) {
        String oneLine = s == null ? "" : s.replace('\n', ' ').replace('"', '\'');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
