package io.junction.agent.discovery.zookeeper;

import io.junction.core.model.Protocol;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One Curator {@code ServiceInstance} as Junction reads it. Immutable.
 *
 * @param service  the registry service name (the znode under {@code basePath})
 * @param id       the instance id (its znode's name)
 * @param address  the resolved address and port ({@code port}, else {@code sslPort})
 * @param protocol TCP unless the payload (or its {@code metadata}) says {@code "protocol": "udp"}
 * @param enabled  the instance's {@code enabled} flag; a disabled instance is an endpoint that is not ready
 */
public record RegistryInstance(String service, String id, InetSocketAddress address, Protocol protocol,
                               boolean enabled) {
    public RegistryInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
    }
}
