package io.junction.agent.registry.store;

import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated service registration: what {@code PUT /v1/agent/service/register} (or the state file) asked for.
 * Immutable.
 *
 * @param id      the service id (the name when the request gave none)
 * @param name    the service name
 * @param address the instance's IP (the client's own when the request left it empty)
 * @param port    the instance's port
 * @param tags    tags
 * @param meta    metadata
 * @param checks  the service's checks
 */
public record Registration(String id, String name, InetAddress address, int port, List<String> tags,
                           Map<String, String> meta, List<CheckSpec> checks) {
    public Registration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        tags = List.copyOf(tags);
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        checks = List.copyOf(checks);
    }
}
