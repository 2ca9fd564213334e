package io.junction.agent.node;

import io.junction.agent.config.NodeModeConfig;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.state.ListenResolver;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Node mode's listen addresses: a configured {@code listen} still wins; otherwise a service with virtual addresses
 * listens on an ephemeral port of the node-mode listen address ({@link NodeModeConfig#listenFor}), and one without is
 * not served here. The port stays the same across syncs (the binder rebinds only when the requested address
 * changes), so rules need rewriting only when services come, go or change their virtual addresses.
 *
 * <p>It also remembers each resolved service's virtual addresses: the snapshot carries no definitions, and the rules
 * need them. Control-thread only, like every {@link ListenResolver}.
 */
final class NodeListenResolver implements ListenResolver {
    private final NodeModeConfig config;
    private final Map<ServiceKey, List<InetSocketAddress>> virtuals = new HashMap<>();

    NodeListenResolver(NodeModeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public InetSocketAddress listenAddress(ServiceDefinition definition, ServicePolicy policy) {
        List<InetSocketAddress> v = definition.virtualAddresses();
        if (v.isEmpty()) {
            virtuals.remove(definition.key());
        } else {
            virtuals.put(definition.key(), v);
        }
        if (policy.listen() != null) {
            return policy.listen();
        }
        return v.isEmpty() ? null : config.listenFor(v);
    }

    /**
     * The virtual addresses of the services in {@code served} (the snapshot's), forgetting those of services gone;
     * an immutable copy any thread may read.
     */
    Map<ServiceKey, List<InetSocketAddress>> served(Set<ServiceKey> served) {
        virtuals.keySet().retainAll(served);
        return Map.copyOf(virtuals);
    }
}
