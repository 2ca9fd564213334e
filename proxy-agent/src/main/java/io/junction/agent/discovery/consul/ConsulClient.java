package io.junction.agent.discovery.consul;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends the reads of Consul's HTTP API a watch needs, asynchronously on the JDK's HTTP client (no thread waits for a
 * blocking query), with the token, datacenter, tag and health filter the settings ask for; counts the outcomes.
 *
 * <p>Thread-safe.
 */
final class ConsulClient {
    static final String INDEX_HEADER = "X-Consul-Index";
    static final String TOKEN_HEADER = "X-Consul-Token";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Beyond the wait and Consul's up to wait/16 of jitter: time for the answer to travel. */
    private static final Duration RESPONSE_MARGIN = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ConsulSettings settings;
    private final Counter ok;
    private final Counter error;

    ConsulClient(ConsulSettings settings, MeterRegistry metrics) {
        this.settings = settings;
        // HTTP/1.1: plain-text HTTP/2 would start every connection with an h2c upgrade few registries want.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.ok = Counter.builder("junction.consul.requests").tag("result", "ok")
                .description("Requests to the Consul registry, by outcome").register(metrics);
        this.error = Counter.builder("junction.consul.requests").tag("result", "error")
                .description("Requests to the Consul registry, by outcome").register(metrics);
    }

    /** {@code GET /v1/catalog/services}: every service name with its tags. */
    CompletableFuture<HttpResponse<byte[]>> catalogServices(long index) {
        return send("/v1/catalog/services", new StringBuilder(), index);
    }

    /** {@code GET /v1/health/service/{name}}: the instances of one service with their node and checks. */
    CompletableFuture<HttpResponse<byte[]>> healthService(String name, long index) {
        StringBuilder query = new StringBuilder();
        if (settings.onlyPassing()) {
            query.append("&passing");
        }
        if (settings.tag() != null) {
            query.append("&tag=").append(encode(settings.tag()));
        }
        return send("/v1/health/service/" + encode(name), query, index);
    }

    void recordOk() {
        ok.increment();
    }

    void recordError() {
        error.increment();
    }

    private CompletableFuture<HttpResponse<byte[]>> send(String path, StringBuilder query, long index) {
        if (settings.datacenter() != null) {
            query.append("&dc=").append(encode(settings.datacenter()));
        }
        // Index 0 is a first read: it must answer at once, so no index (and no wait) is sent.
        if (index > 0) {
            query.append("&index=").append(index).append("&wait=").append(formatWait(settings.waitTime()));
        }
        String q = query.length() == 0 ? "" : "?" + query.substring(1);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.address() + path + q))
                .timeout(settings.waitTime().plus(settings.waitTime().dividedBy(16)).plus(RESPONSE_MARGIN))
                .header("Accept", "application/json")
                .GET();
        if (settings.token() != null) {
            request.header(TOKEN_HEADER, settings.token());
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Go's duration syntax, which Consul parses: whole seconds as {@code 55s}, anything finer in milliseconds. */
    static String formatWait(Duration wait) {
        return wait.toMillis() % 1000 == 0 ? wait.toSeconds() + "s" : wait.toMillis() + "ms";
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters: safe in a path segment and a query value. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return b.toString();
    }
}
