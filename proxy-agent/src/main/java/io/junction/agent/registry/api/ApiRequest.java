package io.junction.agent.registry.api;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One API request, decoded from HTTP. Immutable (the body array is not copied: the caller hands it over).
 *
 * @param method the HTTP method, upper case
 * @param path   the decoded path, without the query
 * @param params the query parameters
 * @param token  the token from {@code X-Consul-Token}, {@code Authorization: Bearer} or {@code ?token=}; null if none
 * @param body   the body, empty if none
 * @param peer   the client's address
 */
public record ApiRequest(String method, String path, Map<String, List<String>> params, String token, byte[] body,
                         InetAddress peer) {
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        params = Map.copyOf(params);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(peer, "peer");
    }

    /** The first value of query parameter {@code name}, "" when it has no value, null when absent. */
    public String param(String name) {
        List<String> v = params.get(name);
        return v == null ? null : v.isEmpty() ? "" : v.get(0);
    }

    public List<String> params(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** A flag such as {@code ?passing}: present and not {@code false}/{@code 0}. */
    public boolean flag(String name) {
        String v = param(name);
        return v != null && !v.equalsIgnoreCase("false") && !v.equals("0");
    }
}
