package io.junction.agent.config;

import io.junction.agent.discovery.zookeeper.ZooKeeperNames;
import io.junction.agent.discovery.zookeeper.ZooKeeperSettings;
import io.junction.agent.discovery.zookeeper.ZooKeeperSource;
import io.junction.core.discovery.DiscoverySource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the {@code discovery.zookeeper} block: {@code connect} (required), {@code basePath}, {@code sessionTimeout},
 * {@code connectionTimeout}, {@code services} and {@code rename}. Confined to the thread doing the load.
 */
final class ZooKeeperBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("connect", "basePath", "sessionTimeout", "connectionTimeout", "services",
            "rename");

    /** A session longer than this outlives any outage worth waiting for; the server bounds it lower anyway. */
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Problems problems = fields.problems();
        int before = problems.count();
        if (block.kind() == YamlNode.Kind.NULL) {
            problems.add(block, FieldReader.child(path, "connect"), "required (" + ZooKeeperNames.CONNECT_EXPECTED
                    + ")");
            return null;
        }
        if (!fields.expectMap(block, path)) {
            return null;
        }
        fields.rejectUnknownKeys(block, path, KEYS);
        String connect = null;
        YamlNode connectNode = block.field("connect");
        if (connectNode == null) {
            problems.add(block, FieldReader.child(path, "connect"), "required (" + ZooKeeperNames.CONNECT_EXPECTED
                    + ")");
        } else {
            connect = checked(fields, connectNode, FieldReader.child(path, "connect"), ZooKeeperNames::connectProblem);
        }
        String basePath = FieldReader.optional(block, "basePath", ZooKeeperSettings.DEFAULT_BASE_PATH,
                (n, p) -> checked(fields, n, p, ZooKeeperNames::pathProblem), path);
        Duration session = FieldReader.optional(block, "sessionTimeout", ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT,
                (n, p) -> fields.duration(n, p, false, MAX_TIMEOUT), path);
        Duration connection = FieldReader.optional(block, "connectionTimeout",
                ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT, (n, p) -> fields.duration(n, p, false, MAX_TIMEOUT),
                path);
        Set<String> services = FieldReader.optional(block, "services", Set.of(), (n, p) -> services(fields, n, p),
                path);
        Map<String, String> rename = FieldReader.optional(block, "rename", Map.of(), (n, p) -> rename(fields, n, p),
                path);
        if (problems.count() != before) {
            return null;
        }
        return new ZooKeeperBlock(new ZooKeeperSettings(connect, basePath, session, connection, services, rename));
    }

    private static String checked(FieldReader fields, YamlNode n, String p, UnaryOperator<String> check) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        String problem = check.apply(s);
        if (problem != null) {
            fields.problems().add(n, p, n.describe() + " " + problem);
            return null;
        }
        return s;
    }

    private static Set<String> services(FieldReader fields, YamlNode node, String path) {
        if (!fields.expectList(node, path)) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < node.items().size(); i++) {
            YamlNode item = node.items().get(i);
            String p = FieldReader.index(path, i);
            String name = checked(fields, item, p, ZooKeeperNames::nameProblem);
            if (name != null && !out.add(name)) {
                fields.problems().add(item, p, "duplicate service " + item.describe());
            }
        }
        if (node.items().isEmpty()) {
            fields.problems().add(node, path, "empty (list the registry services to watch, or leave it out to watch "
                    + "every one)");
        }
        return out;
    }

    private static Map<String, String> rename(FieldReader fields, YamlNode node, String path) {
        if (!fields.expectMap(node, path)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : node.fields().entrySet()) {
            String p = FieldReader.child(path, e.getKey());
            String bad = ZooKeeperNames.nameProblem(e.getKey());
            if (bad != null) {
                fields.problems().add(e.getValue(), p, "registry service name " + bad);
                continue;
            }
            String target = fields.string(e.getValue(), p);
            if (target == null) {
                continue;
            }
            // A rename must name a service the config can give a listener.
            if (!ServiceNames.valid(target)) {
                fields.problems().add(e.getValue(), p, e.getValue().describe() + " is not a valid service name "
                        + "(expected " + ServiceNames.RULE + ")");
                continue;
            }
            out.put(e.getKey(), target);
        }
        return out;
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record ZooKeeperBlock(ZooKeeperSettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return ZooKeeperSource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return new ZooKeeperSource(settings, context.metrics(), context.clock());
        }
    }
}
