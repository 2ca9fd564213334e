package io.junction.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the {@code discovery:} section: one block per source, present means enabled ({@code kubernetes: {...}}).
 * The file's own {@code services[]} is not a block: it is always on. A block this agent has no binder for is
 * rejected like any unknown key, with the names it does know. Confined to the thread doing the load.
 */
final class DiscoveryBinder {

    /** Validates one block and describes its source; records problems and returns null on error. */
    @FunctionalInterface
    interface BlockBinder {
        DiscoveryBlock bind(YamlNode block, String path, FieldReader fields);
    }

    /** The blocks this agent knows, by key, in the order they are documented. */
    static final Map<String, BlockBinder> KNOWN = Map.of("kubernetes", new KubernetesBlockBinder(),
            "registry", new RegistryBlockBinder(), "consul", new ConsulBlockBinder(),
            "zookeeper", new ZooKeeperBlockBinder(), "nacos", new NacosBlockBinder(), "eureka", new EurekaBlockBinder());

    private final FieldReader fields;
    private final Map<String, BlockBinder> binders;

    DiscoveryBinder(FieldReader fields) {
        this(fields, KNOWN);
    }

    DiscoveryBinder(FieldReader fields, Map<String, BlockBinder> binders) {
        this.fields = Objects.requireNonNull(fields, "fields");
        this.binders = Map.copyOf(binders);
    }

    /** The blocks of {@code section} (null or empty: none), in file order. */
    List<DiscoveryBlock> bind(YamlNode section) {
        if (section == null || section.kind() == YamlNode.Kind.NULL || !fields.expectMap(section, "discovery")) {
            return List.of();
        }
        List<String> names = new ArrayList<>(binders.keySet());
        Collections.sort(names);
        if (names.isEmpty()) {
            for (var e : section.fields().entrySet()) {
                fields.problems().add(e.getValue(), FieldReader.child("discovery", e.getKey()),
                        "unknown discovery source (this build has none besides the file's own services[])");
            }
        } else {
            fields.rejectUnknownKeys(section, "discovery", names);
        }
        List<DiscoveryBlock> blocks = new ArrayList<>();
        for (var e : section.fields().entrySet()) {
            BlockBinder binder = binders.get(e.getKey());
            if (binder == null) {
                continue;
            }
            DiscoveryBlock b = binder.bind(e.getValue(), FieldReader.child("discovery", e.getKey()), fields);
            if (b != null) {
                blocks.add(b);
            }
        }
        return List.copyOf(blocks);
    }
}
