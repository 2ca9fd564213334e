package io.junction.agent.config;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.tcp.AccessLogFormat;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.HostPort;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.TcpSettings;
import io.junction.core.model.UdpSettings;
import io.junction.core.state.NodePolicy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.junction.agent.config.FieldReader.MAX_DURATION;
import static io.junction.agent.config.FieldReader.child;
import static io.junction.agent.config.FieldReader.optional;

/**
 * Walks a parsed file into an {@link AgentConfig}: top-level sections, every service, then the checks that span
 * services (duplicate keys, clashing listen addresses). Used once per load; confined to the loading thread.
 */
final class ConfigBinder {
    static final List<String> TOP_KEYS = List.of("admin", "proxy", "defaults", "discovery", "nodeMode",
            "services");
    /** The {@code defaults} section: what a service entry may set, less its identity, listen address and endpoints. */
    static final List<String> DEFAULTS_KEYS = List.of("lb", "affinityTimeout", "connectTimeout",
            "maxConnectAttempts", "idleTimeout", "maxConnections", "drainTimeout", "writeBufferHighWaterMark",
            "writeBufferLowWaterMark", "splice", "proxyProtocol", "acceptProxyProtocol", "connectionRateLimit",
            "sessionIdleTimeout",
            "maxSessions", "maxDatagramSize", "healthCheck",
            "outlierDetection", "panicThreshold", "slowStart", "maxConnectionsPerEndpoint", "retryBudget");
    static final List<String> ADMIN_KEYS = List.of("listen");
    static final List<String> PROXY_KEYS = List.of("workerThreads", "workerYieldMicros", "shutdownDrainTimeout",
            "accessLog", "accessLogFormat");
    static final List<String> NODE_MODE_KEYS = List.of("enabled", "listenAddress");

    private final Problems problems;
    private final FieldReader fields;
    private final ServiceBinder services;
    private final DiscoveryBinder discovery;

    ConfigBinder(Problems problems, HostResolver resolver) {
        this.problems = problems;
        this.fields = new FieldReader(problems);
        this.services = new ServiceBinder(fields, new EndpointBinder(fields, resolver));
        this.discovery = new DiscoveryBinder(fields);
    }

    AgentConfig bind(YamlNode root) {
        if (root.kind() != YamlNode.Kind.MAP) {
            throw problems.fatal(root.line(), "", "the file must be a mapping with a 'services' list, got "
                    + root.describe(), null);
        }
        fields.rejectUnknownKeys(root, "", TOP_KEYS);
        YamlNode admin = section(root, "admin", ADMIN_KEYS);
        InetSocketAddress adminListen = optional(admin, "listen", AgentConfig.DEFAULT_ADMIN_LISTEN,
                this::adminListen, "admin");
        YamlNode proxy = section(root, "proxy", PROXY_KEYS);
        Integer workers = optional(proxy, "workerThreads", AgentConfig.DEFAULT_WORKER_THREADS,
                (n, p) -> fields.integer(n, p, 0, AgentConfig.MAX_WORKER_THREADS), "proxy");
        Integer yieldMicros = optional(proxy, "workerYieldMicros", AgentConfig.DEFAULT_WORKER_YIELD_MICROS,
                (n, p) -> fields.integer(n, p, 0, AgentConfig.MAX_WORKER_YIELD_MICROS), "proxy");
        Duration drain = optional(proxy, "shutdownDrainTimeout", AgentConfig.DEFAULT_SHUTDOWN_DRAIN_TIMEOUT,
                (n, p) -> fields.duration(n, p, true, MAX_DURATION), "proxy");
        Boolean accessLog = optional(proxy, "accessLog", AgentConfig.DEFAULT_ACCESS_LOG, fields::bool, "proxy");
        AccessLogFormat accessLogFormat = optional(proxy, "accessLogFormat", AgentConfig.DEFAULT_ACCESS_LOG_FORMAT,
                this::accessLogFormat, "proxy");
        ServicePolicy defaults = defaults(section(root, "defaults", DEFAULTS_KEYS));
        List<DiscoveryBlock> blocks = discovery.bind(root.field("discovery"));
        NodeModeConfig nodeMode = nodeMode(section(root, "nodeMode", NODE_MODE_KEYS));
        List<ServiceBinder.Bound> bound = bindServices(root, defaults.over(ServicePolicy.DEFAULTS), nodeMode);
        checkDuplicateKeys(bound);
        checkListenClashes(bound, adminListen);
        checkVirtualAddressClashes(bound);
        problems.throwIfAny();
        Map<ServiceKey, ServiceDefinition> map = new LinkedHashMap<>();
        Map<ServiceKey, ServicePolicy> perService = new LinkedHashMap<>();
        for (ServiceBinder.Bound b : bound) {
            map.put(b.key(), b.definition());
            perService.put(b.key(), b.policy());
        }
        return new AgentConfig(adminListen, workers, yieldMicros, drain, accessLog, accessLogFormat,
                new NodePolicy(defaults, perService), map, blocks, nodeMode);
    }

