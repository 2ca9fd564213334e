package io.junction.agent.config;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.HostPort;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.TcpSettings;
import io.junction.core.model.UdpSettings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns one {@code services[i]} mapping into a {@link ServiceDefinition}, recording every problem it finds.
 * Confined to the thread doing the load.
 */
final class ServiceBinder {
    static final Set<String> TCP_KEYS = Set.of("connectTimeout", "maxConnectAttempts", "idleTimeout",
            "maxConnections", "drainTimeout", "writeBufferHighWaterMark", "writeBufferLowWaterMark", "splice",
            "proxyProtocol", "acceptProxyProtocol", "connectionRateLimit");
    static final Set<String> UDP_KEYS = Set.of("sessionIdleTimeout", "maxSessions", "maxDatagramSize");
    static final List<String> KEYS = List.of("name", "namespace", "port", "protocol", "listen", "virtualAddress", "lb",
            "affinityTimeout", "endpoints", "connectTimeout", "maxConnectAttempts", "idleTimeout", "maxConnections",
            "drainTimeout", "writeBufferHighWaterMark", "writeBufferLowWaterMark", "splice", "proxyProtocol",
            "acceptProxyProtocol", "connectionRateLimit", "sessionIdleTimeout", "maxSessions", "maxDatagramSize", "healthCheck", "outlierDetection", "panicThreshold", "slowStart",
            "maxConnectionsPerEndpoint", "retryBudget");

    private static final String NAME_EXPECTED = "expected " + ServiceNames.RULE;

    /**
     * A bound service: what it is (the definition the file source delivers) and how this node serves it (its
     * policy: the listen address and what the entry sets), with the lines its cross-service checks point at.
     */
    record Bound(String path, ServiceDefinition definition, ServicePolicy policy, int nameLine, int listenLine,
                 int virtualLine) {
        ServiceKey key() {
            return definition.key();
        }

        InetSocketAddress listen() {
            return policy.listen();
        }
    }

    private final FieldReader fields;
    private final Problems problems;
    private final EndpointBinder endpoints;

    ServiceBinder(FieldReader fields, EndpointBinder endpoints) {
        this.fields = fields;
        this.problems = fields.problems();
        this.endpoints = endpoints;
    }

    /**
     * The bound service, or null when it has errors (they are recorded). Keys the entry leaves out stay unset in its
     * policy, so the file's {@code defaults} (and hints of other sources) apply to them.
     *
     * @param defaults the file's {@code defaults} stacked on the built-in ones (complete but for the listen address)
     * @param nodeMode whether node mode is on: then an entry with a {@code virtualAddress} may leave out {@code listen}
     */
    Bound bind(YamlNode node, String path, ServicePolicy defaults, boolean nodeMode) {
        if (!fields.expectMap(node, path)) {
            return null;
        }
        int before = problems.count();
        fields.rejectUnknownKeys(node, path, KEYS);
        String name = name(node, path, "name", null);
        String namespace = name(node, path, "namespace", ServiceKey.DEFAULT_NAMESPACE);
        String portName = name(node, path, "port", "");
        Protocol protocol = protocol(node, path);
        List<InetSocketAddress> virtuals = virtualAddresses(node, path);
        boolean listenOptional = nodeMode && node.field("virtualAddress") != null;
        InetSocketAddress listen = listen(node, path, listenOptional);
        ServicePolicy own = policyKeys(node, path).withListen(listen);
        TcpSettings tcp = null;
        UdpSettings udp = null;
        if (protocol != null) {
            rejectOtherProtocolKeys(node, path, protocol);
            ProtocolSettingsBinder settings = new ProtocolSettingsBinder(fields);
            if (protocol == Protocol.TCP && hasAny(node, TCP_KEYS)) {
                tcp = settings.tcp(node, path, defaults.tcp());
            }
            if (protocol == Protocol.UDP && hasAny(node, UDP_KEYS)) {
                udp = settings.udp(node, path, defaults.udp());
            }
        }
        HealthSettingsBinder healthBinder = new HealthSettingsBinder(fields);
        HealthSettings health = hasAny(node, HealthSettingsBinder.KEYS)
                ? healthBinder.health(node, path, defaults.health()) : null;
        if (protocol == Protocol.UDP && problems.count() == before) {
            healthBinder.checkUdpProbePort(node, path, (health != null ? health : defaults.health()).check());
        }
        List<Endpoint> eps = endpoints.bindAll(node, path);
        if (problems.count() != before || name == null || protocol == null || (listen == null && !listenOptional)) {
            return null;
        }
        try {
            ServiceKey key = new ServiceKey(namespace, name, portName, protocol);
            ServicePolicy policy = own.withTcp(tcp).withUdp(udp).withHealth(health);
            // The model's own checks, on the policy as it will be served (unless another source hints otherwise).
            ServiceSpec.of(key, listen != null ? listen : new InetSocketAddress(0), policy.over(defaults));
            YamlNode listenNode = node.field("listen");
            YamlNode virtualNode = node.field("virtualAddress");
            return new Bound(path, new ServiceDefinition(key, virtuals, ServicePolicy.EMPTY, eps), policy,
                    node.field("name").line(), listenNode == null ? 0 : listenNode.line(),
                    virtualNode == null ? 0 : virtualNode.line());
        } catch (IllegalArgumentException | NullPointerException e) {
            // The checks above mirror the model's; this only catches a rule the model gained later.
            problems.add(node, path, String.valueOf(e.getMessage()));
            return null;
        }
    }

