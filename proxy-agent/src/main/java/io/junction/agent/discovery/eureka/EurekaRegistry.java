package io.junction.agent.discovery.eureka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local copy of the Eureka registry, kept as Eureka's {@code DiscoveryClient} keeps its {@code Applications}:
 * replaced by a full fetch, patched by a delta's ADDED, MODIFIED and DELETED actions ({@code updateDelta}), and checked
 * against the server after every delta by the reconciliation hash ({@code Applications.getReconcileHashCode}: the
 * count of instances per status, statuses in alphabetical order, each written {@code STATUS_count_}). All
 * applications are kept, also those this agent does not serve, since the server's hash counts them too.
 *
 * <p>Confined to the source's fetch thread.
 */
final class EurekaRegistry {
    /** Application name to its instances by id; both sorted, so that translations come out in a stable order. */
    private final Map<String, Map<String, EurekaInstance>> apps = new TreeMap<>();
    private boolean filled;

    /** True once a full fetch has been applied (until {@link #clear}). */
    boolean filled() {
        return filled;
    }

    /** Nothing in it: Eureka's client then fetches in full rather than asking for a delta. */
    boolean isEmpty() {
        return apps.isEmpty();
    }

    void clear() {
        apps.clear();
        filled = false;
    }

    /** Replaces everything with a full fetch. */
    void replace(EurekaApplications full) {
        apps.clear();
        for (EurekaInstance i : full.instances()) {
            put(i);
        }
        filled = true;
    }

    /** Applies a delta as {@code DiscoveryClient.updateDelta} does; unknown actions are ignored, as there. */
    void apply(EurekaApplications delta) {
        for (EurekaInstance i : delta.instances()) {
            String action = i.action() == null ? "" : i.action();
            switch (action) {
                case "ADDED", "MODIFIED" -> put(i);
                case "DELETED" -> remove(i);
                default -> {
                    // DiscoveryClient applies only these three actions; anything else changes nothing.
                }
            }
        }
    }

    private void put(EurekaInstance i) {
        apps.computeIfAbsent(i.app(), k -> new TreeMap<>()).put(i.id(), i);
    }

    private void remove(EurekaInstance i) {
        Map<String, EurekaInstance> app = apps.get(i.app());
        if (app != null) {
            app.remove(i.id());
            if (app.isEmpty()) {
                apps.remove(i.app());
            }
        }
    }

    /** {@code Applications.getReconcileHashCode()} of this copy, e.g. {@code DOWN_1_UP_2_}; empty when empty. */
    String reconcileHashCode() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Map<String, EurekaInstance> app : apps.values()) {
            for (EurekaInstance i : app.values()) {
                counts.merge(i.status(), 1, Integer::sum);
            }
        }
        StringBuilder b = new StringBuilder(75);
        counts.forEach((status, n) -> b.append(status).append('_').append(n).append('_'));
        return b.toString();
    }

    /** Every instance, by application then id. */
    List<EurekaInstance> instances() {
        List<EurekaInstance> out = new ArrayList<>();
        apps.values().forEach(app -> out.addAll(app.values()));
        return out;
    }

    int size() {
        int n = 0;
        for (Map<String, EurekaInstance> app : apps.values()) {
            n += app.size();
        }
        return n;
    }
}
