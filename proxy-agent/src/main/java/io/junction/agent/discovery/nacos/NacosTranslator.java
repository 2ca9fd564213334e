package io.junction.agent.discovery.nacos;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.netty.util.NetUtil;
import tools.jackson.databind.JsonNode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns one Nacos service's instance list into Junction service definitions, as the registry naming rule says: the
 * service's name after {@code rename}, in the default namespace with no port name, TCP unless an instance's
 * {@code metadata.protocol} is {@code udp} (so one Nacos service can give a TCP and a UDP service). An instance that
 * cannot be read is left out and named in {@link Translation#malformed()}; the rest of the service still counts.
 *
 * <p>Conditions: {@code healthy: false} → not ready; {@code enabled: false} → neither ready nor serving;
 * {@code weight} 0 → not ready; any other weight is rounded to 1..{@value Endpoint#MAX_WEIGHT}. Ephemeral and
 * persistent instances are read alike. Stateless and thread-safe.
 */
final class NacosTranslator {
    /** Nacos accepts instance weights in 0..10000. */
    static final double MAX_NACOS_WEIGHT = 10_000;

    private final NacosSettings settings;

    NacosTranslator(NacosSettings settings) {
        this.settings = settings;
    }

    /**
     * The definitions of {@code service} (keys only for protocols that have instances) and the instances left out.
     *
     * @param definitions by key; empty when the service has no usable instance
     * @param malformed   one line per instance left out: which one, and why
     */
    record Translation(Map<ServiceKey, ServiceDefinition> definitions, List<String> malformed) {
        Translation {
            definitions = Map.copyOf(definitions);
            malformed = List.copyOf(malformed);
        }

        int instances() {
            int n = 0;
            for (ServiceDefinition d : definitions.values()) {
                n += d.endpoints().size();
            }
            return n;
        }
    }

    Translation translate(String service, InstanceList list) {
        String name = settings.junctionName(stripGroup(service));
        Map<Protocol, Map<InetSocketAddress, Endpoint>> byProtocol = new EnumMap<>(Protocol.class);
        List<String> malformed = new ArrayList<>();
        Set<String> clusters = new LinkedHashSet<>(settings.clusters());
        int i = 0;
        for (JsonNode host : list.hosts()) {
            String where = "service=" + service + " instance=" + describe(host, i++);
            if (!clusters.isEmpty() && !clusters.contains(host.path("clusterName").asString("DEFAULT"))) {
                continue;
            }
            try {
                Protocol protocol = protocol(host);
                Endpoint e = endpoint(host);
                byProtocol.computeIfAbsent(protocol, p -> new LinkedHashMap<>()).putIfAbsent(e.address(), e);
            } catch (IllegalArgumentException e) {
                malformed.add(where + " reason=\"" + e.getMessage() + "\"");
            }
        }
        Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
        byProtocol.forEach((protocol, endpoints) -> {
            ServiceKey key = ServiceKey.of(name, protocol);
            out.put(key, ServiceDefinition.of(key, new ArrayList<>(endpoints.values())));
        });
        return new Translation(out, malformed);
    }

    /** {@code group@@name} → {@code name}, as Nacos writes grouped service names in its answers. */
    static String stripGroup(String service) {
        int at = service.indexOf("@@");
        return at < 0 ? service : service.substring(at + 2);
    }

    private static Protocol protocol(JsonNode host) {
        JsonNode p = host.path("metadata").path("protocol");
        if (p.isMissingNode() || p.isNull()) {
            return Protocol.TCP;
        }
        String s = p.asString("").trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "tcp", "" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw new IllegalArgumentException("metadata.protocol '" + abbreviate(p.asString(""))
                    + "' is neither tcp nor udp");
        };
    }

    private static Endpoint endpoint(JsonNode host) {
        JsonNode ipNode = host.path("ip");
        if (!ipNode.isString()) {
            throw new IllegalArgumentException("ip is missing or not a string");
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(ipNode.asString());
        if (ip == null) {
            throw new IllegalArgumentException("ip '" + abbreviate(ipNode.asString()) + "' is not an IP address");
        }
        JsonNode portNode = host.path("port");
        if (!portNode.isIntegralNumber() || portNode.asLong() < 1 || portNode.asLong() > 65_535) {
            throw new IllegalArgumentException("port " + abbreviate(portNode.toString()) + " is not in 1..65535");
        }
        boolean healthy = bool(host, "healthy");
        boolean enabled = bool(host, "enabled");
        JsonNode weightNode = host.path("weight");
        double weight = 1;
        if (!weightNode.isMissingNode() && !weightNode.isNull()) {
            if (!weightNode.isNumber() || !(weightNode.asDouble() >= 0 && weightNode.asDouble() <= MAX_NACOS_WEIGHT)) {
                throw new IllegalArgumentException("weight " + abbreviate(weightNode.toString()) + " is not in 0..10000");
            }
            weight = weightNode.asDouble();
        }
        int rounded = (int) Math.max(1, Math.min(Endpoint.MAX_WEIGHT, Math.round(weight)));
        boolean ready = healthy && enabled && weight > 0;
        return new Endpoint(new InetSocketAddress(ip, portNode.asInt()), rounded, "",
                "", ready, enabled, false);
    }

    /** A condition flag; absent means true, as Nacos registers instances healthy and enabled by default. */
    private static boolean bool(JsonNode host, String field) {
        JsonNode n = host.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return true;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(field + " " + abbreviate(n.toString()) + " is not true or false");
        }
        return n.asBoolean();
    }

    private static String describe(JsonNode host, int index) {
        JsonNode id = host.path("instanceId");
        if (id.isString()) {
            return abbreviate(id.asString());
        }
        return host.path("ip").isValueNode() && host.path("port").isValueNode()
                ? abbreviate(host.path("ip").asString("") + ":" + host.path("port").asString("")) : "#" + index;
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ').replace('"', '\'');
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