    /**
     * {@code lb} and {@code affinityTimeout} of a service entry or of the {@code defaults} section; unset when absent.
     * The TCP, UDP and health keys are read by the caller, which knows the protocol and the layer below.
     */
    ServicePolicy policyKeys(YamlNode node, String path) {
        LbPolicy lb = lb(node, path);
        Duration affinity = FieldReader.optional(node, "affinityTimeout", null,
                (n, p) -> fields.duration(n, p, false, ServiceSpec.MAX_AFFINITY_TIMEOUT), path);
        return new ServicePolicy(null, lb, affinity, null, null, null);
    }

    static boolean hasAny(YamlNode node, Set<String> keys) {
        for (String key : node.fields().keySet()) {
            if (keys.contains(key)) {
                return true;
            }
        }
        return false;
    }

    private String name(YamlNode service, String path, String key, String defaultValue) {
        YamlNode node = service.field(key);
        String p = FieldReader.child(path, key);
        if (node == null) {
            if (defaultValue == null) {
                problems.add(service, p, "missing (required)");
            }
            return defaultValue;
        }
        String value = fields.string(node, p);
        if (value == null || (value.isEmpty() && defaultValue != null && defaultValue.isEmpty())) {
            return value;
        }
        if (!ServiceNames.valid(value)) {
            problems.add(node, p, node.describe() + " is not a valid " + key + " (" + NAME_EXPECTED + ")");
            return null;
        }
        return value;
    }

    private Protocol protocol(YamlNode service, String path) {
        return FieldReader.optional(service, "protocol", Protocol.TCP, (n, p) -> {
            String text = fields.string(n, p);
            if (text != null && (text.equalsIgnoreCase("tcp") || text.equalsIgnoreCase("udp"))) {
                return Protocol.valueOf(text.toUpperCase(Locale.ROOT));
            }
            if (text != null) {
                problems.add(n, p, n.describe() + " is not a valid protocol (expected: tcp or udp)");
            }
            return null;
        }, path);
    }

    private LbPolicy lb(YamlNode service, String path) {
        return FieldReader.optional(service, "lb", null, (n, p) -> {
            String text = fields.string(n, p);
            if (text == null) {
                return null;
            }
            try {
                return LbPolicy.parse(text);
            } catch (IllegalArgumentException e) {
                String names = Arrays.stream(LbPolicy.values()).map(LbPolicy::configName)
                        .collect(Collectors.joining(", "));
                problems.add(n, p, n.describe() + " is not a valid lb policy (expected one of: " + names + ")");
                return null;
            }
        }, path);
    }

    private InetSocketAddress listen(YamlNode service, String path, boolean optional) {
        YamlNode node = service.field("listen");
        String p = FieldReader.child(path, "listen");
        if (node == null) {
            if (!optional) {
                problems.add(service, p, "missing (required, unless nodeMode.enabled and a virtualAddress is given)");
            }
            return null;
        }
        return EndpointBinder.listenAddress(fields, node, p);
    }

    /**
     * {@code virtualAddress}: one {@code ip:port} or a list of them (one per IP family, as a dual-stack ClusterIP),
     * delivered as the definition's virtual addresses; empty when absent.
     */
    private List<InetSocketAddress> virtualAddresses(YamlNode service, String path) {
        YamlNode node = service.field("virtualAddress");
        String p = FieldReader.child(path, "virtualAddress");
        if (node == null) {
            return List.of();
        }
        List<YamlNode> items = node.kind() == YamlNode.Kind.LIST ? node.items() : List.of(node);
        if (items.isEmpty()) {
            problems.add(node, p, "empty list (expected at least one ip:port, or leave the key out)");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = node.kind() == YamlNode.Kind.LIST ? FieldReader.index(p, i) : p;
            InetSocketAddress a = virtualAddress(items.get(i), ip);
            if (a != null && out.contains(a)) {
                problems.add(items.get(i), ip, HostPort.format(a) + " is listed twice");
            } else if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private InetSocketAddress virtualAddress(YamlNode node, String path) {
        String text = fields.string(node, path);
        if (text == null) {
            return null;
        }
        try {
            InetSocketAddress address = AddressFormat.ipAndPort(text);
            InetAddress ip = address.getAddress();
            if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
                throw new IllegalArgumentException("a wildcard or multicast address cannot be a service's address");
            }
            return address;
        } catch (IllegalArgumentException e) {
            problems.add(node, path, node.describe() + " is not a valid virtual address: " + e.getMessage()
                    + " (expected ip:port or [ipv6]:port, e.g. 10.96.0.10:80)");
            return null;
        }
    }

    private void rejectOtherProtocolKeys(YamlNode service, String path, Protocol protocol) {
        Set<String> foreign = protocol == Protocol.TCP ? UDP_KEYS : TCP_KEYS;
        String owner = protocol == Protocol.TCP ? "udp" : "tcp";
        for (String key : service.fields().keySet()) {
            if (foreign.contains(key)) {
                problems.add(service.field(key), FieldReader.child(path, key), "applies only to " + owner
                        + " services (this service is " + protocol.lowerName() + ")");
            }
        }
    }
}
