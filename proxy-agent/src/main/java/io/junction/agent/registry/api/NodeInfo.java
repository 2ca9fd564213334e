package io.junction.agent.registry.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * This agent as a Consul node: its name, a stable id derived from the name, the address clients see in catalog
 * entries, and the datacenter ({@code dc1}, Consul's default). Immutable.
 *
 * @param name       the node name (the host name)
 * @param id         a UUID stable for the name
 * @param address    the node address shown in catalog and health entries
 * @param datacenter always {@code dc1}
 */
public record NodeInfo(String name, String id, String address, String datacenter) {
    public static final String DATACENTER = "dc1";

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(datacenter, "datacenter");
    }

    public static NodeInfo of(String name, String address) {
        String id = UUID.nameUUIDFromBytes(("junction-node:" + name).getBytes(StandardCharsets.UTF_8)).toString();
        return new NodeInfo(name, id, address, DATACENTER);
    }
}
