package io.junction.agent.registry;

import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckStatus;
import io.junction.agent.registry.store.Instance;
import io.junction.agent.registry.store.RegistryStore;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the registry holds at one moment, for readers off its loop: the admin server's {@code /api/registry} and
 * the metrics. Built on the loop after every change, published through one volatile field. Immutable.
 *
 * @param listen        the API's address, {@code ip:port}
 * @param instances     one map per instance, in the {@code /api/registry} shape
 * @param checksByState how many checks are in each status
 */
public record RegistryView(String listen, List<Map<String, Object>> instances, Map<CheckStatus, Integer> checksByState) {
    public RegistryView {
        instances = List.copyOf(instances);
        checksByState = Map.copyOf(checksByState);
    }

    static RegistryView empty(String listen) {
        Map<CheckStatus, Integer> zero = new EnumMap<>(CheckStatus.class);
        for (CheckStatus s : CheckStatus.values()) {
            zero.put(s, 0);
        }
        return new RegistryView(listen, List.of(), zero);
    }

    static RegistryView of(String listen, RegistryStore store) {
        Map<CheckStatus, Integer> counts = new EnumMap<>(CheckStatus.class);
        for (CheckStatus s : CheckStatus.values()) {
            counts.put(s, 0);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Instance i : store.instances()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("service", i.name());
            m.put("address", i.addressText());
            m.put("port", i.port());
            m.put("tags", i.tags());
            m.put("meta", i.meta());
            List<Map<String, Object>> checks = new ArrayList<>();
            for (Check c : store.checksOf(i.id())) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("id", c.id());
                cm.put("name", c.spec().name());
                cm.put("type", c.spec().type().json());
                cm.put("status", c.status().json());
                cm.put("output", c.output());
                checks.add(cm);
                counts.merge(c.status(), 1, Integer::sum);
            }
            m.put("checks", checks);
            out.add(m);
        }
        return new RegistryView(listen, out, counts);
    }

    /** The {@code /api/registry} document. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listen", listen);
        m.put("instances", instances);
        return m;
    }
}
