package io.junction.agent.discovery.zookeeper;

import io.junction.core.model.Protocol;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Reads the JSON Curator's {@code JsonInstanceSerializer} writes for a {@code ServiceInstance}:
 * {@code {"name", "id", "address", "port", "sslPort", "payload", "registrationTimeUTC", "serviceType", "uriSpec",
 * "enabled"}}. The payload is read as plain JSON, whatever Java class wrote it ({@code "@class"} and Jackson's
 * type-wrapper arrays are looked through), so instances of any registering application are understood.
 *
 * <p>Host names in {@code address} are resolved here, which may block: call it on the source's own thread, never on
 * an event loop. Stateless apart from the shared (thread-safe) mapper.
 */
public final class InstanceTranslator {
    /** A node larger than this is not an instance record (ZooKeeper's own limit is 1 MiB). */
    static final int MAX_BYTES = 64 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private InstanceTranslator() {
    }

    /** The instance stored at {@code {basePath}/{service}/{id}}; the path, not the JSON, names service and id. */
    public static RegistryInstance translate(String service, String id, byte[] data) throws MalformedInstanceException {
        if (data == null || data.length == 0) {
            throw new MalformedInstanceException("empty node (expected a ServiceInstance JSON)");
        }
        if (data.length > MAX_BYTES) {
            throw new MalformedInstanceException(data.length + " bytes (expected a ServiceInstance JSON of at most "
                    + MAX_BYTES + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (JacksonException e) {
            throw new MalformedInstanceException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedInstanceException("expected a JSON object (a ServiceInstance)");
        }
        Integer port = port(root, "port");
        Integer sslPort = port(root, "sslPort");
        int chosen;
        if (port != null) {
            chosen = port;
        } else if (sslPort != null) {
            chosen = sslPort;
        } else {
            throw new MalformedInstanceException("neither port nor sslPort set");
        }
        InetAddress address = address(root.get("address"));
        return new RegistryInstance(service, id, new InetSocketAddress(address, chosen), protocol(root.get("payload")),
                enabled(root.get("enabled")));
    }

    private static Integer port(JsonNode root, String field) throws MalformedInstanceException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > 65535) {
            throw new MalformedInstanceException(field + ": " + abbreviate(n.toString()) + " (expected: 1..65535)");
        }
        return n.intValue();
    }

    private static InetAddress address(JsonNode n) throws MalformedInstanceException {
        if (n == null || !n.isString() || n.stringValue().isBlank()) {
            throw new MalformedInstanceException("address: " + (n == null ? "missing" : abbreviate(n.toString()))
                    + " (expected: an IP address or host name)");
        }
        String host = n.stringValue().trim();
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new MalformedInstanceException("address: " + abbreviate(host) + " does not resolve");
        }
    }

    private static boolean enabled(JsonNode n) throws MalformedInstanceException {
        if (n == null || n.isNull()) {
            return true;
        }
        if (!n.isBoolean()) {
            throw new MalformedInstanceException("enabled: " + abbreviate(n.toString()) + " (expected: true or false)");
        }
        return n.booleanValue();
    }

    /** {@code payload.protocol}, else {@code payload.metadata.protocol} (Spring Cloud Zookeeper's shape), else TCP. */
    private static Protocol protocol(JsonNode payload) throws MalformedInstanceException {
        JsonNode body = unwrap(payload);
        if (body == null) {
            return Protocol.TCP;
        }
        JsonNode value = body.get("protocol");
        if (value == null || value.isNull()) {
            JsonNode metadata = unwrap(body.get("metadata"));
            value = metadata == null ? null : metadata.get("protocol");
        }
        if (value == null || value.isNull()) {
            return Protocol.TCP;
        }
        if (value.isString()) {
            String p = value.stringValue().trim().toLowerCase(Locale.ROOT);
            if (p.equals("tcp")) {
                return Protocol.TCP;
            }
            if (p.equals("udp")) {
                return Protocol.UDP;
            }
        }
        throw new MalformedInstanceException("payload protocol: " + abbreviate(value.toString())
                + " (expected: tcp or udp)");
    }

    /** The object of a payload: itself, or the value of Jackson's {@code ["class", {...}]} type wrapper. */
    private static JsonNode unwrap(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isObject()) {
            return n;
        }
        if (n.isArray() && n.size() == 2 && n.get(0).isString() && n.get(1).isObject()) {
            return n.get(1);
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
