package io.junction.agent.discovery.eureka;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Eureka's JSON form of {@code Applications} ({@code Accept: application/json}), as the Eureka server writes it
 * with its Jackson codec: {@code {"applications": {"apps__hashcode": "UP_2_", "application": [{"name": "WEB",
 * "instance": [{"instanceId", "app", "ipAddr", "status", "port": {"$": 8080, "@enabled": "true"}, "securePort",
 * "metadata", "actionType"}]}]}}}. Older servers write a lone application or instance as an object rather than a
 * one-element list; both are read. A malformed instance is left out with a problem line naming it; a document that
 * is not Eureka's shape at all is an error. Stateless and thread-safe.
 */
public final class EurekaDocument {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EurekaDocument() {
    }

    /** Parses one response body; throws {@link IllegalArgumentException} when it is not an applications document. */
    public static EurekaApplications parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode apps = root == null ? null : root.get("applications");
        if (apps == null || !apps.isObject()) {
            throw new IllegalArgumentException("no \"applications\" object in the response");
        }
        String hash = text(apps.get("apps__hashcode"));
        List<EurekaInstance> instances = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode app : elements(apps.get("application"))) {
            String appName = text(app.get("name"));
            for (JsonNode node : elements(app.get("instance"))) {
                try {
                    instances.add(instance(appName, node));
                } catch (IllegalArgumentException e) {
                    problems.add("app=" + appName + " instance=" + text(node.get("instanceId")) + " skipped reason=\""
                            + e.getMessage() + "\"");
                }
            }
        }
        return new EurekaApplications(hash == null ? "" : hash, instances, problems);
    }

    private static EurekaInstance instance(String appName, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        String app = text(node.get("app"));
        app = app != null ? app : appName;
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("no app name");
        }
        String id = text(node.get("instanceId"));
        if (id == null || id.isBlank()) {
            id = text(node.get("hostName"));
        }
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("neither instanceId nor hostName");
        }
        String status = text(node.get("status"));
        if (status == null || status.isBlank()) {
            throw new IllegalArgumentException("no status");
        }
        JsonNode metadata = node.get("metadata");
        String protocol = metadata == null ? null : text(metadata.get("protocol"));
        String zone = metadata == null ? null : text(metadata.get("zone"));
        JsonNode port = node.get("port");
        JsonNode securePort = node.get("securePort");
        return new EurekaInstance(app.toUpperCase(Locale.ROOT), id, text(node.get("ipAddr")),
                status.toUpperCase(Locale.ROOT), portNumber(port, "port"), enabled(port), portNumber(securePort,
                "securePort"), enabled(securePort), protocol, zone, text(node.get("actionType")));
    }

    private static int portNumber(JsonNode port, String field) {
        String value = port == null ? null : text(port.isObject() ? port.get("$") : port);
        if (value == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0 || n > 65535) {
                throw new IllegalArgumentException(field + " " + value + " is out of range (expected: 0..65535)");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " \"" + value + "\" is not a number", e);
        }
    }

    private static boolean enabled(JsonNode port) {
        return port != null && port.isObject() && "true".equalsIgnoreCase(text(port.get("@enabled")));
    }

    /** The members of a list, or the one object where a single member was written without a list. */
    private static List<JsonNode> elements(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return List.of();
        }
        if (node.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            node.values().forEach(out::add);
            return out;
        }
        return List.of(node);
    }

    /** A scalar as text; null for absent, null and structured values. */
    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainer()) {
            return null;
        }
        return node.asString();
    }
}
