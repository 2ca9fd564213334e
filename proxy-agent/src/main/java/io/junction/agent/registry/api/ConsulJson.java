package io.junction.agent.registry.api;

import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckSpec;
import io.junction.agent.registry.store.CheckStatus;
import io.junction.agent.registry.store.CheckType;
import io.junction.agent.registry.store.Instance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consul's JSON shapes for what the registry holds, with Consul's field names and casing: the agent's view of a
 * service ({@code AgentService}), a check ({@code HealthCheck}), a catalog entry ({@code CatalogService}) and a
 * health entry ({@code ServiceEntry} with its node and checks). Values are plain maps, serialized by Jackson.
 * Stateless.
 */
final class ConsulJson {
    static final String SERF_CHECK = "serfHealth";

    private ConsulJson() {
    }

    static Map<String, Object> agentService(Instance i, String datacenter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Kind", "");
        m.put("ID", i.id());
        m.put("Service", i.name());
        m.put("Tags", i.tags());
        m.put("Meta", i.meta());
        m.put("Port", i.port());
        m.put("Address", i.addressText());
        m.put("Weights", weights());
        m.put("EnableTagOverride", false);
        m.put("CreateIndex", i.createIndex());
        m.put("ModifyIndex", i.modifyIndex());
        m.put("Datacenter", datacenter);
        return m;
    }

    static Map<String, Object> check(Check c, Instance owner, String node) {
        CheckSpec s = c.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Node", node);
        m.put("CheckID", s.id());
        m.put("Name", s.name());
        m.put("Status", c.status().json());
        m.put("Notes", s.notes());
        m.put("Output", c.output());
        m.put("ServiceID", s.serviceId());
        m.put("ServiceName", owner == null ? "" : owner.name());
        m.put("ServiceTags", owner == null ? List.of() : owner.tags());
        m.put("Type", s.type().json());
        m.put("Interval", s.interval() == null ? "" : GoDuration.format(s.interval()));
        m.put("Timeout", s.timeout() == null ? "" : GoDuration.format(s.timeout()));
        m.put("ExposedPort", 0);
        m.put("Definition", definition(s));
        m.put("CreateIndex", c.createIndex());
        m.put("ModifyIndex", c.modifyIndex());
        return m;
    }

    private static Map<String, Object> definition(CheckSpec s) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (s.type() == CheckType.HTTP) {
            d.put("HTTP", s.http());
        } else if (s.type() == CheckType.TCP) {
            d.put("TCP", io.junction.core.model.HostPort.format(s.target()));
        }
        if (s.ttl() != null) {
            d.put("TTL", GoDuration.format(s.ttl()));
        }
        if (s.interval() != null) {
            d.put("Interval", GoDuration.format(s.interval()));
            d.put("Timeout", GoDuration.format(s.timeout()));
        }
        if (s.deregisterAfter() != null) {
            d.put("DeregisterCriticalServiceAfter", GoDuration.format(s.deregisterAfter()));
        }
        return d;
    }

    /** The agent's own node check, always passing: the agent answering is the proof. */
    static Map<String, Object> serfCheck(String node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Node", node);
        m.put("CheckID", SERF_CHECK);
        m.put("Name", "Serf Health Status");
        m.put("Status", CheckStatus.PASSING.json());
        m.put("Notes", "");
        m.put("Output", "Agent alive and reachable");
        m.put("ServiceID", "");
        m.put("ServiceName", "");
        m.put("ServiceTags", List.of());
        m.put("Type", "");
        m.put("Interval", "");
        m.put("Timeout", "");
        m.put("ExposedPort", 0);
        m.put("Definition", Map.of());
        m.put("CreateIndex", 1);
        m.put("ModifyIndex", 1);
        return m;
    }

    static Map<String, Object> catalogService(Instance i, NodeInfo node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", node.id());
        m.put("Node", node.name());
        m.put("Address", node.address());
        m.put("Datacenter", node.datacenter());
        m.put("TaggedAddresses", taggedAddresses(node));
        m.put("NodeMeta", Map.of());
        m.put("ServiceKind", "");
        m.put("ServiceID", i.id());
        m.put("ServiceName", i.name());
        m.put("ServiceTags", i.tags());
        m.put("ServiceAddress", i.addressText());
        m.put("ServiceWeights", weights());
        m.put("ServiceMeta", i.meta());
        m.put("ServicePort", i.port());
        m.put("ServiceEnableTagOverride", false);
        m.put("CreateIndex", i.createIndex());
        m.put("ModifyIndex", i.modifyIndex());
        return m;
    }

    static Map<String, Object> node(NodeInfo node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", node.id());
        m.put("Node", node.name());
        m.put("Address", node.address());
        m.put("Datacenter", node.datacenter());
        m.put("TaggedAddresses", taggedAddresses(node));
        m.put("Meta", Map.of());
        m.put("CreateIndex", 1);
        m.put("ModifyIndex", 1);
        return m;
    }

    static Map<String, Object> healthService(Instance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Kind", "");
        m.put("ID", i.id());
        m.put("Service", i.name());
        m.put("Tags", i.tags());
        m.put("Address", i.addressText());
        m.put("Meta", i.meta());
        m.put("Port", i.port());
        m.put("Weights", weights());
        m.put("EnableTagOverride", false);
        m.put("CreateIndex", i.createIndex());
        m.put("ModifyIndex", i.modifyIndex());
        return m;
    }

    private static Map<String, Object> taggedAddresses(NodeInfo node) {
        return Map.of("lan", node.address(), "wan", node.address());
    }

    private static Map<String, Object> weights() {
        return Map.of("Passing", 1, "Warning", 1);
    }
}
