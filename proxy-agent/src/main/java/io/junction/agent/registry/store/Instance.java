package io.junction.agent.registry.store;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One registered service instance. Immutable.
 *
 * @param id          the service id, unique in the registry
 * @param name        the service name; instances of one name are the endpoints of that service
 * @param address     the instance's IP address
 * @param port        the instance's port
 * @param tags        tags, in registration order
 * @param meta        metadata, in registration order
 * @param createIndex the registry index at which the instance was first registered
 * @param modifyIndex the registry index at which it last changed
 */
public record Instance(String id, String name, InetAddress address, int port, List<String> tags,
                       Map<String, String> meta, long createIndex, long modifyIndex) {
    public Instance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        tags = List.copyOf(tags);
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /** The address as text: a dotted quad or a compressed IPv6 address, never a host name. */
    public String addressText() {
        return NetUtil.toAddressString(address);
    }

    /** True when {@code other} registers the same thing, indexes aside. */
    boolean sameAs(Registration other) {
        return name.equals(other.name()) && address.equals(other.address()) && port == other.port()
                && tags.equals(other.tags()) && meta.equals(other.meta());
    }
}
