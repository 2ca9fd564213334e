package io.junction.agent.node;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent's {@code /api/services} as read from inside its namespace: one service's endpoints by {@code ip:port}.
 * Test-only; stateless.
 */
final class AgentView {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AgentView() {
    }

    /** The endpoints of the service named {@code name}, each as its JSON object; empty when there is no such one. */
    static Map<String, JsonNode> endpoints(TestNamespace ns, String admin, String name) throws Exception {
        String[] hostPort = admin.split(":");
        String answer = ns.httpGet(hostPort[0], Integer.parseInt(hostPort[1]), "/api/services");
        JsonNode services = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode service : services) {
            if (service.get("name").asString().equals(name)) {
                for (JsonNode e : service.get("endpoints")) {
                    out.put(e.get("address").asString(), e);
                }
            }
        }
        return out;
    }

    /** The {@code totalConnections} an endpoint has carried; 0 when it is not eligible (not counted then). */
    static long totalConnections(Map<String, JsonNode> endpoints, String address) {
        JsonNode e = endpoints.get(address);
        return e == null || !e.has("totalConnections") ? 0 : e.get("totalConnections").asLong();
    }

    static boolean eligible(Map<String, JsonNode> endpoints, String address) {
        JsonNode e = endpoints.get(address);
        return e != null && e.get("eligible").asBoolean();
    }
}
