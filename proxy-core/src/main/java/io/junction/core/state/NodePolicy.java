package io.junction.core.state;

import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;

import java.util.Map;
import java.util.Objects;

/**
 * What this node decides about serving services, whatever discovery says: node-wide defaults and per-service
 * overrides (from the agent's config). A service's effective policy stacks, top first: its override, discovery's
 * hints, these defaults, {@link ServicePolicy#DEFAULTS}. Immutable.
 *
 * @param defaults the node-wide layer (no listen address)
 * @param services per-service overrides
 */
public record NodePolicy(ServicePolicy defaults, Map<ServiceKey, ServicePolicy> services) {
    /** No defaults beyond the built-in ones, no overrides. */
    public static final NodePolicy NONE = new NodePolicy(ServicePolicy.EMPTY, Map.of());

    public NodePolicy {
        Objects.requireNonNull(defaults, "defaults");
        if (defaults.listen() != null) {
            throw new IllegalArgumentException("defaults.listen: " + defaults.listen()
                    + " (expected: null; a listen address belongs to one service)");
        }
        services = Map.copyOf(services);
    }

    /** The policy of {@code key} with {@code hints} from discovery: complete except perhaps the listen address. */
    public ServicePolicy resolve(ServiceKey key, ServicePolicy hints) {
        ServicePolicy override = services.get(key);
        ServicePolicy below = hints.over(defaults.over(ServicePolicy.DEFAULTS));
        return override == null ? below : override.over(below);
    }
}
