package io.junction.agent.registry.api;

import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckStatus;
import io.junction.agent.registry.store.Instance;
import io.junction.agent.registry.store.RegistryStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bodies of the registry's read endpoints, built from the {@link RegistryStore} in Consul's JSON shapes: agent
 * services and checks, catalog services and service, health service, agent self. What to answer, not when: routing,
 * blocking and the index stay with {@link RegistryApi}. Confined to the registry's event loop.
 */
final class CatalogViews {
    private final RegistryStore store;
    private final NodeInfo node;
    private final String revision;

    CatalogViews(RegistryStore store, NodeInfo node, String revision) {
        this.store = store;
        this.node = node;
        this.revision = revision;
    }

    Object agentServices() {
        Map<String, Object> out = new TreeMap<>();
        for (Instance i : store.instances()) {
            out.put(i.id(), ConsulJson.agentService(i, node.datacenter()));
        }
        return out;
    }

    Object agentService(String id) {
        Instance i = store.instance(id);
        if (i == null) {
            return Map.of();
        }
        Map<String, Object> m = ConsulJson.agentService(i, node.datacenter());
        m.put("ContentHash", Long.toHexString(i.modifyIndex()));
        return m;
    }

    Object agentChecks() {
        Map<String, Object> out = new TreeMap<>();
        for (Check c : store.checks()) {
            out.put(c.id(), ConsulJson.check(c, store.instance(c.spec().serviceId()), node.name()));
        }
        return out;
    }

    Object catalogServices() {
        Map<String, Set<String>> tags = new TreeMap<>();
        for (Instance i : store.instances()) {
            tags.computeIfAbsent(i.name(), n -> new LinkedHashSet<>()).addAll(i.tags());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        tags.forEach((name, t) -> out.put(name, List.copyOf(t)));
        return out;
    }

    private List<Instance> named(String name, List<String> tags) {
        List<Instance> out = new ArrayList<>();
        for (Instance i : store.instancesNamed(name)) {
            if (i.tags().containsAll(tags)) {
                out.add(i);
            }
        }
        out.sort(Comparator.comparing(Instance::id));
        return out;
    }

    Object catalogService(String name, List<String> tags) {
        List<Object> out = new ArrayList<>();
        for (Instance i : named(name, tags)) {
            out.add(ConsulJson.catalogService(i, node));
        }
        return out;
    }

    Object healthService(String name, List<String> tags, boolean passingOnly) {
        List<Object> out = new ArrayList<>();
        for (Instance i : named(name, tags)) {
            if (passingOnly && store.statusOf(i.id()) != CheckStatus.PASSING) {
                continue;
            }
            List<Object> checks = new ArrayList<>();
            checks.add(ConsulJson.serfCheck(node.name()));
            for (Check c : store.checksOf(i.id())) {
                checks.add(ConsulJson.check(c, i, node.name()));
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Node", ConsulJson.node(node));
            entry.put("Service", ConsulJson.healthService(i));
            entry.put("Checks", checks);
            out.add(entry);
        }
        return out;
    }

    Object self() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Datacenter", node.datacenter());
        config.put("PrimaryDatacenter", node.datacenter());
        config.put("NodeName", node.name());
        config.put("NodeID", node.id());
        config.put("Revision", revision);
        config.put("Server", false);
        config.put("Version", RegistryApi.CONSUL_VERSION);
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("Name", node.name());
        member.put("Addr", node.address());
        member.put("Port", 8301);
        member.put("Tags", Map.of("dc", node.datacenter(), "role", "node", "build", RegistryApi.CONSUL_VERSION + ":junction"));
        member.put("Status", 1);
        member.put("ProtocolMin", 1);
        member.put("ProtocolMax", 5);
        member.put("ProtocolCur", 2);
        member.put("DelegateMin", 2);
        member.put("DelegateMax", 5);
        member.put("DelegateCur", 4);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Config", config);
        out.put("Member", member);
        out.put("Meta", Map.of());
        out.put("Stats", Map.of());
        out.put("DebugConfig", Map.of());
        return out;
    }
}
