package io.junction.agent.config;

import io.junction.agent.discovery.kubernetes.KubernetesSettings;
import io.junction.agent.discovery.kubernetes.KubernetesSource;
import io.junction.core.discovery.DiscoverySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the {@code discovery.kubernetes} block: {@code kubeconfig}, {@code nodeName}, {@code namespace} and
 * {@code labelSelector}, all optional ({@code kubernetes: {}} watches every namespace with the in-cluster service
 * account). Confined to the thread doing the load.
 */
final class KubernetesBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("kubeconfig", "nodeName", "namespace", "labelSelector");

    /** A DNS-1123 subdomain, as node names are. */
    private static final Pattern SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** A DNS-1123 label, as namespace names are. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_SUBDOMAIN = 253;
    private static final int MAX_LABEL = 63;

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Problems problems = fields.problems();
        int before = problems.count();
        if (block.kind() == YamlNode.Kind.NULL) {
            return block(new KubernetesSettings(null, null, null, null));
        }
        if (!fields.expectMap(block, path)) {
            return null;
        }
        fields.rejectUnknownKeys(block, path, KEYS);
        Path kubeconfig = FieldReader.optional(block, "kubeconfig", null, (n, p) -> {
            String s = fields.string(n, p);
            if (s == null) {
                return null;
            }
            Path file = Path.of(s);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                problems.add(n, p, "no readable file at " + s);
                return null;
            }
            return file;
        }, path);
        String nodeName = FieldReader.optional(block, "nodeName", null,
                (n, p) -> name(fields, n, p, SUBDOMAIN, MAX_SUBDOMAIN, "a node name (DNS subdomain)"), path);
        String namespace = FieldReader.optional(block, "namespace", null,
                (n, p) -> name(fields, n, p, LABEL, MAX_LABEL, "a namespace name (DNS label)"), path);
        String selector = FieldReader.optional(block, "labelSelector", null, (n, p) -> {
            String s = fields.string(n, p);
            if (s != null && s.isBlank()) {
                problems.add(n, p, "empty (expected a label selector such as app=web,tier!=cache; or leave it out)");
                return null;
            }
            return s == null ? null : s.trim();
        }, path);
        if (problems.count() != before) {
            return null;
        }
        return block(new KubernetesSettings(kubeconfig, nodeName, namespace, selector));
    }

    private static String name(FieldReader fields, YamlNode n, String p, Pattern pattern, int max, String expected) {
        String s = fields.string(n, p);
        if (s == null) {
            return null;
        }
        if (s.length() > max || !pattern.matcher(s).matches()) {
            fields.problems().add(n, p, n.describe() + " is not " + expected);
            return null;
        }
        return s;
    }

    private static DiscoveryBlock block(KubernetesSettings settings) {
        return new KubernetesBlock(settings);
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record KubernetesBlock(KubernetesSettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return KubernetesSource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return settings.source(context.metrics(), context.clock());
        }
    }
}
