package io.junction.reliability.frame;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls an agent's registry (the Consul-compatible agent API, {@code discovery.registry}) the way a workload does:
 * plain HTTP on one connection, optionally with the token in {@code X-Consul-Token}.
 */
public final class RegistryClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final String token;

    /** A client of the registry at 127.0.0.1:{@code port}; {@code token} may be null (no header sent). */
    public RegistryClient(String host, int port, String token) {
        this.base = "http://" + host + ":" + port;
        this.token = token;
    }

    /** Registers {@code id} of service {@code name} at {@code address:port}; the response. */
    public HttpResponse<String> register(String id, String name, String address, int port)
            throws IOException, InterruptedException {
        return put("/v1/agent/service/register", """
                {"ID": "%s", "Name": "%s", "Address": "%s", "Port": %d}""".formatted(id, name, address, port),
                "application/json");
    }

    /** Fails unless {@code r} is a 200: the set-up of a scenario that the registry refused is not that scenario. */
    public static void expectOk(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("registry answered " + r.statusCode() + ": " + r.body());
        }
    }

    public HttpResponse<String> deregister(String id) throws IOException, InterruptedException {
        return put("/v1/agent/service/deregister/" + id, "", "application/json");
    }

    /** One PUT of {@code body} with {@code contentType}, the token header when the client has one. */
    public HttpResponse<String> put(String path, String body, String contentType)
            throws IOException, InterruptedException {
        return put(path, HttpRequest.BodyPublishers.ofString(body), contentType);
    }

    /** One PUT of raw bytes, as they are (for bodies that are not valid UTF-8). */
    public HttpResponse<String> put(String path, byte[] body, String contentType)
            throws IOException, InterruptedException {
        return put(path, HttpRequest.BodyPublishers.ofByteArray(body), contentType);
    }

    private HttpResponse<String> put(String path, HttpRequest.BodyPublisher body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType).PUT(body);
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * What a client can read of the catalog: {@code X-Consul-Index} and the bodies of /v1/agent/services and
     * /v1/agent/checks; equal before and after means a request changed nothing.
     */
    public String state() throws IOException, InterruptedException {
        HttpResponse<String> services = get("/v1/agent/services");
        HttpResponse<String> checks = get("/v1/agent/checks");
        return "index " + services.headers().firstValue("X-Consul-Index").orElse("none") + "\n" + services.body()
                + "\n" + checks.body();
    }
}
