package io.junction.agent.discovery.consul;

import io.junction.core.model.Endpoint;
import io.netty.util.NetUtil;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Turns the JSON of Consul's catalog and health reads into Junction's terms, following Consul's own rules: an
 * instance's address is {@code Service.Address}, or {@code Node.Address} when that is empty; {@code Weights.Passing}
 * is its weight; it is ready when every check of its entry (the node's included) passes, as {@code ?passing} means.
 * Without {@code onlyPassing} a warning instance stays ready with {@code Weights.Warning} (out at 0), as Consul's DNS
 * interface does, and a critical one is listed not ready. Stateless and thread-safe.
 */
final class ConsulTranslator {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The instances of one service, and why any instance was left out.
     *
     * @param endpoints the endpoints, ordered by address, one per address
     * @param skipped   one line per instance left out (an address that is not an IP, a bad port), by instance ID
     */
    record Instances(List<Endpoint> endpoints, List<String> skipped) {
        Instances {
            endpoints = List.copyOf(endpoints);
            skipped = List.copyOf(skipped);
        }
    }

    private ConsulTranslator() {
    }

    /**
     * The service names of a {@code /v1/catalog/services} answer ({@code {"web": ["v1"], ...}}), only those with
     * {@code tag} when it is set.
     *
     * @throws IllegalArgumentException when the body is not that shape
     */
    static SortedSet<String> serviceNames(byte[] body, String tag) {
        JsonNode root = parse(body);
        if (!root.isObject()) {
            throw new IllegalArgumentException("catalog services: expected a JSON object of service names");
        }
        SortedSet<String> names = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().isEmpty()) {
                continue;
            }
            if (tag == null || hasTag(e.getValue(), tag)) {
                names.add(e.getKey());
            }
        }
        return Collections.unmodifiableSortedSet(names);
    }

    /**
     * The instances of a {@code /v1/health/service/{name}} answer.
     *
     * @param onlyPassing whether a warning check makes an instance not ready (as {@code ?passing} does)
     * @throws IllegalArgumentException when the body is not a list of entries with a {@code Service}
     */
    static Instances instances(byte[] body, boolean onlyPassing) {
        JsonNode root = parse(body);
        if (!root.isArray()) {
            throw new IllegalArgumentException("health service: expected a JSON array of entries");
        }
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode entry : root) {
            if (!entry.path("Service").isObject()) {
                throw new IllegalArgumentException("health service: an entry has no Service object");
            }
            entries.add(entry);
        }
        // Consul's order is by node; by instance ID the first of two instances on one address is stable.
        entries.sort(Comparator.comparing((JsonNode e) -> e.path("Service").path("ID").asString(""))
                .thenComparing(e -> e.path("Node").path("Node").asString("")));
        Map<InetSocketAddress, Endpoint> byAddress = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (JsonNode entry : entries) {
            String problem = endpoint(entry, onlyPassing, byAddress);
            if (problem != null) {
                skipped.add("instance " + entry.path("Service").path("ID").asString("?") + ": " + problem);
            }
        }
        List<Endpoint> endpoints = new ArrayList<>(byAddress.values());
        endpoints.sort(Comparator.comparing(Endpoint::hostPort));
        return new Instances(endpoints, skipped);
    }

    /** Adds the entry's endpoint unless its address is taken; returns why it was left out, or null. */
    private static String endpoint(JsonNode entry, boolean onlyPassing, Map<InetSocketAddress, Endpoint> out) {
        JsonNode service = entry.path("Service");
        JsonNode node = entry.path("Node");
        String host = service.path("Address").asString("");
        if (host.isEmpty()) {
            host = node.path("Address").asString("");
        }
        if (host.isEmpty()) {
            return "no address (Service.Address and Node.Address are empty)";
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
        if (ip == null) {
            return "address '" + abbreviate(host) + "' is not an IP address (host names are not resolved)";
        }
        JsonNode portNode = service.path("Port");
        int port = portNode.isIntegralNumber() && portNode.canConvertToInt() ? portNode.intValue() : 0;
        if (port < 1 || port > 65_535) {
            return "port " + abbreviate(portNode.asString("none")) + " is out of range (expected: 1..65535)";
        }
        Health health = health(entry.path("Checks"));
        JsonNode weights = service.path("Weights");
        boolean ready;
        int weight;
        if (health == Health.PASSING) {
            ready = true;
            weight = weight(weights.path("Passing"));
        } else if (health == Health.WARNING && !onlyPassing) {
            weight = weight(weights.path("Warning"));
            ready = weight > 0;
        } else {
            ready = false;
            weight = weight(weights.path("Passing"));
        }
        InetSocketAddress address = new InetSocketAddress(ip, port);
        out.putIfAbsent(address, new Endpoint(address, Math.max(weight, 1), "", node.path("Node").asString(""),
                ready, ready, false));
        return null;
    }

    /** A weight as Consul gives it, in Junction's 0..1000 (absent: Consul's default, 1). */
    private static int weight(JsonNode n) {
        if (!n.isIntegralNumber()) {
            return 1;
        }
        long w = n.longValue();
        return (int) Math.max(0, Math.min(Endpoint.MAX_WEIGHT, w));
    }

    private enum Health { PASSING, WARNING, CRITICAL }

    /** The worst status among the checks; anything but passing or warning (critical, maintenance) is critical. */
    private static Health health(JsonNode checks) {
        Health worst = Health.PASSING;
        for (JsonNode check : checks) {
            String status = check.path("Status").asString("");
            if (status.equals("warning")) {
                worst = Health.WARNING;
            } else if (!status.equals("passing")) {
                return Health.CRITICAL;
            }
        }
        return worst;
    }

    private static boolean hasTag(JsonNode tags, String tag) {
        for (JsonNode t : tags) {
            if (tag.equals(t.asString(null))) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
