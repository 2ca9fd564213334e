package io.junction.agent.config;

import io.junction.core.model.Cidr;
import io.junction.agent.registry.RegistrySettings;
import io.junction.agent.registry.RegistrySource;
import io.junction.core.discovery.DiscoverySource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code discovery.registry} block: the local service registry with a Consul-compatible agent API. Every
 * key is optional ({@code registry: {}} listens on 127.0.0.1:8500 with the defaults of {@link RegistrySettings}).
 * Confined to the thread doing the load.
 */
final class RegistryBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("listen", "stateFile", "token", "allowedCidrs", "allowLoopback",
            "allowLinkLocal", "maxBodySize", "rateLimit");
    static final List<String> RATE_KEYS = List.of("requestsPerSecond", "burst");
    static final long MIN_BODY = 1024;
    static final long MAX_BODY = 64L << 20;
    static final int MAX_RATE = 1_000_000;
    static final int MAX_TOKEN = 512;

    private final Map<String, String> env;
    private final String userHome;

    RegistryBlockBinder() {
        // ~ is $HOME as a shell expands it; the JDK's user.home comes from the password database instead.
        this(System.getenv(), System.getenv().getOrDefault("HOME", System.getProperty("user.home")));
    }

    /** A binder that takes the default state directory from {@code env} and {@code userHome} (tests). */
    RegistryBlockBinder(Map<String, String> env, String userHome) {
        this.env = Map.copyOf(env);
        this.userHome = userHome;
    }

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Path defaultState = RegistrySettings.defaultStateFile(env, userHome);
        if (block.kind() == YamlNode.Kind.NULL) {
            return new RegistryBlock(RegistrySettings.defaults(defaultState));
        }
        if (!fields.expectMap(block, path)) {
            return null;
        }
        Problems problems = fields.problems();
        int before = problems.count();
        fields.rejectUnknownKeys(block, path, KEYS);
        InetSocketAddress listen = FieldReader.optional(block, "listen", RegistrySettings.DEFAULT_LISTEN,
                (n, p) -> listen(fields, n, p), path);
        Path stateFile = FieldReader.optional(block, "stateFile", defaultState, (n, p) -> {
            String s = fields.string(n, p);
            if (s == null) {
                return null;
            }
            if (s.isBlank() || !Path.of(s).isAbsolute() || s.endsWith("/")) {
                problems.add(n, p, n.describe() + " is not an absolute file path (expected e.g. "
                        + "/var/lib/junction/registry.json)");
                return null;
            }
            return Path.of(s);
        }, path);
        String token = FieldReader.optional(block, "token", null, (n, p) -> token(fields, n, p), path);
        List<Cidr> cidrs = FieldReader.optional(block, "allowedCidrs", List.of(), (n, p) -> fields.cidrs(n, p,
                "an empty list would refuse every address; leave the key out to allow any"),
                path);
        Boolean loopback = FieldReader.optional(block, "allowLoopback", false, fields::bool, path);
        Boolean linkLocal = FieldReader.optional(block, "allowLinkLocal", false, fields::bool, path);
        Integer maxBody = FieldReader.optional(block, "maxBodySize", RegistrySettings.DEFAULT_MAX_BODY_SIZE,
                (n, p) -> fields.size(n, p, MIN_BODY, MAX_BODY), path);
        int[] rate = {RegistrySettings.DEFAULT_REQUESTS_PER_SECOND, RegistrySettings.DEFAULT_BURST};
        YamlNode rateNode = block.field("rateLimit");
        if (rateNode != null) {
            String rp = FieldReader.child(path, "rateLimit");
            if (fields.expectMap(rateNode, rp)) {
                fields.rejectUnknownKeys(rateNode, rp, RATE_KEYS);
                Integer rps = FieldReader.optional(rateNode, "requestsPerSecond", rate[0],
                        (n, p) -> fields.integer(n, p, 1, MAX_RATE), rp);
                Integer burst = FieldReader.optional(rateNode, "burst", rate[1],
                        (n, p) -> fields.integer(n, p, 1, MAX_RATE), rp);
                if (rps != null && burst != null) {
                    rate[0] = rps;
                    rate[1] = burst;
                }
            }
        }
        if (problems.count() != before) {
            return null;
        }
        return new RegistryBlock(new RegistrySettings(listen, stateFile, token, cidrs, loopback, linkLocal, maxBody,
                rate[0], rate[1]));
    }

    private static InetSocketAddress listen(FieldReader fields, YamlNode n, String p) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        try {
            return AddressFormat.ipAndPort(s);
        } catch (IllegalArgumentException e) {
            fields.problems().add(n, p, n.describe() + ": " + e.getMessage() + " (" + AddressFormat.EXPECTED + ")");
            return null;
        }
    }

    private static String token(FieldReader fields, YamlNode n, String p) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        if (s.isEmpty() || s.length() > MAX_TOKEN || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            fields.problems().add(n, p, "must be 1.." + MAX_TOKEN + " printable ASCII characters without spaces "
                    + "(it travels in an HTTP header); leave it out for open writes");
            return null;
        }
        return s;
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record RegistryBlock(RegistrySettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return RegistrySource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return new RegistrySource(settings, context);
        }
    }
}
