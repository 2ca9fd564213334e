package io.junction.agent.discovery.eureka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * GETs from the Eureka servers of one source, with JSON accepted, failing over as Eureka's
 * {@code RetryableEurekaHttpClient} does: it sticks to the server that last answered, and when that one cannot be
 * reached or answers with a 5xx it tries the next, each once per call. Any other status is the caller's to judge.
 *
 * <p>Calls are made and completed on the source's fetch thread (the client's executor).
 */
final class EurekaHttp {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> servers;
    private final HttpClient client;
    /** The server that answered last; touched only on the fetch thread. */
    private int current;

    EurekaHttp(List<URI> servers, Executor executor) {
        this.servers = List.copyOf(servers);
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * A response from the first server that gives one.
     *
     * @param server the server that answered
     * @param status the HTTP status
     * @param body   the body
     */
    record Response(URI server, int status, byte[] body) {
    }

    /** GET {@code path} (relative to a service URL, such as {@code apps/delta}). */
    CompletableFuture<Response> get(String path) {
        return attempt(path, current, 0, null);
    }

    private CompletableFuture<Response> attempt(String path, int index, int tried, String previous) {
        if (tried == servers.size()) {
            return CompletableFuture.failedFuture(new EurekaUnavailableException(previous));
        }
        URI server = servers.get(index);
        HttpRequest request = HttpRequest.newBuilder(server.resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, t) -> {
            String failure = t != null ? describe(t) : r.statusCode() >= 500 ? "HTTP " + r.statusCode() : null;
            if (failure == null) {
                current = index;
                return CompletableFuture.completedFuture(new Response(server, r.statusCode(), r.body()));
            }
            String why = (previous == null ? "" : previous + "; ") + server + ": " + failure;
            return attempt(path, (index + 1) % servers.size(), tried + 1, why);
        }).thenCompose(f -> f);
    }

    private static String describe(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    /** Every server failed; the message names each with its reason. */
    static final class EurekaUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EurekaUnavailableException(String message) {
            super(message);
        }
    }
}
