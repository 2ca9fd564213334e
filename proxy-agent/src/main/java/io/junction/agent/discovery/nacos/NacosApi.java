package io.junction.agent.discovery.nacos;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The three HTTP versions of Nacos's instance-list call, newest first, each as its documentation gives it:
 * <ul>
 *   <li>{@link #V3}: {@code GET /nacos/v3/client/ns/instance/list} (Nacos 3.x client API; body
 *       {@code {code, message, data: [instance...]}}; nacos.io "Client API", section 2.3);</li>
 *   <li>{@link #V2}: {@code GET /nacos/v2/ns/instance/list} (Nacos 2.2+; body {@code {code, message, data: {hosts,
 *       checksum, lastRefTime, ...}}}; nacos.io "Open API Guide" 2.X, "Query instances");</li>
 *   <li>{@link #V1}: {@code GET /nacos/v1/ns/instance/list} (Nacos 1.x, and 2.x for compatibility; body
 *       {@code {hosts, checksum, lastRefTime, ...}}; nacos.io "Open API Guide" 1.X, "Query instances").</li>
 * </ul>
 * Nacos 3.x may have the v1 and v2 APIs off, and 1.x has only v1, so the client asks the newest first and steps down
 * when a server has no such path. Stateless and thread-safe.
 */
enum NacosApi {
    V3("/nacos/v3/client/ns/instance/list", "clusterName", true),
    V2("/nacos/v2/ns/instance/list", "clusterName", true),
    V1("/nacos/v1/ns/instance/list", "clusters", false);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String path;
    private final String clustersParam;
    private final boolean enveloped;

    NacosApi(String path, String clustersParam, boolean enveloped) {
        this.path = path;
        this.clustersParam = clustersParam;
        this.enveloped = enveloped;
    }

    String path() {
        return path;
    }

    /** The query of a request for {@code service}'s instances ({@code token}: an access token, or null). */
    String query(NacosSettings settings, String service, String token) {
        StringJoiner q = new StringJoiner("&");
        q.add("serviceName=" + encode(service));
        q.add("groupName=" + encode(settings.group()));
        if (!settings.namespace().isEmpty()) {
            q.add("namespaceId=" + encode(settings.namespace()));
        }
        if (!settings.clusters().isEmpty()) {
            q.add(clustersParam + "=" + encode(String.join(",", settings.clusters())));
        }
        if (this != V3) {
            // All instances, healthy or not: health is an endpoint condition here, not a filter.
            q.add("healthyOnly=false");
        }
        if (token != null) {
            q.add("accessToken=" + encode(token));
        }
        return q.toString();
    }

    /** Reads a 2xx body; throws {@link NacosFailure} when it is not what this version documents. */
    InstanceList parse(String body, String server) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " " + name() + " answer is not JSON: "
                    + e.getOriginalMessage());
        }
        JsonNode list = root;
        if (enveloped) {
            JsonNode code = root.path("code");
            if (!code.isIntegralNumber()) {
                throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " " + name()
                        + " answer has no numeric 'code'");
            }
            if (code.asInt() != 0) {
                throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " " + name() + " answered code="
                        + code.asInt() + " message=" + root.path("message").asString(""));
            }
            list = root.path("data");
        }
        JsonNode hosts = this == V3 ? list : list.path("hosts");
        if (!hosts.isArray()) {
            throw new NacosFailure(NacosFailure.Kind.UNAVAILABLE, server + " " + name() + " answer has no instance"
                    + " array (" + (this == V3 ? "data" : enveloped ? "data.hosts" : "hosts") + ")");
        }
        List<JsonNode> out = new ArrayList<>(hosts.size());
        hosts.forEach(out::add);
        if (this == V3) {
            return new InstanceList("", 0, out);
        }
        JsonNode checksum = list.path("checksum");
        return new InstanceList(checksum.isValueNode() ? checksum.asString("") : "",
                list.path("lastRefTime").asLong(0), out);
    }

    /**
     * Whether an answer with {@code status} and {@code body} says the server has no such API (as opposed to a Nacos
     * error about the request, which comes as Nacos's JSON with a {@code code}).
     */
    static boolean unsupported(int status, String body) {
        if (status != 404 && status != 405 && status != 410 && status != 501) {
            return false;
        }
        try {
            JsonNode root = JSON.readTree(body);
            return !(root.path("code").isIntegralNumber() && root.has("message") && root.has("data"));
        } catch (JacksonException e) {
            return true;
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
