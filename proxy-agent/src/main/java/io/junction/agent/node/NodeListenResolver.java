package io.junction.agent.node;

import io.junction.agent.config.NodeModeConfig;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServicePolicy;
import io.junction.core.state.ListenResolver;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Node mode's listen addresses: a configured {@code listen} still wins; otherwise a service with virtual addresses
 * listens on an ephemeral port of the node-mode listen address ({@link NodeModeConfig#listenFor}), and one without is
 * not served here. The port stays the same across syncs (the binder rebinds only when the requested address
 * changes), so rules need rewriting only when services come, go or change their virtual addresses.
 *
 * <p>Stateless: the virtual addresses the rules need travel in each service's spec.
 */
final class NodeListenResolver implements ListenResolver {
    private final NodeModeConfig config;

    NodeListenResolver(NodeModeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public InetSocketAddress listenAddress(ServiceDefinition definition, ServicePolicy policy) {
        if (policy.listen() != null) {
            return policy.listen();
        }
        List<InetSocketAddress> v = definition.virtualAddresses();
        return v.isEmpty() ? null : config.listenFor(v);
    }
}
