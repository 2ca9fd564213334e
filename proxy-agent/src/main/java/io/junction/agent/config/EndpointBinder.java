package io.junction.agent.config;

import io.junction.core.model.Endpoint;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.junction.agent.config.FieldReader.child;
import static io.junction.agent.config.FieldReader.index;
import static io.junction.agent.config.FieldReader.optional;

/**
 * Reads {@code endpoints} lists and listen addresses. Host names in endpoints are resolved here, once per name and
 * load, so the data path never sees a name. Confined to the thread doing the load.
 */
final class EndpointBinder {
    static final List<String> KEYS = List.of("address", "weight", "zone", "node", "ready", "serving", "terminating");

    private final FieldReader fields;
    private final Problems problems;
    private final HostResolver resolver;
    private final Map<String, InetAddress> resolved = new HashMap<>();

    EndpointBinder(FieldReader fields, HostResolver resolver) {
        this.fields = fields;
        this.problems = fields.problems();
        this.resolver = resolver;
    }

    /** A listen address: an IP literal and a port, never a host name (binding must not depend on DNS). */
    static InetSocketAddress listenAddress(FieldReader fields, YamlNode node, String path) {
        String text = fields.string(node, path);
        if (text == null) {
            return null;
        }
        try {
            return AddressFormat.ipAndPort(text);
        } catch (IllegalArgumentException e) {
            fields.problems().add(node, path, node.describe() + " is not a valid listen address: " + e.getMessage()
                    + " (" + AddressFormat.EXPECTED + ")");
            return null;
        }
    }

    /** The endpoints of one service; errors are recorded and the bad entries left out. */
    List<Endpoint> bindAll(YamlNode service, String servicePath) {
        String path = child(servicePath, "endpoints");
        YamlNode list = service.field("endpoints");
        if (list == null) {
            // A service this node serves while other discovery sources (or none yet) provide its endpoints.
            return List.of();
        }
        if (list.kind() == YamlNode.Kind.NULL || !fields.expectList(list, path)) {
            if (list.kind() == YamlNode.Kind.NULL) {
                problems.add(list, path, "expected a list, got nothing (use 'endpoints: []' for none yet)");
            }
            return List.of();
        }
        List<Endpoint> out = new ArrayList<>();
        Map<InetSocketAddress, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            Endpoint ep = bind(item, index(path, i));
            if (ep == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(ep.address(), i);
            if (first != null) {
                problems.add(item, index(path, i), "duplicate endpoint " + ep.hostPort()
                        + " (same as endpoints[" + first + "])");
            } else {
                out.add(ep);
            }
        }
        return out;
    }

    private Endpoint bind(YamlNode node, String path) {
        if (node.kind() == YamlNode.Kind.STRING) {
            InetSocketAddress address = address(node, path);
            return address == null ? null : Endpoint.of(address);
        }
        if (node.kind() != YamlNode.Kind.MAP) {
            problems.add(node, path, "expected \"ip:port\" or a mapping with 'address' (and optionally weight, zone, "
                    + "node, ready, serving, terminating), got " + node.describe());
            return null;
        }
        int before = problems.count();
        fields.rejectUnknownKeys(node, path, KEYS);
        YamlNode addressNode = node.field("address");
        InetSocketAddress address = null;
        if (addressNode == null) {
            problems.add(node, child(path, "address"), "missing (required)");
        } else {
            address = address(addressNode, child(path, "address"));
        }
        Integer weight = optional(node, "weight", 1, (n, p) -> fields.integer(n, p, 1, Endpoint.MAX_WEIGHT), path);
        String zone = optional(node, "zone", "", fields::string, path);
        String nodeName = optional(node, "node", "", fields::string, path);
        Boolean ready = optional(node, "ready", Boolean.TRUE, fields::bool, path);
        Boolean serving = optional(node, "serving", Boolean.TRUE, fields::bool, path);
        Boolean terminating = optional(node, "terminating", Boolean.FALSE, fields::bool, path);
        if (problems.count() != before || address == null) {
            return null;
        }
        return new Endpoint(address, weight, zone, nodeName, ready, serving, terminating);
    }

    private InetSocketAddress address(YamlNode node, String path) {
        String text = fields.string(node, path);
        if (text == null) {
            return null;
        }
        AddressFormat.HostPort hp;
        InetAddress ip;
        try {
            hp = AddressFormat.split(text.trim());
            ip = AddressFormat.literal(hp);
        } catch (IllegalArgumentException e) {
            problems.add(node, path, node.describe() + " is not a valid endpoint address: " + e.getMessage()
                    + " (expected ip:port, [ipv6]:port or host:port)");
            return null;
        }
        if (ip == null) {
            ip = resolve(node, path, hp.host());
        }
        return ip == null ? null : new InetSocketAddress(ip, hp.port());
    }

    private InetAddress resolve(YamlNode node, String path, String host) {
        if (!AddressFormat.isHostName(host)) {
            problems.add(node, path, node.describe() + " is not a valid endpoint address: '" + host
                    + "' is neither an IP address nor a host name");
            return null;
        }
        InetAddress cached = resolved.get(host);
        if (cached != null) {
            return cached;
        }
        try {
            InetAddress ip = resolver.resolve(host);
            if (ip == null) {
                throw new UnknownHostException(host);
            }
            resolved.put(host, ip);
            return ip;
        } catch (UnknownHostException e) {
            // Not e's message: the JDK words a fresh failure ("host: Name or service not known") and one from its
            // negative cache ("host") differently, and a retry of the same file must read the same.
            problems.add(node, path, "cannot resolve host '" + host + "' (unknown host)");
            return null;
        } catch (RuntimeException e) {
            problems.add(node, path, "cannot resolve host '" + host + "' (" + e + ")");
            return null;
        }
    }
}
