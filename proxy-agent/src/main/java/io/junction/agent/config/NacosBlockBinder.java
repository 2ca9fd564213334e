package io.junction.agent.config;

import io.junction.agent.discovery.nacos.NacosServer;
import io.junction.agent.discovery.nacos.NacosSettings;
import io.junction.agent.discovery.nacos.NacosSource;
import io.junction.core.discovery.DiscoverySource;
import io.netty.util.NetUtil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code discovery.nacos} block: {@code serverAddr} (required), {@code namespace}, {@code group},
 * {@code services} (required), {@code clusters}, {@code username} and {@code password}, {@code pollInterval} and
 * {@code rename}. Every Nacos service must end up with a valid Junction service name, by itself or through
 * {@code rename}, and no two may end up with the same one. Confined to the thread doing the load.
 */
final class NacosBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("serverAddr", "namespace", "group", "services", "clusters", "username",
            "password", "pollInterval", "rename");

    /** Nacos's own rule for namespace ids. */
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** Nacos's own rule for group names (letters, digits, {@code _ - . :}). */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    /** A Nacos service or cluster name as this block accepts it: no spaces, no {@code @@}, no comma. */
    private static final Pattern NACOS_NAME = Pattern.compile("[^\\s,@]+(@[^\\s,@]+)*");
    private static final int MAX_NACOS_NAME = 512;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Problems problems = fields.problems();
        int before = problems.count();
        if (!fields.expectMap(block, path)) {
            return null;
        }
        fields.rejectUnknownKeys(block, path, KEYS);
        List<NacosServer> servers = required(block, path, "serverAddr", fields, "e.g. serverAddr: 10.0.0.5:8848")
                ? servers(fields, block.field("serverAddr"), FieldReader.child(path, "serverAddr")) : null;
        String namespace = FieldReader.optional(block, "namespace", "",
                (n, p) -> matching(fields, n, p, NAMESPACE, "a namespace id (letters, digits, '_' and '-')"), path);
        String group = FieldReader.optional(block, "group", NacosSettings.DEFAULT_GROUP,
                (n, p) -> matching(fields, n, p, GROUP, "a group name (letters, digits, '_', '-', '.', ':')"), path);
        List<String> services = required(block, path, "services", fields, "e.g. services: [web, orders]")
                ? names(fields, block.field("services"), FieldReader.child(path, "services"), "service") : null;
        List<String> clusters = FieldReader.optional(block, "clusters", List.of(),
                (n, p) -> names(fields, n, p, "cluster"), path);
        String username = FieldReader.optional(block, "username", null, (n, p) -> nonEmpty(fields, n, p), path);
        String password = FieldReader.optional(block, "password", null, (n, p) -> nonEmpty(fields, n, p), path);
        if (block.field("username") != null && block.field("password") == null) {
            problems.add(block.field("username"), FieldReader.child(path, "password"),
                    "missing (username needs a password)");
        } else if (block.field("password") != null && block.field("username") == null) {
            problems.add(block.field("password"), FieldReader.child(path, "username"),
                    "missing (password needs a username)");
        }
        Duration poll = FieldReader.optional(block, "pollInterval", NacosSettings.DEFAULT_POLL_INTERVAL,
                (n, p) -> pollInterval(fields, n, p), path);
        Map<String, String> rename = FieldReader.optional(block, "rename", Map.of(),
                (n, p) -> rename(fields, n, p), path);
        if (services != null && rename != null) {
            checkNames(fields, block, path, services, rename);
        }
        if (problems.count() != before) {
            return null;
        }
        return new NacosBlock(new NacosSettings(servers, namespace, group, services, clusters, username, password,
                poll, rename));
    }

    private static boolean required(YamlNode block, String path, String key, FieldReader fields, String example) {
        if (block.field(key) == null) {
            fields.problems().add(block, FieldReader.child(path, key), "missing (required; " + example + ")");
            return false;
        }
        return true;
    }

    /** {@code host[:port]} entries, comma-separated as Nacos clients take them, optionally with http:// or https://. */
    private static List<NacosServer> servers(FieldReader fields, YamlNode node, String path) {
        String text = fields.string(node, path);
        if (text == null) {
            return null;
        }
        List<NacosServer> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            try {
                NacosServer server = server(entry);
                if (!seen.add(server.toString())) {
                    fields.problems().add(node, path, "'" + entry + "' is listed twice");
                    return null;
                }
                out.add(server);
            } catch (IllegalArgumentException e) {
                fields.problems().add(node, path, "'" + abbreviate(entry) + "': " + e.getMessage()
                        + " (expected host:port entries separated by commas, e.g. 10.0.0.5:8848,10.0.0.6:8848)");
                return null;
            }
        }
        return out;
    }

    private static NacosServer server(String entry) {
        if (entry.isEmpty()) {
            throw new IllegalArgumentException("empty entry");
        }
        String scheme = "http";
        String rest = entry;
        int sep = entry.indexOf("://");
        if (sep >= 0) {
            scheme = entry.substring(0, sep);
            rest = entry.substring(sep + 3);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("scheme '" + scheme + "' is not http or https");
            }
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String host;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 address has no closing ']'");
            }
            host = rest.substring(1, close);
            if (!NetUtil.isValidIpV6Address(host)) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("']' must be followed by :port");
                }
                port = after.substring(1);
            }
        } else {
            int colon = rest.indexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? null : rest.substring(colon + 1);
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + abbreviate(host) + "' is not a host name or IPv4 address"
                        + (rest.indexOf('/') >= 0 ? " (a path is not supported: the API lives under /nacos)" : ""));
            }
        }
        int p = NacosServer.DEFAULT_PORT;
        if (port != null) {
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                throw new IllegalArgumentException("port '" + abbreviate(port) + "' is not in 1..65535");
            }
            p = Integer.parseInt(port);
        }
        return new NacosServer(scheme, host, p);
    }

    private static List<String> names(FieldReader fields, YamlNode node, String path, String what) {
        if (!fields.expectList(node, path)) {
            return null;
        }
        if (node.items().isEmpty()) {
            fields.problems().add(node, path, "empty (expected at least one " + what + " name"
                    + (what.equals("cluster") ? "; leave the key out for every cluster)" : ")"));
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < node.items().size(); i++) {
            YamlNode item = node.items().get(i);
            String p = FieldReader.index(path, i);
            String s = fields.string(item, p);
            if (s == null) {
                ok = false;
            } else if (s.length() > MAX_NACOS_NAME || !NACOS_NAME.matcher(s).matches()) {
                fields.problems().add(item, p, item.describe() + " is not a Nacos " + what + " name (no spaces,"
                        + " commas or '@@'" + (what.equals("service") ? "; the group goes in 'group'" : "") + ")");
                ok = false;
            } else if (out.contains(s)) {
                fields.problems().add(item, p, item.describe() + " is listed twice");
                ok = false;
            } else {
                out.add(s);
            }
        }
        return ok ? out : null;
    }

    private static Map<String, String> rename(FieldReader fields, YamlNode node, String path) {
        if (!fields.expectMap(node, path)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (var e : node.fields().entrySet()) {
            String p = FieldReader.child(path, e.getKey());
            String to = fields.string(e.getValue(), p);
            if (to == null) {
                ok = false;
            } else if (!ServiceNames.valid(to)) {
                // What a Nacos name must become to meet a config entry.
                fields.problems().add(e.getValue(), p, e.getValue().describe() + " is not a valid service name ("
                        + ServiceNames.RULE + ")");
                ok = false;
            } else {
                out.put(e.getKey(), to);
            }
        }
        return ok ? out : null;
    }

    /** Every rename names a watched service; every watched service gets a valid, distinct Junction name. */
    private static void checkNames(FieldReader fields, YamlNode block, String path, List<String> services,
                                   Map<String, String> rename) {
        String renamePath = FieldReader.child(path, "rename");
        for (String from : rename.keySet()) {
            if (!services.contains(from)) {
                fields.problems().add(block.field("rename").field(from), FieldReader.child(renamePath, from),
                        "renames a service that is not in services");
            }
        }
        Map<String, String> byTarget = new HashMap<>();
        YamlNode list = block.field("services");
        for (int i = 0; i < services.size(); i++) {
            String service = services.get(i);
            String target = rename.getOrDefault(service, service);
            String p = FieldReader.index(FieldReader.child(path, "services"), i);
            if (!ServiceNames.valid(target)) {
                fields.problems().add(list.items().get(i), p, "'" + abbreviate(service) + "' is not a valid Junction"
                        + " service name; map it with rename, e.g. rename: {" + abbreviate(service) + ": "
                        + suggestion(service) + "}");
                continue;
            }
            String other = byTarget.putIfAbsent(target, service);
            if (other != null) {
                fields.problems().add(list.items().get(i), p, "'" + abbreviate(service) + "' and '"
                        + abbreviate(other) + "' would both be service '" + target + "'");
            }
        }
    }

    private static String suggestion(String service) {
        String s = service.toLowerCase(java.util.Locale.ROOT).replaceAll("[^-a-z0-9.]+", "-")
                .replaceAll("^[-.]+|[-.]+$", "");
        return s.isEmpty() ? "my-service" : s.substring(0, Math.min(s.length(), ServiceNames.MAX_LENGTH));
    }

    private static String matching(FieldReader fields, YamlNode n, String p, Pattern pattern, String expected) {
        String s = fields.string(n, p);
        if (s != null && !pattern.matcher(s).matches()) {
            fields.problems().add(n, p, n.describe() + " is not " + expected);
            return null;
        }
        return s;
    }

    private static String nonEmpty(FieldReader fields, YamlNode n, String p) {
        String s = fields.string(n, p);
        if (s != null && s.isEmpty()) {
            fields.problems().add(n, p, "empty (expected a value, or leave the key out)");
            return null;
        }
        return s;
    }

    private static Duration pollInterval(FieldReader fields, YamlNode n, String p) {
        Duration d = fields.duration(n, p, false, NacosSettings.MAX_POLL_INTERVAL);
        if (d != null && d.compareTo(NacosSettings.MIN_POLL_INTERVAL) < 0) {
            fields.problems().add(n, p, n.describe() + " is too short (expected: >= "
                    + DurationFormat.format(NacosSettings.MIN_POLL_INTERVAL) + ")");
            return null;
        }
        return d;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record NacosBlock(NacosSettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return NacosSource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return new NacosSource(settings, context.metrics(), context.clock());
        }
    }
}