    /** {@code text} or {@code json}, in any case. */
    private AccessLogFormat accessLogFormat(YamlNode node, String path) {
        String text = fields.string(node, path);
        if (text == null) {
            return null;
        }
        for (AccessLogFormat f : AccessLogFormat.values()) {
            if (f.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        problems.add(node, path, node.describe() + " is not a valid access log format (expected one of: text, json)");
        return null;
    }

    /** The {@code nodeMode} section; absent means off. */
    private NodeModeConfig nodeMode(YamlNode node) {
        Boolean enabled = optional(node, "enabled", false, fields::bool, "nodeMode");
        InetAddress listen = optional(node, "listenAddress", null, (n, p) -> {
            String text = fields.string(n, p);
            if (text == null) {
                return null;
            }
            try {
                return AddressFormat.ip(text.trim());
            } catch (IllegalArgumentException e) {
                problems.add(n, p, n.describe() + " is not a valid listen address: " + e.getMessage()
                        + " (expected an IP address without a port, e.g. 0.0.0.0 or ::)");
                return null;
            }
        }, "nodeMode");
        return new NodeModeConfig(Boolean.TRUE.equals(enabled), listen);
    }

    /** The {@code defaults} section: only what it sets; the built-in defaults fill the rest when served. */
    private ServicePolicy defaults(YamlNode node) {
        ServicePolicy policy = services.policyKeys(node, "defaults");
        ProtocolSettingsBinder settings = new ProtocolSettingsBinder(fields);
        if (ServiceBinder.hasAny(node, ServiceBinder.TCP_KEYS)) {
            policy = policy.withTcp(settings.tcp(node, "defaults", TcpSettings.DEFAULTS));
        }
        if (ServiceBinder.hasAny(node, ServiceBinder.UDP_KEYS)) {
            policy = policy.withUdp(settings.udp(node, "defaults", UdpSettings.DEFAULTS));
        }
        if (ServiceBinder.hasAny(node, HealthSettingsBinder.KEYS)) {
            policy = policy.withHealth(new HealthSettingsBinder(fields).health(node, "defaults",
                    HealthSettings.DEFAULTS));
        }
        return policy;
    }

    /** An optional mapping section; absent or empty means all defaults. */
    private YamlNode section(YamlNode root, String key, List<String> allowed) {
        YamlNode node = root.field(key);
        if (node == null || node.kind() == YamlNode.Kind.NULL || !fields.expectMap(node, key)) {
            return YamlNode.map(node == null ? 0 : node.line(), new LinkedHashMap<>());
        }
        fields.rejectUnknownKeys(node, key, allowed);
        return node;
    }

    private InetSocketAddress adminListen(YamlNode node, String path) {
        // YAML 1.1 readers turn a bare `off` into false; take both spellings to mean "no admin server".
        boolean off = (node.kind() == YamlNode.Kind.STRING && node.text().trim().equalsIgnoreCase("off"))
                || (node.kind() == YamlNode.Kind.BOOL && node.text().equals("false"));
        return off ? null : EndpointBinder.listenAddress(fields, node, path);
    }

    private List<ServiceBinder.Bound> bindServices(YamlNode root, ServicePolicy defaults, NodeModeConfig nodeMode) {
        YamlNode list = root.field("services");
        List<ServiceBinder.Bound> out = new ArrayList<>();
        if (list == null) {
            problems.add(0, "services", "missing (required; use 'services: []' for none)");
            return out;
        }
        if (list.kind() == YamlNode.Kind.NULL) {
            // `services:` with every entry commented out: an empty list, not a type error.
            return out;
        }
        if (!fields.expectList(list, "services")) {
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            ServiceBinder.Bound b = services.bind(list.items().get(i), FieldReader.index("services", i), defaults,
                    nodeMode.enabled());
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    private void checkDuplicateKeys(List<ServiceBinder.Bound> bound) {
        Map<ServiceKey, ServiceBinder.Bound> seen = new HashMap<>();
        for (ServiceBinder.Bound b : bound) {
            ServiceBinder.Bound first = seen.putIfAbsent(b.key(), b);
            if (first != null) {
                problems.add(b.nameLine(), child(b.path(), "name"), "duplicate service " + b.key()
                        + " (already defined at " + first.path() + ", line " + first.nameLine()
                        + "; give it another name, namespace or port)");
            }
        }
    }

    /**
     * Two listeners clash when protocol and port match and the addresses are equal or either is a wildcard: the
     * second bind would fail at run time, so it is refused at load time.
     */
    private void checkListenClashes(List<ServiceBinder.Bound> bound, InetSocketAddress adminListen) {
        Map<String, List<ServiceBinder.Bound>> byPort = new HashMap<>();
        for (ServiceBinder.Bound b : bound) {
            if (b.listen() == null) {
                continue; // node mode: an ephemeral port, never a clash
            }
            String portKey = b.key().protocol() + "/" + b.listen().getPort();
            List<ServiceBinder.Bound> same = byPort.computeIfAbsent(portKey, k -> new ArrayList<>());
            for (ServiceBinder.Bound other : same) {
                if (clash(b.listen(), other.listen())) {
                    problems.add(b.listenLine(), child(b.path(), "listen"), HostPort.format(b.listen()) + "/"
                            + b.key().protocol().lowerName() + " is already used by " + other.path() + " (line "
                            + other.listenLine() + ")");
                    break;
                }
            }
            same.add(b);
            if (adminListen != null && b.key().protocol() == Protocol.TCP && clash(b.listen(), adminListen)) {
                problems.add(b.listenLine(), child(b.path(), "listen"), HostPort.format(b.listen())
                        + " is already used by admin.listen");
            }
        }
    }

    /** One virtual address and protocol leads to one service: the nftables rules could not tell two apart. */
    private void checkVirtualAddressClashes(List<ServiceBinder.Bound> bound) {
        Map<String, ServiceBinder.Bound> seen = new HashMap<>();
        for (ServiceBinder.Bound b : bound) {
            for (InetSocketAddress v : b.definition().virtualAddresses()) {
                String text = HostPort.format(v) + "/" + b.key().protocol().lowerName();
                ServiceBinder.Bound first = seen.putIfAbsent(text, b);
                if (first != null && first != b) {
                    problems.add(b.virtualLine(), child(b.path(), "virtualAddress"), text
                            + " is already used by " + first.path() + " (line " + first.virtualLine() + ")");
                }
            }
        }
    }

    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && (a.getAddress().equals(b.getAddress())
                || a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress());
    }
}
