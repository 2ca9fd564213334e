package io.junction.agent.config;

import io.junction.agent.discovery.consul.ConsulSettings;
import io.junction.agent.discovery.consul.ConsulSource;
import io.junction.core.discovery.DiscoverySource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the {@code discovery.consul} block: {@code address} (required), {@code token}, {@code services},
 * {@code datacenter}, {@code tag}, {@code onlyPassing}, {@code wait} and {@code rename}. Confined to the thread doing
 * the load.
 */
final class ConsulBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("address", "token", "services", "datacenter", "tag", "onlyPassing",
            "wait", "rename");

    /** Consul's datacenter names: letters, digits, '-' and '_'. */
    private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** An HTTP header value without spaces: what ACL tokens (UUIDs) are. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,512}");
    private static final int MAX_REGISTRY_NAME = 255;

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Problems problems = fields.problems();
        int before = problems.count();
        if (!fields.expectMap(block, path)) {
            return null;
        }
        fields.rejectUnknownKeys(block, path, KEYS);
        YamlNode addressNode = block.field("address");
        URI address = null;
        if (addressNode == null) {
            problems.add(block, FieldReader.child(path, "address"),
                    "missing (required: the registry's host:port or http(s)://host:port, e.g. 127.0.0.1:8500)");
        } else {
            address = address(fields, addressNode, FieldReader.child(path, "address"));
        }
        String token = FieldReader.optional(block, "token", null, (n, p) -> matching(fields, n, p, TOKEN,
                "an ACL token: 1 to 512 visible ASCII characters, no spaces"), path);
        List<String> services = FieldReader.optional(block, "services", null, (n, p) -> services(fields, n, p), path);
        String datacenter = FieldReader.optional(block, "datacenter", null, (n, p) -> matching(fields, n, p,
                DATACENTER, "a datacenter name: letters, digits, '-' and '_', at most 64"), path);
        String tag = FieldReader.optional(block, "tag", null, (n, p) -> registryName(fields, n, p, "tag"), path);
        Boolean onlyPassing = FieldReader.optional(block, "onlyPassing", Boolean.TRUE, fields::bool, path);
        Duration wait = FieldReader.optional(block, "wait", ConsulSettings.DEFAULT_WAIT, (n, p) -> {
            Duration d = fields.duration(n, p, false, ConsulSettings.MAX_WAIT);
            if (d != null && d.compareTo(ConsulSettings.MIN_WAIT) < 0) {
                problems.add(n, p, n.describe() + " is too short (expected: >= 1s; Consul allows up to 10m)");
                return null;
            }
            return d;
        }, path);
        Map<String, String> rename = FieldReader.optional(block, "rename", Map.of(),
                (n, p) -> rename(fields, n, p, services), path);
        if (problems.count() != before || address == null || onlyPassing == null || wait == null || rename == null) {
            return null;
        }
        return new ConsulBlock(new ConsulSettings(address, token, services, datacenter, tag, onlyPassing, wait,
                rename));
    }

    /** {@code host:port}, {@code http://host:port} or {@code https://host:port}; no path, user or query. */
    private static URI address(FieldReader fields, YamlNode n, String p) {
        String text = fields.string(n, p);
        if (text == null) {
            return null;
        }
        String scheme = "http";
        String rest = text.trim();
        int sep = rest.indexOf("://");
        if (sep >= 0) {
            scheme = rest.substring(0, sep);
            rest = rest.substring(sep + 3);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return invalid(fields, n, p, "the scheme must be http or https");
            }
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
        }
        if (rest.contains("/") || rest.contains("?") || rest.contains("#") || rest.contains("@")) {
            return invalid(fields, n, p, "only the registry's host and port are allowed (no path, query or user)");
        }
        try {
            AddressFormat.HostPort hp = AddressFormat.split(rest);
            if (AddressFormat.literal(hp) == null && !AddressFormat.isHostName(hp.host())) {
                return invalid(fields, n, p, "'" + hp.host() + "' is neither an IP address nor a host name");
            }
            String host = hp.bracketed() ? "[" + hp.host() + "]" : hp.host();
            return URI.create(scheme + "://" + host + ":" + hp.port());
        } catch (IllegalArgumentException e) {
            return invalid(fields, n, p, e.getMessage());
        }
    }

    private static URI invalid(FieldReader fields, YamlNode n, String p, String reason) {
        fields.problems().add(n, p, n.describe() + " is not a valid registry address: " + reason
                + " (expected host:port or http(s)://host:port, e.g. 127.0.0.1:8500)");
        return null;
    }

    private static List<String> services(FieldReader fields, YamlNode n, String p) {
        if (!fields.expectList(n, p)) {
            return null;
        }
        if (n.items().isEmpty()) {
            fields.problems().add(n, p, "empty list (expected registry service names; leave the key out to watch "
                    + "every service of the catalog)");
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < n.items().size(); i++) {
            YamlNode item = n.items().get(i);
            String ip = FieldReader.index(p, i);
            String name = registryName(fields, item, ip, "service name");
            if (name == null) {
                ok = false;
            } else if (out.contains(name)) {
                fields.problems().add(item, ip, item.describe() + " is listed twice");
                ok = false;
            } else {
                out.add(name);
            }
        }
        return ok ? out : null;
    }

    private static Map<String, String> rename(FieldReader fields, YamlNode n, String p, List<String> services) {
        if (!fields.expectMap(n, p)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (var e : n.fields().entrySet()) {
            String key = e.getKey();
            String kp = FieldReader.child(p, key.length() <= 64 ? key : key.substring(0, 61) + "...");
            if (key.isEmpty() || key.length() > MAX_REGISTRY_NAME || hasControl(key)) {
                fields.problems().add(e.getValue(), kp, "not a registry service name (1 to " + MAX_REGISTRY_NAME
                        + " characters, no control characters)");
                ok = false;
                continue;
            }
            if (services != null && !services.contains(key)) {
                fields.problems().add(e.getValue(), kp, "renames '" + key + "', which services does not list");
                ok = false;
            }
            String target = matching(fields, e.getValue(), kp, ServiceNames.PATTERN,
                    "a Junction service name (" + ServiceNames.RULE + ")");
            if (target != null && target.length() > ServiceNames.MAX_LENGTH) {
                fields.problems().add(e.getValue(), kp, e.getValue().describe() + " is longer than "
                        + ServiceNames.MAX_LENGTH + " characters");
                target = null;
            }
            if (target == null) {
                ok = false;
            } else {
                out.put(key, target);
            }
        }
        return ok ? out : null;
    }

    private static String registryName(FieldReader fields, YamlNode n, String p, String what) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        if (s.isBlank() || s.length() > MAX_REGISTRY_NAME || hasControl(s)) {
            fields.problems().add(n, p, n.describe() + " is not a valid " + what + " (1 to " + MAX_REGISTRY_NAME
                    + " characters, not blank, no control characters)");
            return null;
        }
        return s;
    }

    private static String matching(FieldReader fields, YamlNode n, String p, Pattern pattern, String expected) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        if (!pattern.matcher(s).matches()) {
            fields.problems().add(n, p, n.describe() + " is not " + expected);
            return null;
        }
        return s;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record ConsulBlock(ConsulSettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return ConsulSource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return new ConsulSource(settings, context.metrics(), context.clock());
        }
    }
}
